/**
 * Request bodies under a cap. The body is read as a stream and reading stops at the cap, so a
 * client that lies about Content-Length, or sends a chunked body with none, never makes the hub
 * hold more than `maxBytes` in memory.
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
 * byte is read; otherwise the stream is read and cancelled as soon as it passes the cap.
 */
export async function readCappedBody(req: Request, maxBytes: number): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== null && declared > maxBytes) {
    await req.body?.cancel().catch(() => undefined);
    throw tooLarge(maxBytes);
  }
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
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
