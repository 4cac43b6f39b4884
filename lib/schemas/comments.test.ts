/** What a comment's text may be: refused inputs name the field, and nothing unstorable passes. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { COMMENT_LIMITS, commentWriteSchema, moderationSchema } from "./comments.ts";
import { favouriteTargetSchema } from "./favourites.ts";

const refused = (body: unknown) => {
  const r = commentWriteSchema.safeParse({ body });
  return r.success ? null : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

test("a comment's body: NUL, lone surrogates, blank and over-long text refused; line ends as \\n", () => {
  assert.deepEqual(refused("a\u0000b"), ["body: the comment holds a NUL character"]);
  assert.deepEqual(refused("a\uD800b"), ["body: the comment holds a lone UTF-16 surrogate (not a character)"]);
  assert.deepEqual(refused("a\uDC00"), ["body: the comment holds a lone UTF-16 surrogate (not a character)"]);
  assert.deepEqual(refused(" \n\t "), ["body: write something first"]);
  assert.deepEqual(refused(""), ["body: write something first"]);
  assert.deepEqual(refused("x".repeat(COMMENT_LIMITS.bodyChars + 1)), ["body: at most 10,000 characters"]);
  assert.deepEqual(refused(42), ["body: Invalid input: expected string, received number"]);
  assert.equal(refused("x".repeat(COMMENT_LIMITS.bodyChars)), null);
  assert.equal(commentWriteSchema.parse({ body: "a 😀 pair is fine\r\nb\rc" }).body, "a 😀 pair is fine\nb\nc");
  assert.equal(commentWriteSchema.safeParse({ body: "x", extra: 1 }).success, false, "unknown fields are refused");
});

test("moderation: a closed set of actions, the reason checked like a body", () => {
  assert.deepEqual(moderationSchema.parse({ action: "hide", reason: "spam" }), { action: "hide", reason: "spam" });
  assert.equal(moderationSchema.safeParse({ action: "edit" }).success, false);
  assert.equal(moderationSchema.safeParse({ action: "hide", reason: "\u0000" }).success, false);
  assert.equal(moderationSchema.safeParse({ action: "hide", reason: "r".repeat(COMMENT_LIMITS.reasonChars + 1) }).success, false);
});

test("a favourite's target: a package, a package's function, or an author; nothing else", () => {
  assert.deepEqual(favouriteTargetSchema.parse({ package: "levhub.hello" }), { package: "levhub.hello" });
  assert.deepEqual(favouriteTargetSchema.parse({ package: "szczecin.nmap_python", function: "nmap.alive" }), { package: "szczecin.nmap_python", function: "nmap.alive" });
  assert.deepEqual(favouriteTargetSchema.parse({ author: "alice" }), { author: "alice" });
  for (const bad of [{}, { package: "nodot" }, { package: "a.b.c" }, { package: "../x.y" }, { package: "a.b", function: "x;y" }, { package: "a.b", function: "" }, { author: "a b" }, { author: "x", package: "a.b" }, { package: "a.b", extra: 1 }]) {
    assert.equal(favouriteTargetSchema.safeParse(bad).success, false, JSON.stringify(bad));
  }
});
