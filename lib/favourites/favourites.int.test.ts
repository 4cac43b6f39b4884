/**
 * Favourites against the real database, as an ordinary account would try to misuse them: a
 * private package, its functions and its author stay invisible through favourites — adding,
 * removing, listing and every count — including a package that turns private after it was made a
 * favourite; the per-user limit holds under concurrent adds; the HTTP routes answer the same.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RouteServer } from "../testing/route-server.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let routes: RouteServer;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let carol: Viewer;

type Coded = { code?: string; message?: string; fieldErrors?: Record<string, string> };
const refusedWith = (code: string, message?: RegExp) => (e: Coded) => e.code === code && (!message || message.test(e.message ?? ""));

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { addTestPackage } = await import("../testing/catalog.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  carol = await signUp({ email: "carol@example.org", username: "carol", password: "longenough" });
  await addTestPackage({ namespace: "alice", name: "scanner", version: "1.0.0", exports: [{ qualified: "scan.ports" }, { qualified: "scan.old" }, { qualified: "sweep", kind: "workflow" }] });
  await addTestPackage({ namespace: "alice", name: "scanner", version: "1.1.0", exports: [{ qualified: "scan.ports", desc: "ports" }, { qualified: "sweep", kind: "workflow" }] });
  await addTestPackage({ namespace: "alice", name: "other", exports: [{ qualified: "x" }] });
  await addTestPackage({ namespace: "carol", name: "hidden", private: true, exports: [{ qualified: "secret.fn" }] });
  const { serveRoutes } = await import("../testing/route-server.ts");
  routes = await serveRoutes();
});
after(async () => {
  await routes?.close();
  await hub?.close();
});

async function favouriteRows() {
  const { db } = await import("../platform/db.ts");
  return JSON.stringify(await db().favourite.findMany({ orderBy: { id: "asc" } }));
}

test("a package, one of its functions and its author become favourites; again is no change; the counts follow", async () => {
  const { addFavourite, listFavourites } = await import("./favourites.ts");
  const { browse, getPackage } = await import("../catalog/catalog.ts");
  assert.deepEqual(await addFavourite(bob, { package: "alice.scanner" }), { favourited: true, count: 1 });
  assert.deepEqual(await addFavourite(bob, { package: "alice.scanner" }), { favourited: true, count: 1 }, "idempotent");
  assert.deepEqual(await addFavourite(root, { package: "alice.scanner" }), { favourited: true, count: 2 });
  assert.deepEqual(await addFavourite(bob, { package: "alice.scanner", function: "scan.ports" }), { favourited: true, count: 1 });
  assert.deepEqual(await addFavourite(bob, { author: "alice" }), { favourited: true, count: 1 });

  const card = (await browse(null, { q: "scanner" })).items.find((p) => p.fullName === "alice.scanner");
  assert.equal(card?.favourites, 2, "the card's count, for anyone");
  assert.equal((await getPackage(bob, "alice", "scanner")).favourited, true);
  assert.equal((await getPackage(alice, "alice", "scanner")).favourited, false);
  assert.equal((await getPackage(null, "alice", "scanner")).favourites, 2);

  const mine = await listFavourites(bob);
  assert.deepEqual(mine.packages.map((p) => [p.package.fullName, p.package.version, p.functions.map((f) => f.qualified)]), [["alice.scanner", "1.1.0", ["scan.ports", "sweep"]]]);
  assert.deepEqual(mine.functions.map((f) => [f.package, f.function, f.version, f.current?.desc]), [["alice.scanner", "scan.ports", "1.1.0", "ports"]]);
  assert.deepEqual(mine.authors.map((a) => a.author), [{ username: "alice", name: null, packages: 2, followers: 1 }]);
});

test("a function only an older version has may be a favourite; it is listed without a current entry (nothing to run)", async () => {
  const { addFavourite, listFavourites, removeFavourite } = await import("./favourites.ts");
  await addFavourite(bob, { package: "alice.scanner", function: "scan.old" });
  const fn = (await listFavourites(bob)).functions.find((f) => f.function === "scan.old");
  assert.equal(fn?.current, null);
  assert.equal(fn?.version, "1.1.0");
  await assert.rejects(addFavourite(bob, { package: "alice.scanner", function: "scan.never" }), refusedWith("not_found", /function scan\.never of alice\.scanner/));
  assert.deepEqual(await removeFavourite(bob, { package: "alice.scanner", function: "scan.old" }), { favourited: false, count: 0 });
});

test("someone else's private package, its functions and its author cannot be made favourites: the same 404 as a missing one, nothing stored", async () => {
  const { addFavourite, removeFavourite } = await import("./favourites.ts");
  const before = await favouriteRows();
  const hidden = await addFavourite(bob, { package: "carol.hidden" }).catch((e: Coded) => e);
  const missing = await addFavourite(bob, { package: "carol.nothere" }).catch((e: Coded) => e);
  assert.equal((hidden as Coded).code, "not_found");
  assert.equal((hidden as Coded).message, "package carol.hidden not found");
  assert.equal((missing as Coded).message, "package carol.nothere not found");
  await assert.rejects(addFavourite(bob, { package: "carol.hidden", function: "secret.fn" }), refusedWith("not_found", /^package carol\.hidden not found$/));
  // carol has only a private package: she is no author to bob, exactly like a user who does not exist
  await assert.rejects(addFavourite(bob, { author: "carol" }), refusedWith("not_found", /^author carol not found$/));
  await assert.rejects(addFavourite(bob, { author: "nobody" }), refusedWith("not_found", /^author nobody not found$/));
  await assert.rejects(removeFavourite(bob, { package: "carol.hidden" }), refusedWith("not_found"));
  await assert.rejects(addFavourite(bob, { package: "carol.hidden/../x" }), refusedWith("validation"));
  await assert.rejects(addFavourite(bob, { author: "bob" }), refusedWith("validation"), "nobody is their own favourite author");
  assert.equal(await favouriteRows(), before);
  // the owner and admins may
  assert.deepEqual(await addFavourite(carol, { package: "carol.hidden" }), { favourited: true, count: 1 });
  assert.deepEqual(await addFavourite(root, { package: "carol.hidden", function: "secret.fn" }), { favourited: true, count: 1 });
  assert.deepEqual(await addFavourite(root, { author: "carol" }), { favourited: true, count: 1 });
});

test("a favourite package that turns private leaves the favourites and the counts of those who may no longer see it, and comes back when public again", async () => {
  const { addFavourite, listFavourites, removeFavourite } = await import("./favourites.ts");
  const { setPackageVisibility } = await import("../packages/visibility.ts");
  const { browse, getPackage } = await import("../catalog/catalog.ts");
  const { getAuthor } = await import("../catalog/authors.ts");
  await addFavourite(alice, { package: "alice.other" });
  await addFavourite(bob, { package: "alice.other" });
  const sinceBefore = (await listFavourites(bob)).packages.find((p) => p.package.fullName === "alice.other")?.since;
  assert.ok(sinceBefore);

  await setPackageVisibility(alice, { namespace: "alice", name: "scanner", private: true });
  await setPackageVisibility(alice, { namespace: "alice", name: "other", private: true });
  const mine = await listFavourites(bob);
  assert.deepEqual(mine.packages, [], "the packages are gone from bob's list");
  assert.deepEqual(mine.functions, [], "and so are their functions");
  assert.deepEqual(mine.authors, [], "alice has no package bob may see: she is no author to him now");
  await assert.rejects(getAuthor(bob, "alice"), refusedWith("not_found"));
  await assert.rejects(removeFavourite(bob, { package: "alice.scanner" }), refusedWith("not_found"), "removing says nothing either");

  // alice (the owner) and root (admin) still count; bob's favourite does not
  assert.equal((await getPackage(alice, "alice", "scanner")).favourites, 1, "root's favourite counts, bob's does not");
  assert.equal((await getPackage(root, "alice", "other")).favourites, 1, "alice's own, not bob's");
  assert.equal((await browse(alice, { q: "other" })).items.find((p) => p.fullName === "alice.other")?.favourites, 1);
  const { functionFavourites } = await import("./favourites.ts");
  const pkgId = (await getPackage(alice, "alice", "scanner")).id;
  assert.deepEqual(await functionFavourites(alice, pkgId), {}, "bob's function favourite is not counted while he may not see it");

  await setPackageVisibility(alice, { namespace: "alice", name: "scanner", private: false });
  await setPackageVisibility(alice, { namespace: "alice", name: "other", private: false });
  const back = await listFavourites(bob);
  assert.deepEqual(back.packages.map((p) => p.package.fullName).sort(), ["alice.other", "alice.scanner"]);
  assert.equal(back.packages.find((p) => p.package.fullName === "alice.other")?.since, sinceBefore, "the same favourite, not a new one");
  assert.equal(back.authors.length, 1);
  assert.deepEqual(await functionFavourites(alice, pkgId), { "scan.ports": { favourited: false, count: 1 } });
});

test("author pages: the viewer's visible packages only; a user with nothing visible is no author, as if missing", async () => {
  const { getAuthor } = await import("../catalog/authors.ts");
  const page = await getAuthor(null, "alice");
  assert.deepEqual(page.packages.map((p) => p.fullName).sort(), ["alice.other", "alice.scanner"]);
  assert.equal(page.author.followers, 1);
  assert.equal(page.favourited, false);
  assert.equal((await getAuthor(bob, "alice")).favourited, true);
  for (const who of [null, bob, alice]) {
    const hidden = await getAuthor(who, "carol").catch((e: Coded) => e.message);
    const missing = await getAuthor(who, "nobody").catch((e: Coded) => e.message);
    assert.equal(hidden, "author carol not found");
    assert.equal(missing, "author nobody not found");
  }
  const own = await getAuthor(carol, "carol");
  assert.deepEqual(own.packages.map((p) => p.fullName), ["carol.hidden"]);
  assert.equal(own.author.packages, 1);
  assert.deepEqual((await getAuthor(root, "carol")).packages.map((p) => p.fullName), ["carol.hidden"]);
  // bob is an author to nobody but himself and admins: he has no packages
  assert.equal((await getAuthor(bob, "bob")).author.packages, 0);
  await assert.rejects(getAuthor(alice, "bob"), refusedWith("not_found"));
});

test("at most FAVOURITE_LIMITS.perUser favourites each, even when added at once", async () => {
  const { addFavourite } = await import("./favourites.ts");
  const { db } = await import("../platform/db.ts");
  const { signUp } = await import("../accounts/users.ts");
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { FAVOURITE_LIMITS } = await import("../schemas/favourites.ts");
  const dave = await signUp({ email: "dave@example.org", username: "dave", password: "longenough" });
  const pkgId = await addTestPackage({ namespace: "alice", name: "many", exports: Array.from({ length: 6 }, (_, i) => ({ qualified: `f${i}` })) });
  // rows written directly up to one below the limit (what hundreds of clicks would leave)
  await db().favourite.createMany({ data: Array.from({ length: FAVOURITE_LIMITS.perUser - 1 }, (_, i) => ({ userId: dave.id, packageId: pkgId, function: `filler${i}` })) });
  const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => addFavourite(dave, { package: "alice.many", function: `f${i}` })));
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1, "one of five concurrent adds fits");
  for (const r of results) if (r.status === "rejected") assert.equal((r.reason as Coded).code, "conflict");
  assert.equal(await db().favourite.count({ where: { userId: dave.id } }), FAVOURITE_LIMITS.perUser);
  // an existing favourite is still "added" (no change) at the limit
  const kept = results.findIndex((r) => r.status === "fulfilled");
  assert.deepEqual(await addFavourite(dave, { package: "alice.many", function: `f${kept}` }), { favourited: true, count: 1 });
});

test("the HTTP API: GET/POST/DELETE /api/favourites with the token scopes, 404 for a private package, 422 for a bad target; counts in GET /api/packages", async () => {
  const { createToken } = await import("../accounts/tokens.ts");
  const { callRoute } = await import("../testing/route-server.ts");
  const read = (await createToken(bob, { name: "read", scopes: ["read"] })).token;
  const run = (await createToken(bob, { name: "run", scopes: ["read", "run"] })).token;
  const call = <T>(token: string, method: string, path: string, body?: unknown) => callRoute<T>(routes.url, token, method, path, body);

  const listed = await call<{ packages: { package: { fullName: string; favourites: number } }[]; functions: unknown[]; authors: unknown[] }>(read, "GET", "/api/favourites");
  assert.equal(listed.status, 200);
  assert.deepEqual(listed.json.packages.map((p) => p.package.fullName).sort(), ["alice.other", "alice.scanner"]);

  const refused = await call<{ error: { code: string; message: string } }>(read, "POST", "/api/favourites", { package: "alice.other" });
  assert.equal(refused.status, 403, "changing favourites needs the run scope");
  assert.match(refused.json.error.message, /lacks the 'run' scope/);

  assert.deepEqual((await call(run, "DELETE", "/api/favourites?package=alice.other")).json, { favourited: false, count: 1 });
  assert.deepEqual(await call(run, "POST", "/api/favourites", { package: "alice.other" }), { status: 201, json: { favourited: true, count: 2 } });
  assert.equal((await call(run, "POST", "/api/favourites", { package: "carol.hidden" })).status, 404);
  assert.equal((await call(run, "DELETE", "/api/favourites?author=carol")).status, 404);
  const bad = await call<{ error: { code: string } }>(run, "POST", "/api/favourites", { package: "alice.other", author: "alice" });
  assert.equal(bad.status, 422);

  const browse = await call<{ items: { fullName: string; favourites: number }[] }>(read, "GET", "/api/packages?q=other");
  assert.equal(browse.json.items.find((p) => p.fullName === "alice.other")?.favourites, 2);
  const detail = await call<{ favourites: number; favourited: boolean }>(read, "GET", "/api/packages/alice/other");
  assert.deepEqual([detail.json.favourites, detail.json.favourited], [2, true]);
  const author = await call<{ author: { followers: number }; favourited: boolean }>(read, "GET", "/api/authors/alice");
  assert.deepEqual([author.json.author.followers, author.json.favourited], [1, true]);
  assert.equal((await call(read, "GET", "/api/authors/carol")).status, 404);
});
