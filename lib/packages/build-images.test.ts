import { test } from "node:test";
import assert from "node:assert/strict";
import { buildImageResolver } from "./build-images.ts";

const id = (c: string) => `sha256:${c.repeat(64)}`;
const PY = id("a");
const ALICE = id("b");
const BOB_PUB = id("c");
const BOB_SECRET = id("d");
const resolve = buildImageResolver({
  base: new Map([
    ["levhub/python:bookworm", PY],
    ["alpine", id("e")],
  ]),
  packages: [
    { namespace: "alice", name: "tools", imageId: ALICE },
    { namespace: "bob", name: "public", imageId: BOB_PUB },
  ],
});

test("the resolver: base images by listed name (no tag = latest), visible packages by .ns.name, allowed ids; nothing by levpkg tags", () => {
  const table: [string, string | null][] = [
    ["levhub/python:bookworm", PY],
    ["alpine", id("e")],
    ["alpine:latest", id("e")],
    ["alpine:3", null],
    [".alice.tools", ALICE],
    [".Alice.Tools:v2", ALICE],
    [".bob.public:1.0", BOB_PUB],
    [".bob.secret", null],
    ["levpkg/bob.public:1.0", null],
    ["levpkg/bob.secret:1.0", null],
    [PY, PY],
    [BOB_PUB, BOB_PUB],
    [BOB_SECRET, null],
    ["a".repeat(12), null],
    ["levhub/python@sha256:0000", null],
    ["debian:bookworm", null],
  ];
  for (const [ref, want] of table) assert.equal(resolve(ref), want, ref);
});
