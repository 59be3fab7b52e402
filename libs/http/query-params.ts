import { Effect } from "effect";
import { InvalidRequest } from "./request-errors.ts";

/** An optional whole-number parameter in a range; anything else is a 400 naming the parameter. */
export const intParam = (field: string, raw: string | undefined, range: { readonly min: number; readonly max: number }) =>
  Effect.gen(function* () {
    if (raw === undefined || raw === "") return undefined;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
      return yield* Effect.fail(new InvalidRequest({
        message: `${field} must be a whole number from ${range.min} to ${range.max}`,
        details: { field, value: raw },
      }));
    }
    return value;
  });

/** An optional parameter that must be one of a few words. */
export const oneOf = <const W extends string>(field: string, raw: string | undefined, words: ReadonlyArray<W>) =>
  Effect.gen(function* () {
    if (raw === undefined || raw === "") return undefined;
    const found = words.find((w) => w === raw);
    if (found === undefined) {
      return yield* Effect.fail(new InvalidRequest({ message: `${field} must be one of ${words.join(", ")}`, details: { field, value: raw } }));
    }
    return found;
  });
