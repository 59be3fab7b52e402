import { Transform } from "node:stream";

/**
 * A request body passed through as it streams, counted: past `limit` bytes the stream fails
 * with what `onOver` returns, which ends the upstream exchange.
 */
export const cappedBody = (limit: number, onOver: () => Error): Transform => {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.byteLength;
      if (seen <= limit) return done(null, chunk);
      done(onOver());
    },
  });
};
