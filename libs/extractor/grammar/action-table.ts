// Dense parse tables for the Python parser. @lezer/lr finds the action for a state and a token
// by scanning the state's compressed action list (sized for an editor's memory); with this
// grammar that scan averaged ~24 entries and was a quarter of the extractor's parse time. After
// each reduction it finds the next state the same way, scanning the goto list of the reduced
// rule (long for `expression`, `test` and the like). Here both are looked up in arrays built
// once from the same tables (~2.5 MB for 750 states × 284 terms), answering exactly what the
// scans would (the same actions in the same order, the same goto state), so every tree is
// unchanged (test/extractor/action-table.test.ts). lezer exposes no hook for the actions, so the
// table replaces the token cache's `addActions` method (the goto lookup is the parser instance's
// own `getGoto`); if a lezer release changes their shape, the stock scans stay in place.
import type { LRParser } from "@lezer/lr";

/** The parts of @lezer/lr's parser, parse and token cache this relies on (internal to lezer). */
interface LezerInternals {
  readonly maxTerm: number;
  readonly states: Uint32Array;
  readonly data: Uint16Array;
  startParse(input: string): { readonly tokens: object };
  getGoto(state: number, term: number, loose?: boolean): number;
}
interface TokenCache {
  putAction(action: number, token: number, end: number, index: number): number;
}
type AddActions = (this: TokenCache, stack: { readonly state: number; readonly p: { readonly parser: unknown } }, token: number, end: number, index: number) => number;

const SLOT_SIZE = 6;
const ACTIONS_SLOT = 1;
const SKIP_SLOT = 2;
const SEQ_END = 0xffff;
const SEQ_NEXT = 1;
const SEQ_OTHER = 2;

export interface DenseActions {
  readonly states: number;
  readonly terms: number;
  /** Action lookups answered from the dense arrays so far (a test proves the parser used them). */
  readonly lookups: () => number;
  /** Goto lookups answered from the dense array so far. */
  readonly gotoLookups: () => number;
}

const installed = new WeakMap<object, DenseActions>();

/** Makes `parser` look actions up in dense arrays; null when lezer's internals are not the expected shape. */
export const installDenseActions = (parser: LRParser): DenseActions | null => {
  const known = installed.get(parser);
  if (known) return known;
  const internals = parser as unknown as LezerInternals;
  const tokens = internals.startParse("").tokens;
  const prototype = Object.getPrototypeOf(tokens) as { addActions?: AddActions; putAction?: unknown };
  const stock = prototype.addActions;
  if (typeof stock !== "function" || stock.length !== 4 || typeof prototype.putAction !== "function") return null;
  if (!(internals.states instanceof Uint32Array) || !(internals.data instanceof Uint16Array)) return null;

  const terms = internals.maxTerm + 1;
  const states = internals.states.length / SLOT_SIZE;
  const { data } = internals;
  const pair = (at: number): number => (data[at] ?? 0) | ((data[at + 1] ?? 0) << 16);
  // Per set (0: the state's actions, 1: its skip actions): the action + 1 per (state, token), and
  // the state's fallback action + 1 for any other token. A pair with two actions (a GLR split)
  // keeps the stock scan, which adds both.
  const tables = [new Int32Array(states * terms), new Int32Array(states * terms)] as const;
  const others = [new Int32Array(states), new Int32Array(states)] as const;
  const ambiguous = new Uint8Array(states * terms);
  for (let state = 0; state < states; state++) {
    for (const set of [0, 1] as const) {
      const table = tables[set];
      for (let i = internals.states[state * SLOT_SIZE + (set ? SKIP_SLOT : ACTIONS_SLOT)] ?? 0; ; i += 3) {
        if (data[i] === SEQ_END) {
          if (data[i + 1] === SEQ_NEXT) i = pair(i + 2);
          else {
            if (data[i + 1] === SEQ_OTHER) others[set][state] = pair(i + 2) + 1;
            break;
          }
        }
        const at = state * terms + (data[i] ?? 0);
        const action = pair(i + 1) + 1;
        if (table[at] && table[at] !== action) ambiguous[at] = 1;
        else table[at] = action;
      }
    }
  }

  const [actions, skips] = tables;
  const [otherAction, otherSkip] = others;
  let lookups = 0;
  prototype.addActions = function (stack, token, end, index) {
    const state = stack.state;
    const at = state * terms + token;
    if (stack.p.parser !== parser || token >= terms || ambiguous[at]) return stock.call(this, stack, token, end, index);
    lookups += 1;
    let action = actions[at] ?? 0;
    if (action) index = this.putAction(action - 1, token, end, index);
    if (index === 0 && (action = otherAction[state] ?? 0)) index = this.putAction(action - 1, token, end, index);
    action = skips[at] ?? 0;
    if (action) index = this.putAction(action - 1, token, end, index);
    if (index === 0 && (action = otherSkip[state] ?? 0)) index = this.putAction(action - 1, token, end, index);
    return index;
  };
  const gotoLookups = installDenseGoto(internals, states, terms);
  const info = { states, terms, lookups: () => lookups, gotoLookups };
  installed.set(parser, info);
  return info;
};

/**
 * The state after reducing `term` in `state`, from a dense array. Only the "loose" lookup the
 * parser makes after every reduction is answered here (the strict one, used in error recovery,
 * keeps the scan).
 */
const installDenseGoto = (internals: LezerInternals, states: number, terms: number): (() => number) => {
  const stock = internals.getGoto;
  if (typeof stock !== "function") return () => 0;
  const next = new Int32Array(states * terms);
  for (let state = 0; state < states; state++) {
    for (let term = 0; term < terms; term++) next[state * terms + term] = stock.call(internals, state, term, true) + 1;
  }
  let lookups = 0;
  internals.getGoto = function (state, term, loose = false) {
    // A configured copy of the parser copies this property: it keeps the scan, as it does for actions.
    if (this !== internals || !loose || term >= terms || state >= states) return stock.call(this, state, term, loose);
    lookups += 1;
    return (next[state * terms + term] ?? 0) - 1;
  };
  return () => lookups;
};
