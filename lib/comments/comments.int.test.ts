/**
 * Comments against the real database, as an ordinary account would try to misuse them: a private
 * package's comments do not exist for those who may not see it (by package and by comment id, also
 * after a package turns private); only authors edit and delete, admins moderate (audited); the rate
 * limit holds; text that would not store or tries to run script is refused or rendered inert; the
 * HTTP routes answer the same with their token scopes.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RouteServer } from "../testing/route-server.ts";
import type { CommentView, Viewer } from "../types.ts";

let hub: TestHub;
let routes: RouteServer;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;

type Coded = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const refusedWith = (code: string, message?: RegExp) => (e: Coded) => e.code === code && (!message || message.test(e.message ?? ""));

/** Limiters of their own, so tests do not share the process's; the clock moves only when told. */
let now = Date.now();
let deps: import("./comments.ts").CommentDeps;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { createCommentLimiters } = await import("./limits.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  await addTestPackage({ namespace: "alice", name: "tool", exports: [{ qualified: "run" }] });
  await addTestPackage({ namespace: "alice", name: "secret", private: true, exports: [{ qualified: "run" }] });
  deps = { limiters: createCommentLimiters(() => now) };
  const { serveRoutes } = await import("../testing/route-server.ts");
  routes = await serveRoutes();
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

async function commentRows() {
  const { db } = await import("../platform/db.ts");
  return JSON.stringify(await db().comment.findMany({ orderBy: { id: "asc" } }));
}
const later = () => (now += 61 * 60_000);

test("a comment with Markdown and a script attempt: stored as written, rendered inert, listed for everyone who sees the package", async () => {
  const { postComment, listComments, commentCount } = await import("./comments.ts");
  const body = "**works** with `nmap`\n\n<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)>";
  const c = await postComment(bob, { namespace: "alice", name: "tool", body }, deps);
  assert.equal(c.body, body);
  assert.equal(c.author, "bob");
  assert.equal(c.mine, true);
  assert.equal(c.editedAt, null);
  assert.equal(
    c.html,
    "<p><strong>works</strong> with <code>nmap</code></p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt;</p>\n",
  );
  for (const who of [null, alice, bob, root]) {
    const page = await listComments(who, "alice", "tool");
    assert.deepEqual(page.items.map((i) => i.id), [c.id]);
    assert.equal(page.total, 1);
    assert.equal(page.items[0].mine, who?.id === bob.id);
    assert.equal(page.items[0].canModerate, who?.id === root.id);
  }
  const { getPackage } = await import("../catalog/catalog.ts");
  assert.equal(await commentCount(null, (await getPackage(null, "alice", "tool")).id), 1);
});

test("text that would not store or is empty is refused (validation), nothing stored", async () => {
  const { postComment } = await import("./comments.ts");
  const before = await commentRows();
  for (const body of ["a\u0000b", "lone \uD83D surrogate", "   ", "x".repeat(10_001), 7]) {
    await assert.rejects(postComment(bob, { namespace: "alice", name: "tool", body }, deps), (e: Coded) => e.code === "validation" && Boolean(e.fieldErrors?.body), JSON.stringify(body).slice(0, 40));
  }
  assert.equal(await commentRows(), before);
});

test("a private package's comments do not exist for others: by package and by id, the same 404 as nothing there", async () => {
  const { postComment, listComments, editComment, deleteComment, moderateComment } = await import("./comments.ts");
  const own = await postComment(alice, { namespace: "alice", name: "secret", body: "note to self" }, deps);
  const before = await commentRows();
  const hidden = await listComments(bob, "alice", "secret").catch((e: Coded) => e);
  const missing = await listComments(bob, "alice", "nothere").catch((e: Coded) => e);
  assert.equal((hidden as Coded).code, "not_found");
  assert.equal((hidden as Coded).message, "package alice.secret not found");
  assert.equal((missing as Coded).message, "package alice.nothere not found");
  await assert.rejects(listComments(null, "alice", "secret"), refusedWith("not_found"));
  await assert.rejects(postComment(bob, { namespace: "alice", name: "secret", body: "let me in" }, deps), refusedWith("not_found", /^package alice\.secret not found$/));
  // by id: a comment on a package bob may not see reads exactly like a made-up id
  for (const id of [own.id, "no-such-comment"]) {
    const expected = `comment ${id} not found`;
    await assert.rejects(editComment(bob, id, { body: "defaced" }, deps), (e: Coded) => e.code === "not_found" && e.message === expected);
    await assert.rejects(deleteComment(bob, id), (e: Coded) => e.code === "not_found" && e.message === expected);
  }
  assert.equal(await commentRows(), before);
  assert.deepEqual((await listComments(root, "alice", "secret")).items.map((i) => i.body), ["note to self"], "admins see it");
  assert.equal((await moderateComment(root, own.id, { action: "hide" }))?.hidden?.by, "root_1", "and moderate it");
  await moderateComment(root, own.id, { action: "unhide" });
});

test("a package that turns private takes its comments away from those it now hides from, their own comments included", async () => {
  const { postComment, listComments, editComment, deleteComment } = await import("./comments.ts");
  const { setPackageVisibility } = await import("../packages/visibility.ts");
  const mine = await postComment(bob, { namespace: "alice", name: "tool", body: "mine" }, deps);
  await setPackageVisibility(alice, { namespace: "alice", name: "tool", private: true });
  try {
    await assert.rejects(listComments(bob, "alice", "tool"), refusedWith("not_found"));
    await assert.rejects(editComment(bob, mine.id, { body: "still mine?" }, deps), refusedWith("not_found"));
    await assert.rejects(deleteComment(bob, mine.id), refusedWith("not_found"));
    assert.ok((await listComments(alice, "alice", "tool")).items.some((c) => c.id === mine.id), "the owner still sees it");
  } finally {
    await setPackageVisibility(alice, { namespace: "alice", name: "tool", private: false });
  }
  await deleteComment(bob, mine.id);
});

test("only its author edits (marked edited, with the time) and deletes a comment; others are refused, nothing changes", async () => {
  const { postComment, editComment, deleteComment, listComments } = await import("./comments.ts");
  later();
  const c = await postComment(alice, { namespace: "alice", name: "tool", body: "first" }, deps);
  const before = await commentRows();
  await assert.rejects(editComment(bob, c.id, { body: "bob was here" }, deps), refusedWith("forbidden"));
  await assert.rejects(editComment(root, c.id, { body: "admin was here" }, deps), refusedWith("forbidden"), "admins moderate, they do not put words in others' mouths");
  await assert.rejects(deleteComment(bob, c.id), refusedWith("forbidden"));
  await assert.rejects(deleteComment(root, c.id), refusedWith("forbidden", /moderation/));
  await assert.rejects(editComment(alice, c.id, { body: "\u0000" }, deps), refusedWith("validation"));
  assert.equal(await commentRows(), before);
  const t0 = Date.now();
  const edited = await editComment(alice, c.id, { body: "first, *fixed*" }, deps);
  assert.equal(edited.html, "<p>first, <em>fixed</em></p>\n");
  assert.equal(edited.edits, 1);
  assert.ok(edited.editedAt && Date.parse(edited.editedAt) >= t0 - 1000);
  assert.equal(edited.createdAt, c.createdAt);
  await deleteComment(alice, c.id);
  assert.equal((await listComments(alice, "alice", "tool")).items.some((i) => i.id === c.id), false);
});

test("admins hide (its author and admins still see it, others do not; the author cannot edit it), show again and delete; every step audited with the text", async () => {
  const { postComment, editComment, deleteComment, listComments, moderateComment } = await import("./comments.ts");
  const { db } = await import("../platform/db.ts");
  later();
  const c = await postComment(bob, { namespace: "alice", name: "tool", body: "buy cheap pills" }, deps);
  await assert.rejects(moderateComment(alice, c.id, { action: "hide" }), refusedWith("forbidden"), "the package's owner is no moderator");
  await assert.rejects(moderateComment(root, c.id, { action: "erase" }), refusedWith("validation"));

  const hidden = await moderateComment(root, c.id, { action: "hide", reason: "spam" });
  assert.deepEqual({ by: hidden?.hidden?.by, reason: hidden?.hidden?.reason }, { by: "root_1", reason: "spam" });
  const seenBy = async (v: Viewer | null) => (await listComments(v, "alice", "tool")).items.filter((i) => i.id === c.id);
  assert.deepEqual(await seenBy(null), []);
  assert.deepEqual(await seenBy(alice), []);
  assert.equal((await seenBy(bob))[0]?.hidden?.reason, "spam", "its author learns it was hidden, and why");
  assert.equal((await seenBy(root)).length, 1);
  const totalFor = async (v: Viewer | null) => (await listComments(v, "alice", "tool")).total;
  assert.equal((await totalFor(bob)) - (await totalFor(alice)), 1, "counts leave it out too");
  await assert.rejects(editComment(bob, c.id, { body: "totally fine now" }, deps), refusedWith("conflict"));
  await assert.rejects(editComment(alice, c.id, { body: "x" }, deps), refusedWith("not_found"), "to others a hidden comment does not exist");
  await assert.rejects(deleteComment(alice, c.id), refusedWith("not_found"));

  await moderateComment(root, c.id, { action: "unhide" });
  assert.equal((await seenBy(alice)).length, 1);
  assert.equal(await moderateComment(root, c.id, { action: "delete", reason: "spam after all" }), null);
  assert.deepEqual(await seenBy(root), []);
  await assert.rejects(moderateComment(root, c.id, { action: "delete" }), refusedWith("not_found"));

  const events = await db().auditEvent.findMany({ where: { target: c.id }, orderBy: { id: "asc" } });
  assert.deepEqual(
    events.map((e) => [e.action, e.actorId, (e.data as { body: string }).body, (e.data as { reason?: string }).reason ?? null, (e.data as { package: string }).package]),
    [
      ["comment.hide", root.id, "buy cheap pills", "spam", "alice.tool"],
      ["comment.unhide", root.id, "buy cheap pills", null, "alice.tool"],
      ["comment.delete", root.id, "buy cheap pills", "spam after all", "alice.tool"],
    ],
  );
});

test("the rate limit: five writes a minute per user (new and edited alike), then 429 with nothing stored; others unaffected", async () => {
  const { postComment, editComment } = await import("./comments.ts");
  const { COMMENT_RATE } = await import("./limits.ts");
  later();
  const made: CommentView[] = [];
  for (let i = 0; i < COMMENT_RATE.perMinute.limit - 1; i++) made.push(await postComment(bob, { namespace: "alice", name: "tool", body: `note ${i}` }, deps));
  await editComment(bob, made[0].id, { body: "note 0, edited" }, deps);
  const before = await commentRows();
  await assert.rejects(postComment(bob, { namespace: "alice", name: "tool", body: "one too many" }, deps), refusedWith("rate_limited", /try again in 1 minute/));
  await assert.rejects(editComment(bob, made[1].id, { body: "sneaky edit" }, deps), refusedWith("rate_limited"));
  assert.equal(await commentRows(), before);
  await postComment(alice, { namespace: "alice", name: "tool", body: "alice is not limited by bob" }, deps);
  // a refused write is not counted: a post to a package bob may not see does not use up his allowance
  now += 61_000;
  await assert.rejects(postComment(bob, { namespace: "alice", name: "secret", body: "x" }, deps), refusedWith("not_found"));
  for (let i = 0; i < COMMENT_RATE.perMinute.limit; i++) await postComment(bob, { namespace: "alice", name: "tool", body: `again ${i}` }, deps);
});

test("the HTTP API: comments listed for whoever sees the package, written with the publish scope, moderated by admins; 422 for NUL", async () => {
  const { createToken } = await import("../accounts/tokens.ts");
  const { callRoute } = await import("../testing/route-server.ts");
  // the routes use the process's limiters (the tests above used their own): bob has written nothing through them
  const read = (await createToken(bob, { name: "read", scopes: ["read"] })).token;
  const publish = (await createToken(bob, { name: "publish", scopes: ["read", "publish"] })).token;
  const admin = (await createToken(root, { name: "admin", scopes: ["read", "admin"] })).token;
  const call = <T>(token: string, method: string, path: string, body?: unknown) => callRoute<T>(routes.url, token, method, path, body);

  const posted = await call<CommentView>(publish, "POST", "/api/packages/alice/tool/comments", { body: "via the *API*" });
  assert.equal(posted.status, 201);
  assert.equal(posted.json.html, "<p>via the <em>API</em></p>\n");
  assert.equal((await call(read, "POST", "/api/packages/alice/tool/comments", { body: "x" })).status, 403, "writing needs the publish scope");
  assert.equal((await call(publish, "POST", "/api/packages/alice/tool/comments", { body: "a\u0000b" })).status, 422);
  assert.equal((await call(publish, "POST", "/api/packages/alice/tool/comments", { body: "x", html: "<script>" })).status, 422, "unknown fields refused");
  assert.equal((await call(publish, "POST", "/api/packages/alice/secret/comments", { body: "x" })).status, 404);
  assert.equal((await call(read, "GET", "/api/packages/alice/secret/comments")).status, 404);
  const page = await call<{ items: CommentView[]; total: number }>(read, "GET", "/api/packages/alice/tool/comments?page=1");
  assert.equal(page.status, 200);
  assert.ok(page.json.items.some((c) => c.id === posted.json.id));

  assert.equal((await call<CommentView>(publish, "PATCH", `/api/comments/${posted.json.id}`, { body: "edited via the API" })).json.editedAt !== null, true);
  assert.equal((await call(publish, "POST", `/api/comments/${posted.json.id}/moderation`, { action: "hide" })).status, 403, "a user's token: admins only");
  const moderated = await call<{ comment: CommentView }>(admin, "POST", `/api/comments/${posted.json.id}/moderation`, { action: "hide", reason: "test" });
  assert.equal(moderated.json.comment.hidden?.reason, "test");
  assert.equal((await call(publish, "PATCH", `/api/comments/${posted.json.id}`, { body: "x" })).status, 409);
  assert.deepEqual((await call(publish, "DELETE", `/api/comments/${posted.json.id}`)).json, { deleted: posted.json.id });
});
