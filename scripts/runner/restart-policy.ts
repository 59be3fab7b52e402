// When a dead service is started again: at once-ish after a long run, with a doubling delay after
// quick deaths, and never again after too many quick deaths in a row (a crash loop helps nobody).
export interface RestartPolicy {
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** A run shorter than this counts as a quick failure. */
  readonly fastRunMs: number;
  /** This many quick failures in a row: give up. */
  readonly maxFastFailures: number;
}

export type RestartDecision =
  | { readonly kind: "restart"; readonly delayMs: number; readonly fastFailures: number }
  | { readonly kind: "give-up"; readonly fastFailures: number };

export const nextRestart = (policy: RestartPolicy, fastFailuresSoFar: number, ranMs: number): RestartDecision => {
  const fastFailures = ranMs < policy.fastRunMs ? fastFailuresSoFar + 1 : 0;
  if (fastFailures >= policy.maxFastFailures) return { kind: "give-up", fastFailures };
  const delayMs = Math.min(policy.maxDelayMs, policy.firstDelayMs * 2 ** Math.max(0, fastFailures - 1));
  return { kind: "restart", delayMs, fastFailures };
};
