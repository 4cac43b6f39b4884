import { test } from "node:test";
import assert from "node:assert/strict";
import { safeCallbackUrl } from "./callback-url.ts";

const ORIGIN = "http://127.0.0.1:3000";

test("same-site paths pass unchanged", () => {
  for (const ok of ["/", "/runs", "/runs/abc?x=1#top", "/browse?q=a%20b&tag=scan", "/p/levhub/hello", "/settings/tokens", "/?next=//not-followed"]) {
    assert.equal(safeCallbackUrl(ok, ORIGIN), ok, ok);
  }
});

test("absolute URLs on the hub's own origin become their path", () => {
  assert.equal(safeCallbackUrl(`${ORIGIN}/runs?x=1`, ORIGIN), "/runs?x=1");
  assert.equal(safeCallbackUrl(`${ORIGIN}/`, ORIGIN), "/");
});

test("anything that could leave the hub becomes /", () => {
  const bad = [
    "/\\evil.example",
    "/\\/evil.example",
    "//evil",
    "//evil.example/path",
    "///evil",
    "/%5Cevil",
    "/%5cevil",
    "/%2F%2Fevil",
    "/%2f/evil",
    "/%252F%252Fevil",
    "/%25252F%25252Fevil",
    "http://evil",
    "https://evil.example/",
    "HTTP://evil",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,hi",
    "\t/evil",
    "/\t/evil",
    "/\n/evil",
    "/\r\n/evil",
    "/%09/evil",
    "/%0a/evil",
    " /evil",
    "evil",
    "runs",
    "",
    "\\\\evil",
    "\\/evil",
    // same origin text as a prefix but another host
    `${ORIGIN}.evil.example/x`,
    `${ORIGIN}@evil.example/x`,
    "http://127.0.0.1:3001/runs",
    "/%E0%A4%A", // not decodable
    "/" + "a".repeat(5000),
  ];
  for (const b of bad) assert.equal(safeCallbackUrl(b, ORIGIN), "/", JSON.stringify(b));
  assert.equal(safeCallbackUrl(undefined, ORIGIN), "/");
  assert.equal(safeCallbackUrl(null, ORIGIN), "/");
});

test("a bad origin refuses everything but /", () => {
  assert.equal(safeCallbackUrl("/runs", "not a url"), "/");
});
