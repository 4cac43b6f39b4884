import { test } from "node:test";
import assert from "node:assert/strict";
import { describeWindow, isInsideWindow, outsideWindowMessage, windowState } from "./project-window.ts";

const at = (s: string) => new Date(s);
const start = at("2026-12-01T09:00:00Z");
const end = at("2026-12-05T18:00:00Z");

test("the window's state at each instant: before, at the start, inside, at the end, after; open ends", () => {
  const both = { windowStart: start, windowEnd: end };
  const table = ["2026-11-30T00:00:00Z", "2026-12-01T09:00:00Z", "2026-12-03T00:00:00Z", "2026-12-05T17:59:59.999Z", "2026-12-05T18:00:00Z", "2027-01-01T00:00:00Z"].map((t) => [
    t,
    windowState(both, at(t)).state,
    windowState({ windowStart: start, windowEnd: null }, at(t)).state,
    windowState({ windowStart: null, windowEnd: end }, at(t)).state,
    windowState({ windowStart: null, windowEnd: null }, at(t)).state,
  ]);
  assert.deepEqual(table, [
    ["2026-11-30T00:00:00Z", "not-yet", "not-yet", "open", "always"],
    ["2026-12-01T09:00:00Z", "open", "open", "open", "always"],
    ["2026-12-03T00:00:00Z", "open", "open", "open", "always"],
    ["2026-12-05T17:59:59.999Z", "open", "open", "open", "always"],
    // the end is exclusive
    ["2026-12-05T18:00:00Z", "closed", "open", "closed", "always"],
    ["2027-01-01T00:00:00Z", "closed", "open", "closed", "always"],
  ]);
  assert.equal(isInsideWindow(both, at("2026-12-03T00:00:00Z")), true);
  assert.equal(isInsideWindow(both, end), false);
  assert.deepEqual(windowState(both, at("2026-12-03T00:00:00Z")), { state: "open", closesAt: end });
});

test("refusals name the project and the window; inside it there is none", () => {
  const p = { slug: "acme", windowStart: start, windowEnd: end };
  assert.equal(outsideWindowMessage(p, at("2026-12-03T00:00:00Z")), null);
  assert.equal(outsideWindowMessage(p, at("2026-12-06T00:00:00Z")), "project acme's authorised window closed at 2026-12-05T18:00:00.000Z (2026-12-01 09:00 UTC – 2026-12-05 18:00 UTC)");
  assert.equal(outsideWindowMessage(p, at("2026-11-01T00:00:00Z")), "project acme's authorised window opens at 2026-12-01T09:00:00.000Z (2026-12-01 09:00 UTC – 2026-12-05 18:00 UTC)");
  assert.equal(describeWindow({ windowStart: start, windowEnd: null }), "from 2026-12-01 09:00 UTC");
  assert.equal(describeWindow({ windowStart: null, windowEnd: end }), "until 2026-12-05 18:00 UTC");
  assert.equal(describeWindow({ windowStart: null, windowEnd: null }), "always");
});
