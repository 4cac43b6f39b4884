import assert from "node:assert/strict";
import { test } from "node:test";
import { main, parseAliases, parseParams } from "./main.ts";

test("--param k=v repeats into lists and keeps '=' inside values", () => {
  assert.deepEqual(parseParams(["ip=127.0.0.1", "h=a", "h=b", "q=x=y"]), { ip: "127.0.0.1", h: ["a", "b"], q: "x=y" });
  assert.throws(() => parseParams(["novalue"]), /not k=v/);
});

test("unknown commands exit 2 with usage", async () => {
  assert.equal(await main(["frobnicate"]), 2);
  assert.equal(await main(["exec", "only-one-arg"]), 2);
});

test("--alias REF=IMAGE repeats; anything else is a usage error", () => {
  assert.deepEqual(parseAliases(["alpine:latest=levhub/python:bookworm", "a=b"]), { "alpine:latest": "levhub/python:bookworm", a: "b" });
  for (const bad of ["alpine", "=x", "x=", "a b=c"]) assert.throws(() => parseAliases([bad]), /not REF=IMAGE/, bad);
});

test("lev upload says who can see what it published, and how to make a private package public", async () => {
  const { uploadSummary } = await import("./main.ts");
  assert.equal(uploadSummary({ namespace: "alice", name: "probe", version: "0.1.0", private: true }), "published alice.probe 0.1.0 privately; make it public with --public or on its page");
  assert.equal(uploadSummary({ namespace: "alice", name: "probe", version: "0.1.0", private: false }), "published alice.probe 0.1.0 publicly");
  assert.equal(await main(["upload", "x", "--public", "--private"]), 2);
});
