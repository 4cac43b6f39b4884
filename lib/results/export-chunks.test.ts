import { test } from "node:test";
import assert from "node:assert/strict";
import { ChunkWriter, EXPORT_CHUNK_BYTES, EXPORT_FETCH_BYTES, nextFetchRows } from "./export-chunks.ts";

test("a FETCH is sized in bytes: few rows when they are large, one at least, never past the batch", () => {
  assert.equal(nextFetchRows(0, EXPORT_FETCH_BYTES, 500), 16, "nothing known yet: a small first FETCH");
  assert.equal(nextFetchRows(0, EXPORT_FETCH_BYTES, 8), 8);
  assert.equal(nextFetchRows(300, EXPORT_FETCH_BYTES, 500), 500, "small rows: the whole batch");
  assert.equal(nextFetchRows(EXPORT_FETCH_BYTES / 8, EXPORT_FETCH_BYTES, 500), 8);
  assert.equal(nextFetchRows(16 * 1024 * 1024, EXPORT_FETCH_BYTES, 500), 1, "a row larger than the budget comes alone");
  assert.equal(nextFetchRows(Number.NaN, EXPORT_FETCH_BYTES, 500), 16);
});

test("the chunk writer puts text out in pieces no larger than a chunk, a larger text spread over several, byte for byte", () => {
  const out: Uint8Array[] = [];
  const w = new ChunkWriter((c) => out.push(c));
  const rows = Array.from({ length: 5000 }, (_, i) => `{"i":${i},"s":"é✓ ${"x".repeat(i % 97)}"}\n`);
  // larger than a piece, of one-, two-, three- and four-byte characters: pieces end between characters
  const big = `${"y".repeat(EXPORT_CHUNK_BYTES - 1)}${"é✓😀".repeat(EXPORT_CHUNK_BYTES / 4)}\n`;
  rows.splice(2500, 0, big);
  for (const r of rows) w.write(r);
  w.flush();
  assert.equal(Buffer.concat(out).toString("utf8"), rows.join(""));
  const sizes = out.map((c) => c.byteLength);
  assert.ok(sizes.every((n) => n > 0 && n <= EXPORT_CHUNK_BYTES), "no piece past the chunk size, the big text's included");
  const strict = new TextDecoder("utf-8", { fatal: true });
  for (const c of out) strict.decode(c);
  assert.ok(out.length < 5000 / 10, "rows are gathered, not one piece each");
  w.flush();
  assert.equal(out.length, sizes.length, "a flush with nothing written puts nothing out");
});
