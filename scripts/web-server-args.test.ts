import { test } from "node:test";
import assert from "node:assert/strict";
import { WEB_SERVER_HEAP_GROWING_PERCENT, WEB_SERVER_SEMI_SPACE_MB, webServerEnv, webServerNodeArgs } from "./web-server-args.ts";

test("the web server's young generation and old generation growth are capped; an operator may choose other whole numbers, nothing else", () => {
  const growing = `--heap-growing-percent=${WEB_SERVER_HEAP_GROWING_PERCENT}`;
  assert.deepEqual(webServerNodeArgs({}), [`--max-semi-space-size=${WEB_SERVER_SEMI_SPACE_MB}`, growing]);
  assert.deepEqual(webServerNodeArgs({ LEVHUB_WEB_SEMI_SPACE_MB: " 32 " }), ["--max-semi-space-size=32", growing]);
  assert.deepEqual(webServerNodeArgs({ LEVHUB_WEB_HEAP_GROWING_PERCENT: "100" }), [`--max-semi-space-size=${WEB_SERVER_SEMI_SPACE_MB}`, "--heap-growing-percent=100"]);
  for (const bad of ["0", "257", "8.5", "16 --inspect", "x"]) assert.throws(() => webServerNodeArgs({ LEVHUB_WEB_SEMI_SPACE_MB: bad }), /LEVHUB_WEB_SEMI_SPACE_MB/);
  assert.deepEqual(webServerNodeArgs({ LEVHUB_WEB_HEAP_GROWING_PERCENT: "0" }), [`--max-semi-space-size=${WEB_SERVER_SEMI_SPACE_MB}`, "--heap-growing-percent=0"]);
  for (const bad of ["1", "9", "301", "50.5", "50 --inspect", "-20"]) assert.throws(() => webServerNodeArgs({ LEVHUB_WEB_HEAP_GROWING_PERCENT: bad }), /LEVHUB_WEB_HEAP_GROWING_PERCENT/);
});

test("malloc settings for the web server unless the operator chose their own", () => {
  assert.deepEqual(webServerEnv({}), { MALLOC_MMAP_THRESHOLD_: "65536", MALLOC_ARENA_MAX: "2" });
  assert.deepEqual(webServerEnv({ MALLOC_ARENA_MAX: "4" }), { MALLOC_MMAP_THRESHOLD_: "65536", MALLOC_ARENA_MAX: "4" });
});
