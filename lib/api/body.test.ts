import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors.ts";
import { readCappedBody } from "./body.ts";

/** A request whose body is a stream of `chunks` chunks of `size` bytes, with no Content-Length; counts what was pulled. */
function chunked(chunks: number, size: number, headers: Record<string, string> = {}) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= chunks) return controller.close();
      pulled++;
      controller.enqueue(new Uint8Array(size).fill(97));
    },
  });
  const req = new Request("http://x.invalid/", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  return { req, pulled: () => pulled };
}

const tooLarge = (err: unknown) => err instanceof AppError && err.code === "too_large";

test("a body within the cap is read whole", async () => {
  const { req } = chunked(4, 1000);
  assert.equal((await readCappedBody(req, 4000)).length, 4000);
});

test("a chunked body without Content-Length stops being read just past the cap", async () => {
  const { req, pulled } = chunked(10_000, 1024);
  await assert.rejects(readCappedBody(req, 8 * 1024), tooLarge);
  // the reader pulled the chunk that crossed the cap (plus the stream's one-chunk read-ahead), never the rest
  assert.ok(pulled() <= 10, `pulled ${pulled()} chunks`);
});

test("a declared length above the cap is refused before anything is read", async () => {
  const { req, pulled } = chunked(100, 1024, { "content-length": String(100 * 1024) });
  await assert.rejects(readCappedBody(req, 1024), tooLarge);
  assert.ok(pulled() <= 1, `pulled ${pulled()} chunks`);
});

test("a client that declares less than it sends is still stopped at the cap", async () => {
  const { req, pulled } = chunked(1000, 1024, { "content-length": "10" });
  await assert.rejects(readCappedBody(req, 4096), tooLarge);
  assert.ok(pulled() <= 6, `pulled ${pulled()} chunks`);
});

test("no body is an empty buffer", async () => {
  assert.equal((await readCappedBody(new Request("http://x.invalid/"), 10)).length, 0);
});

test("a declared length is read into one buffer; a body shorter or longer than declared is still whole and capped", async () => {
  const exact = chunked(4, 1000, { "content-length": "4000" });
  const body = await readCappedBody(exact.req, 8000);
  assert.equal(body.length, 4000);
  assert.ok(body.every((b) => b === 97));
  assert.equal((await readCappedBody(chunked(2, 1000, { "content-length": "4000" }).req, 8000)).length, 2000);
  const longer = await readCappedBody(chunked(5, 1000, { "content-length": "2500" }).req, 8000);
  assert.equal(longer.length, 5000);
  assert.ok(longer.every((b) => b === 97));
});
