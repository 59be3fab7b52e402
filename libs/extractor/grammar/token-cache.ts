// A cheaper token cache for the Python parser. Before every parse action @lezer/lr asks its token
// cache which tokens apply at the stack's position; two of its habits cost this grammar a sixth of
// its parse time, and both are skipped here where the answer cannot change:
//  - The `newlines` tokenizer is contextual (at a line start it asks the stack whether a blank
//    line may begin there), so lezer runs it again before each of the reductions at a position,
//    about 600,000 extra runs for the bench project's 857,000 tokens. Away from a line start it
//    reads only the input and the context's flags (part of the cache key), so its cached token
//    stands there.
//  - Every identifier is read out as a string and looked up among the keywords. An identifier
//    longer than the longest keyword is none: it keeps its term without the string.
// Everything else is lezer's own code, for this parser only (a configured copy keeps the stock
// methods), so every tree is unchanged (test/extractor/action-table.test.ts compares them).
import type { ExternalTokenizer, LRParser } from "@lezer/lr";

interface CachedToken {
  start: number;
  value: number;
  end: number;
  extended: number;
  lookAhead: number;
  mask: number;
  context: number;
}
interface Tokenizer {
  readonly contextual: boolean;
  readonly fallback: boolean;
  readonly extend: boolean;
  token(input: unknown, stack: unknown): void;
}
interface Stack {
  readonly pos: number;
  readonly state: number;
  readonly curContext: { readonly hash: number } | null;
  readonly p: { readonly parser: unknown; readonly input: { readonly string?: unknown } };
  setLookAhead(lookAhead: number): void;
}
interface Stream {
  readonly end: number;
  clipPos(pos: number): number;
  reset(pos: number, token: CachedToken): unknown;
  read(from: number, to: number): string;
}
interface TokenCache {
  readonly stream: Stream;
  readonly tokens: CachedToken[];
  readonly actions: number[];
  mainToken: CachedToken | null;
  addActions(stack: Stack, token: number, end: number, index: number): number;
  getActions(stack: Stack): number[];
  updateCachedToken(token: CachedToken, tokenizer: Tokenizer, stack: Stack): void;
}
interface ParserInternals {
  readonly tokenizers: ReadonlyArray<Tokenizer>;
  readonly specialized: Uint16Array;
  readonly specializers: ReadonlyArray<(value: string, stack: unknown) => number>;
  readonly dialect: { allows(term: number): boolean };
  readonly eofTerm: number;
  stateSlot(state: number, slot: number): number;
  startParse(input: string): { readonly tokens: object };
}

const TOKENIZER_MASK_SLOT = 3;
const LOOKAHEAD_MARGIN = 25;
const ERROR_TERM = 0;
const LF = 10;
const CR = 13;

export interface FastTokenCache {
  /** Contextual tokenizer runs skipped so far (a test proves the cache was used). */
  readonly reusedNewlines: () => number;
  /** Identifiers that skipped the keyword lookup so far. */
  readonly unreadIdentifiers: () => number;
}

const installed = new WeakMap<object, FastTokenCache>();

/**
 * Installs the cache for `parser`: `newlines` is its contextual tokenizer that consults the stack
 * only at a line start, and no keyword is longer than `longestKeyword`. Null when lezer's
 * internals are not the expected shape (the stock cache then stays).
 */
export const installFastTokenCache = (parser: LRParser, newlines: ExternalTokenizer, longestKeyword: number): FastTokenCache | null => {
  const known = installed.get(parser);
  if (known) return known;
  const internals = parser as unknown as ParserInternals;
  const prototype = Object.getPrototypeOf(internals.startParse("").tokens) as TokenCache;
  const stockGetActions = prototype.getActions;
  const stockUpdate = prototype.updateCachedToken;
  if (typeof stockGetActions !== "function" || stockGetActions.length !== 1 || typeof stockUpdate !== "function" || stockUpdate.length !== 3) return null;
  if (!(internals.specialized instanceof Uint16Array) || internals.specialized.length !== 1 || internals.specializers.length !== 1) return null;
  const tokenizers = internals.tokenizers as ReadonlyArray<unknown>;
  if (!tokenizers.includes(newlines)) return null;
  const identifier = internals.specialized[0] ?? -1;
  const specialize = internals.specializers[0];
  if (!specialize) return null;
  let reusedNewlines = 0;
  let unreadIdentifiers = 0;

  const update = function (this: TokenCache, token: CachedToken, tokenizer: Tokenizer, stack: Stack): void {
    const start = this.stream.clipPos(stack.pos);
    tokenizer.token(this.stream.reset(start, token), stack);
    if (token.value > -1) {
      if (token.value !== identifier) return;
      if (token.end - token.start > longestKeyword) {
        unreadIdentifiers += 1;
        return;
      }
      const result = specialize(this.stream.read(token.start, token.end), stack);
      if (result >= 0 && internals.dialect.allows(result >> 1)) {
        if ((result & 1) === 0) token.value = result >> 1;
        else token.extended = result >> 1;
      }
    } else {
      token.value = ERROR_TERM;
      token.end = this.stream.clipPos(start + 1);
    }
  };

  /** Whether `pos` starts a line of the source (where `newlines` asks the stack). */
  const atLineStart = (stack: Stack): boolean => {
    const source = stack.p.input.string;
    if (typeof source !== "string" || stack.pos === 0) return true;
    const before = source.charCodeAt(stack.pos - 1);
    return before === LF || before === CR;
  };

  prototype.updateCachedToken = function (token, tokenizer, stack) {
    if (stack.p.parser !== parser) return stockUpdate.call(this, token, tokenizer, stack);
    update.call(this, token, tokenizer, stack);
  };

  // @lezer/lr 1.4's TokenCache.getActions, with the two changes named above.
  prototype.getActions = function (stack) {
    if (stack.p.parser !== parser) return stockGetActions.call(this, stack);
    let actionIndex = 0;
    let main: CachedToken | null = null;
    const tokenizers = internals.tokenizers;
    const mask = internals.stateSlot(stack.state, TOKENIZER_MASK_SLOT);
    const context = stack.curContext ? stack.curContext.hash : 0;
    let lookAhead = 0;
    for (let i = 0; i < tokenizers.length; i++) {
      if (((1 << i) & mask) === 0) continue;
      const tokenizer = tokenizers[i] as Tokenizer;
      const token = this.tokens[i] as CachedToken;
      if (main && !tokenizer.fallback) continue;
      if (token.start !== stack.pos || token.mask !== mask || token.context !== context) {
        update.call(this, token, tokenizer, stack);
        token.mask = mask;
        token.context = context;
      } else if (tokenizer.contextual) {
        if (tokenizer !== (newlines as unknown) || atLineStart(stack)) {
          update.call(this, token, tokenizer, stack);
          token.mask = mask;
          token.context = context;
        } else reusedNewlines += 1;
      }
      if (token.lookAhead > token.end + LOOKAHEAD_MARGIN) lookAhead = Math.max(token.lookAhead, lookAhead);
      if (token.value !== ERROR_TERM) {
        const startIndex = actionIndex;
        if (token.extended > -1) actionIndex = this.addActions(stack, token.extended, token.end, actionIndex);
        actionIndex = this.addActions(stack, token.value, token.end, actionIndex);
        if (!tokenizer.extend) {
          main = token;
          if (actionIndex > startIndex) break;
        }
      }
    }
    while (this.actions.length > actionIndex) this.actions.pop();
    if (lookAhead) stack.setLookAhead(lookAhead);
    if (!main && stack.pos === this.stream.end) {
      const Token = this.tokens[0]?.constructor as new () => CachedToken;
      main = new Token();
      main.value = internals.eofTerm;
      main.start = main.end = stack.pos;
      actionIndex = this.addActions(stack, main.value, main.end, actionIndex);
    }
    this.mainToken = main;
    return this.actions;
  };

  const info = { reusedNewlines: () => reusedNewlines, unreadIdentifiers: () => unreadIdentifiers };
  installed.set(parser, info);
  return info;
};
