/**
 * Request bodies under a cap. The body is read as a stream and reading stops at the cap, so a
 * client that lies about Content-Length, or sends a chunked body with none, never makes the hub
 * hold more than `maxBytes` in memory. A refused body is left unread rather than cancelled:
 * cancelling would tear the connection down before the 413 could be sent; the route answers
 * `Connection: close` instead (lib/api/route.ts), so the server reads no more of it.
 */
import { AppError } from "../errors.ts";

export const KIB = 1024;
export const MIB = 1024 * KIB;
/** What a JSON route accepts unless its declaration says otherwise. */
export const DEFAULT_MAX_BODY_BYTES = 64 * KIB;

export function tooLarge(maxBytes: number): AppError {
  const size = maxBytes >= MIB ? `${Math.round((maxBytes / MIB) * 10) / 10} MiB` : `${Math.round(maxBytes / KIB)} KiB`;
  return new AppError("too_large", `the request body is larger than ${size}`);
}

/** The declared length when it is a plain number; a malformed header counts as absent. */
function declaredLength(req: Request): number | null {
  const raw = req.headers.get("content-length");
  if (raw === null || !/^\d+$/.test(raw.trim())) return null;
  return Number(raw);
}

/**
 * The whole body, at most `maxBytes` of it: a declared length above the cap is refused before a
 * byte is read; otherwise the stream is read until it ends or passes the cap. With a declared
 * length the bytes go straight into one buffer of that size (a large body is held once, not as its
 * chunks and then their copy).
 */
export async function readCappedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== null && declared > maxBytes) throw tooLarge(maxBytes);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  let whole: Buffer | null = declared ? Buffer.allocUnsafe(declared) : null;
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.byteLength > maxBytes) throw tooLarge(maxBytes);
    if (whole && total + value.byteLength <= whole.length) whole.set(value, total);
    else {
      // more than it declared: kept as chunks from here on (the cap still holds)
      if (whole) chunks.push(whole.subarray(0, total));
      whole = null;
      chunks.push(value);
    }
    total += value.byteLength;
  }
  if (whole) return total === whole.length ? whole : whole.subarray(0, total);
  return Buffer.concat(chunks, total);
}

/**
 * The body as it streams, at most `maxBytes` of it: a declared length above the cap is refused
 * before a byte is read; past the cap the stream is cancelled and the reader gets `too_large`. A
 * reader that stops early (a multipart body's closing boundary came) cancels the rest.
 */
export async function* cappedChunks(req: Request, maxBytes: number): AsyncGenerator<Uint8Array> {
  const declared = declaredLength(req);
  if (declared !== null && declared > maxBytes) {
    await req.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!req.body) return;
  const reader = req.body.getReader();
  let total = 0;
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      yield value;
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
