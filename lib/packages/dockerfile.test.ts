import { test } from "node:test";
import assert from "node:assert/strict";
import { buildImageResolver, checkDockerfile } from "./dockerfile.ts";

const resolve = buildImageResolver(
  ["levhub/python:bookworm", "alpine"],
  [
    { namespace: "alice", name: "tools", imageId: "sha256:alice" },
    { namespace: "bob", name: "public", imageId: "sha256:bobpub" },
  ],
);

test("the resolver: base images by name (no tag = latest), visible packages by .ns.name or levpkg name", () => {
  assert.equal(resolve("levhub/python:bookworm"), "levhub/python:bookworm");
  assert.equal(resolve("alpine"), "alpine");
  assert.equal(resolve("alpine:latest"), "alpine:latest");
  assert.equal(resolve("alpine:3"), null);
  assert.equal(resolve(".alice.tools"), "sha256:alice");
  assert.equal(resolve(".Alice.Tools:v2"), "sha256:alice");
  assert.equal(resolve("levpkg/bob.public:1.0"), "sha256:bobpub");
  assert.equal(resolve(".bob.secret"), null);
  assert.equal(resolve("levpkg/bob.secret:1.0"), null);
  assert.equal(resolve("levhub/python@sha256:0000"), null);
  assert.equal(resolve("debian:bookworm"), null);
});

test("an allowed FROM is kept; a package's image is replaced by its id, line numbers unchanged", () => {
  const r = checkDockerfile("FROM levhub/python:bookworm\nRUN echo hi\n", resolve);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text, "FROM levhub/python:bookworm\nRUN echo hi\n");
  const p = checkDockerfile("# syntax comment\nfrom .bob.public:v1 as base\nRUN true\n", resolve);
  assert.deepEqual(p.problems, []);
  assert.equal(p.text, "# syntax comment\nFROM sha256:bobpub AS base\nRUN true\n");
});

test("a private or unknown image reads the same: not available", () => {
  const a = checkDockerfile("FROM .bob.secret\n", resolve);
  const b = checkDockerfile("FROM .nobody.nothing\n", resolve);
  assert.deepEqual(a.problems, ["FROM .bob.secret: image '.bob.secret' is not available"]);
  assert.deepEqual(b.problems, ["FROM .nobody.nothing: image '.nobody.nothing' is not available"]);
  assert.deepEqual(checkDockerfile("FROM levpkg/bob.secret:1.0\n", resolve).problems, ["FROM levpkg/bob.secret:1.0: image 'levpkg/bob.secret:1.0' is not available"]);
});

test("multi-stage: earlier stage names (any case) and indexes are allowed, later ones are not", () => {
  const ok = checkDockerfile("FROM alpine AS Build\nRUN true\nFROM build\nCOPY --from=BUILD /a /b\nCOPY --from=0 /a /c\n", resolve);
  assert.deepEqual(ok.problems, []);
  const later = checkDockerfile("FROM alpine\nCOPY --from=1 /a /b\nFROM alpine AS x\n", resolve);
  assert.deepEqual(later.problems, ["COPY --from=1: image '1' is not available"]);
  const forward = checkDockerfile("FROM later\nFROM alpine AS later\n", resolve);
  assert.deepEqual(forward.problems, ["FROM later: image 'later' is not available"]);
});

test("COPY --from an image is checked and resolved like FROM", () => {
  const r = checkDockerfile("FROM alpine\nCOPY --from=.alice.tools /x /y\nCOPY --from=levpkg/bob.secret:1 /s /s\n", resolve);
  assert.deepEqual(r.problems, ["COPY --from=levpkg/bob.secret:1: image 'levpkg/bob.secret:1' is not available"]);
  const ok = checkDockerfile("FROM alpine\nCOPY --chown=1:1 --from=.alice.tools /x /y\n", resolve);
  assert.deepEqual(ok.problems, []);
  assert.equal(ok.text.split("\n")[1], "COPY --chown=1:1 --from=sha256:alice /x /y");
  assert.deepEqual(checkDockerfile("FROM alpine\nCOPY --from=$X /a /b\n", resolve).problems, ["COPY --from=$X: variables are not allowed in --from"]);
});

test("--platform is allowed, other FROM flags and malformed FROM lines are refused", () => {
  const r = checkDockerfile("FROM --platform=linux/amd64 alpine AS a\n", resolve);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text, "FROM --platform=linux/amd64 alpine AS a\n");
  assert.match(checkDockerfile("FROM --foo=1 alpine\n", resolve).problems[0], /only the --platform flag/);
  assert.match(checkDockerfile("FROM alpine extra\n", resolve).problems[0], /expected FROM/);
  assert.deepEqual(checkDockerfile("RUN true\n", resolve).problems, ["the Dockerfile has no FROM line"]);
});

test("ARG substitution in FROM: defaults resolve, a missing value is refused, stage ARGs do not apply", () => {
  const r = checkDockerfile('ARG BASE="levhub/python"\nARG TAG=bookworm\nFROM ${BASE}:$TAG\n', resolve);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text.split("\n")[2], "FROM levhub/python:bookworm");
  assert.deepEqual(checkDockerfile("ARG IMG\nFROM $IMG\n", resolve).problems, [
    "FROM $IMG: ARG IMG has no default value (build arguments are not passed to uploads' builds)",
  ]);
  assert.deepEqual(checkDockerfile("FROM ${NOPE:-alpine}\n", resolve).problems, []);
  assert.match(checkDockerfile("FROM alpine\nARG X=alpine\nFROM $X\n", resolve).problems[0], /ARG X has no default/);
  // an ARG default that names a private image is still checked
  assert.match(checkDockerfile("ARG I=.bob.secret\nFROM $I\n", resolve).problems[0], /image '.bob.secret' is not available/);
});

test("line continuations and the escape directive are followed; the rewritten text keeps its line count", () => {
  const text = "FROM \\\n  .alice.tools \\\n  AS t\nRUN a \\\n  b\n";
  const r = checkDockerfile(text, resolve);
  assert.deepEqual(r.problems, []);
  assert.equal(r.text.split("\n").length, text.split("\n").length);
  assert.equal(r.text.split("\n")[0], "FROM sha256:alice AS t");
  const bt = checkDockerfile("# escape=`\nFROM `\n .bob.secret\n", resolve);
  assert.deepEqual(bt.problems, ["FROM .bob.secret: image '.bob.secret' is not available"]);
});

test("RUN --mount from another image is refused", () => {
  assert.match(checkDockerfile("FROM alpine\nRUN --mount=type=bind,from=.bob.secret,target=/s cat /s/x\n", resolve).problems[0], /mounting other images/);
});

test("ONBUILD triggers that read other images are refused (they would run in someone else's later build)", () => {
  assert.match(checkDockerfile("FROM alpine\nONBUILD COPY --from=levpkg/carol.secret:1 / /loot\n", resolve).problems[0], /ONBUILD .*not allowed/);
  assert.match(checkDockerfile("FROM alpine\nonbuild RUN --mount=type=bind,from=x,target=/x true\n", resolve).problems[0], /ONBUILD .*not allowed/);
  assert.deepEqual(checkDockerfile("FROM alpine\nONBUILD RUN echo hi\n", resolve).problems, []);
});

test("ADD of a URL is refused: the engine would download it from the host, whatever the build network", () => {
  for (const line of [
    "ADD http://127.0.0.1:5432/x /x",
    "ADD --chown=1:1 https://example.org/a.tgz /a",
    'ADD ["http://169.254.169.254/latest/meta-data", "/m"]',
    "ADD git@github.com:a/b.git /b",
    "add local.txt HTTPS://x/y /d",
  ]) {
    assert.match(checkDockerfile(`FROM alpine\n${line}\n`, resolve).problems[0] ?? "", /downloads are not allowed/, line);
  }
  assert.deepEqual(checkDockerfile("FROM alpine\nADD files.tar.gz /opt/\nADD --chown=1:1 a b /c/\n", resolve).problems, []);
});
