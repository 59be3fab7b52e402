/** A response body read into memory up to `limitBytes`; past it the rest is not read and the exchange is cancelled. */
export interface CappedRead {
  readonly bytes: Buffer;
  /** The body was longer than the cap: `bytes` is its first `limitBytes` bytes. */
  readonly truncated: boolean;
}

export const readCapped = async (body: ReadableStream<Uint8Array> | null, limitBytes: number): Promise<CappedRead> => {
  if (body === null) return { bytes: Buffer.alloc(0), truncated: false };
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: Buffer.concat(chunks, size), truncated: false };
      if (size + value.byteLength > limitBytes) {
        chunks.push(value.subarray(0, limitBytes - size));
        await reader.cancel().catch(() => undefined);
        return { bytes: Buffer.concat(chunks, limitBytes), truncated: true };
      }
      chunks.push(value);
      size += value.byteLength;
    }
  } catch (e) {
    await reader.cancel().catch(() => undefined);
    throw e;
  }
};
