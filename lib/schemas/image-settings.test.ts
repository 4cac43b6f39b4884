import { test } from "node:test";
import assert from "node:assert/strict";
import {
  formatImageAliases,
  imageAliasesSchema,
  isImageReference,
  isRegistryHost,
  parseImageAliases,
  parsePullRegistries,
  pullRegistriesSchema,
} from "./image-settings.ts";

const DIGEST = `sha256:${"ab".repeat(32)}`;

test("image references: what Docker accepts, and nothing else", () => {
  for (const ok of ["alpine", "alpine:latest", "library/alpine:3.19", "docker.io/library/alpine:latest", "127.0.0.1:5000/tools/nmap:7.93", "localhost:5000/x", "levhub/python:bookworm", `alpine@${DIGEST}`, `a/b:c@${DIGEST}`, "my-registry.example.org/team/tool_x:v1.2-rc.1", "a__b/c"]) {
    assert.equal(isImageReference(ok), true, ok);
  }
  for (const bad of ["", "Alpine:latest", "alpine:", ":latest", "alpine:la test", "-alpine", "alpine/", "a//b", "alpine@sha256:12", "127.0.0.1:99999/x", "127.0.0.1:0/x", "http://x/y", "a b", `x:${"t".repeat(129)}`, "a".repeat(257)]) {
    assert.equal(isImageReference(bad), false, bad);
  }
});

test("registries are host[:port]", () => {
  for (const ok of ["docker.io", "127.0.0.1:5000", "localhost:5000", "registry.example.org", "r-1.example.org:443"]) assert.equal(isRegistryHost(ok), true, ok);
  for (const bad of ["", "http://127.0.0.1:5000", "127.0.0.1:5000/path", "127.0.0.1:", "127.0.0.1:70000", "host:0", "-bad.example", "a b", "user@host"]) assert.equal(isRegistryHost(bad), false, bad);
});

test("the alias field: one 'reference = image' per line, comments and blank lines skipped", () => {
  const text = "# Leviathan's images on a hub without a registry\nalpine:latest = levhub/python:bookworm\r\n\n  python:3.11-alpine=levhub/python:bookworm  \n";
  assert.deepEqual(parseImageAliases(text), { ok: true, value: { "alpine:latest": "levhub/python:bookworm", "python:3.11-alpine": "levhub/python:bookworm" } });
  assert.deepEqual(parseImageAliases(""), { ok: true, value: {} });
  assert.deepEqual(parseImageAliases(`x = ${DIGEST}`), { ok: true, value: { x: DIGEST } }, "an image id may stand in");
});

test("every bad alias line is named, and nothing is returned", () => {
  const r = parseImageAliases(["alpine:latest levhub/python:bookworm", "Alpine = x", "busybox =", "busybox = y", ".alice.tool = x", "a = a", "b = c", "c = d", "e = not an image"].join("\n"));
  assert.equal(r.ok, false);
  assert.deepEqual(!r.ok && r.problems, [
    "line 1: write 'reference = image' (like alpine:latest = levhub/python:bookworm)",
    "line 4: 'busybox' already has an alias on line 3",
    "line 2: 'Alpine' is not an image reference (like alpine:latest)",
    "line 3: 'busybox' needs the image that stands in for it",
    "line 5: '.alice.tool': a package's image cannot be aliased",
    "line 6: 'a' is an alias of itself",
    "line 7: 'c' is itself an alias: point 'b' at what 'c' stands for",
    "line 9: 'not an image' is not an image reference or image id",
  ]);
  const many = Array.from({ length: 101 }, (_, i) => `img${i}:1 = levhub/python:bookworm`).join("\n");
  assert.deepEqual(parseImageAliases(many), { ok: false, problems: ["at most 100 aliases"] });
});

test("the registries field: one host[:port] per line, lower-cased; schemes, paths and duplicates refused", () => {
  assert.deepEqual(parsePullRegistries("127.0.0.1:5000\n\nDocker.IO\n"), { ok: true, value: ["127.0.0.1:5000", "docker.io"] });
  const r = parsePullRegistries("http://127.0.0.1:5000/v2\n127.0.0.1:5000/x\ndocker.io\nDOCKER.io");
  assert.deepEqual(r, {
    ok: false,
    problems: [
      "line 1: write the registry without a scheme ('127.0.0.1:5000')",
      "line 2: '127.0.0.1:5000/x' is not a registry (host or host:port, like 127.0.0.1:5000 or docker.io)",
      "line 4: 'docker.io' is listed twice",
    ],
  });
  assert.equal(parsePullRegistries(Array.from({ length: 21 }, (_, i) => `r${i}.example.org`).join("\n")).ok, false);
});

test("the stored-settings schemas refuse what the form parsers refuse (the API path has no form)", () => {
  assert.equal(imageAliasesSchema.safeParse({ "alpine:latest": "levhub/python:bookworm" }).success, true);
  assert.equal(imageAliasesSchema.safeParse({ "alpine:latest": "" }).success, false);
  assert.equal(imageAliasesSchema.safeParse({ "NOT A REF": "x" }).success, false);
  assert.equal(imageAliasesSchema.safeParse({ a: "b", b: "c" }).success, false);
  assert.equal(pullRegistriesSchema.safeParse(["127.0.0.1:5000", "docker.io"]).success, true);
  assert.equal(pullRegistriesSchema.safeParse(["https://docker.io"]).success, false);
  assert.equal(pullRegistriesSchema.safeParse(["docker.io", "docker.io"]).success, false);
});

test("stored aliases are shown one per line and read back the same", () => {
  const aliases = { "alpine:latest": "levhub/python:bookworm", "busybox:1": "levhub/python:bookworm" };
  assert.deepEqual(parseImageAliases(formatImageAliases(aliases)), { ok: true, value: aliases });
});

test("an image id as Leviathan's guide writes it may be aliased (the runner never pulls an id)", () => {
  const id = "sha256:" + "b".repeat(64);
  assert.deepEqual(parseImageAliases(`86cf12987 = levhub/python:bookworm\n${id} = levhub/python:bookworm`), {
    ok: true,
    value: { "86cf12987": "levhub/python:bookworm", [id]: "levhub/python:bookworm" },
  });
});
