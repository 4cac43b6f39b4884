/**
 * How an export's stream keeps its memory bounded whatever the documents' sizes, pure (the cursor
 * and the stream around them: cursor-export.ts): each FETCH sized in bytes, the text written into
 * pieces of a fixed size.
 */

/** Bytes per enqueued piece, and what the stream keeps queued before it stops pulling rows. */
export const EXPORT_CHUNK_BYTES = 64 * 1024;
/**
 * About how many bytes of rows one FETCH brings (`batch` rows at most, one at least): a batch
 * sized in rows alone would hold 500 MB of 1 MB documents at once. Small enough that a FETCH's
 * rows are turned into Buffers before V8 promotes them out of its young generation.
 */
export const EXPORT_FETCH_BYTES = 512 * 1024;
/** Rows `head` may get to look at, fetched in byte-sized steps too (a CSV's columns from a sample). */
export const HEAD_FETCH_BYTES = 4 * EXPORT_FETCH_BYTES;
/** The first FETCH's rows: nothing is known of their size yet. */
const FIRST_FETCH_ROWS = 16;

/** Rows to FETCH next so that they hold about `budget` bytes, given the bytes per row seen so far. */
export function nextFetchRows(bytesPerRow: number, budget: number, batch: number): number {
  if (!(bytesPerRow > 0)) return Math.min(batch, FIRST_FETCH_ROWS);
  return Math.max(1, Math.min(batch, Math.floor(budget / bytesPerRow)));
}

const utf8 = new TextEncoder();

/**
 * Text into Buffers of EXPORT_CHUNK_BYTES: each text is written once, as UTF-8, straight into the
 * piece it goes out in (no string of a whole batch, no second copy). A text larger than a piece is
 * spread over pieces of the same size rather than copied whole into one Buffer of its own: a
 * document of 1 MiB no longer means a 1 MiB Buffer beside its 1 MiB string, garbage that waits for
 * V8's next collection (issue 22, point 4).
 */
export class ChunkWriter {
  private buf: Buffer | null = null;
  private used = 0;
  constructor(private readonly out: (chunk: Uint8Array) => void) {}

  write(text: string): void {
    const len = Buffer.byteLength(text);
    if (this.buf && this.used + len > this.buf.length) this.flush();
    if (len > EXPORT_CHUNK_BYTES) return this.spread(text);
    this.buf ??= Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
    this.used += this.buf.write(text, this.used);
  }

  /** a text larger than a piece, a piece at a time (encodeInto never splits a character) */
  private spread(text: string): void {
    let rest = text;
    while (rest.length) {
      this.buf ??= Buffer.allocUnsafe(EXPORT_CHUNK_BYTES);
      const { read, written } = utf8.encodeInto(rest, this.buf.subarray(this.used));
      this.used += written;
      rest = rest.slice(read);
      // full, or too little room left for the next character
      if (rest.length) this.flush();
    }
  }

  flush(): void {
    if (this.buf && this.used) this.out(this.buf.subarray(0, this.used));
    this.buf = null;
    this.used = 0;
  }
}
