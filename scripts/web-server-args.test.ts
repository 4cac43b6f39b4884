import { test } from "node:test";
import assert from "node:assert/strict";
import { WEB_SERVER_SEMI_SPACE_MB, webServerEnv, webServerNodeArgs } from "./web-server-args.ts";

test("the web server's young generation is capped; an operator may choose another whole size, nothing else", () => {
  assert.deepEqual(webServerNodeArgs({}), [`--max-semi-space-size=${WEB_SERVER_SEMI_SPACE_MB}`]);
  assert.deepEqual(webServerNodeArgs({ LEVHUB_WEB_SEMI_SPACE_MB: " 32 " }), ["--max-semi-space-size=32"]);
  for (const bad of ["0", "257", "8.5", "16 --inspect", "x"]) assert.throws(() => webServerNodeArgs({ LEVHUB_WEB_SEMI_SPACE_MB: bad }), /LEVHUB_WEB_SEMI_SPACE_MB/);
});

test("malloc settings for the web server unless the operator chose their own", () => {
  assert.deepEqual(webServerEnv({}), { MALLOC_MMAP_THRESHOLD_: "65536", MALLOC_ARENA_MAX: "2" });
  assert.deepEqual(webServerEnv({ MALLOC_ARENA_MAX: "4" }), { MALLOC_MMAP_THRESHOLD_: "65536", MALLOC_ARENA_MAX: "4" });
});
