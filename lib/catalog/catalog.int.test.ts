/**
 * The catalog against the real PostgreSQL: ranking, fuzzy names, facets under a query,
 * visibility (never shown, never counted), newest first, pagination.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";

let hub: TestHub;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  const { addTestPackage } = await import("../testing/catalog.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  const t0 = Date.UTC(2026, 0, 1);
  const at = (min: number) => new Date(t0 + min * 60_000);
  // the name says portscout; another package only mentions it in a docstring
  await addTestPackage({ namespace: "tools", name: "portscout", publishedAt: at(1), exports: [{ qualified: "portscout.sweep", desc: "Sweep ports", doc: "Finds open ports.", tags: ["ports"], attck: ["Discovery"], blackarch: ["scanner"] }] });
  await addTestPackage({ namespace: "tools", name: "reporter", publishedAt: at(2), exports: [{ qualified: "reporter.write", desc: "Write a report", doc: "Summarises what portscout found.", tags: ["report"], attck: ["Collection"], blackarch: ["misc"] }] });
  await addTestPackage({ namespace: "tools", name: "nmap", publishedAt: at(3), exports: [{ qualified: "nmap.alive", desc: "Live hosts", doc: "A ping sweep of a range.", tags: ["ports", "hosts"], attck: ["Discovery", "Reconnaissance"], blackarch: ["scanner", "recon"] }, { qualified: "flow", kind: "workflow", desc: "scan flow" }] });
  // 45 packages that share a word, for pagination; some in each tactic
  for (let i = 0; i < 45; i++) {
    await addTestPackage({ namespace: "bulk", name: `crawler${String(i).padStart(2, "0")}`, publishedAt: at(10 + i), exports: [{ qualified: "crawl.run", desc: "Crawl a site", doc: "Walks every link.", tags: ["web"], attck: [i % 3 ? "Discovery" : "Collection"], blackarch: ["webapp"] }] });
  }
  // bob's private package: its words, tag and tactic exist nowhere else
  await addTestPackage({ namespace: "bob", ownerId: bob.id, name: "hiddenscan", private: true, publishedAt: at(100), exports: [{ qualified: "hiddenscan.go", desc: "Secret sweep of ports", doc: "portscout twin", tags: ["ports", "covert"], attck: ["Exfiltration"], blackarch: ["cracker"] }] });
});
after(async () => {
  await hub?.close();
});

const names = (r: { items: { fullName: string }[] }) => r.items.map((p) => p.fullName);
const count = (facet: { key: string; count: number }[], key: string) => facet.find((f) => f.key === key)?.count ?? 0;

test("a name match ranks above a docstring match, and both are found", async () => {
  const { browse } = await import("./catalog.ts");
  const r = await browse(alice, { q: "portscout" });
  assert.deepEqual(names(r), ["tools.portscout", "tools.reporter"]);
  assert.deepEqual(r.items[1].matches.map((e) => e.qualified), ["reporter.write"], "the matching function is named");
});

test("fuzzy and partial names: nmp finds nmap, a word prefix finds the package, a query with no results says so", async () => {
  const { browse } = await import("./catalog.ts");
  assert.deepEqual(names(await browse(null, { q: "nmp" })), ["tools.nmap"]);
  assert.deepEqual(names(await browse(null, { q: "portscot" })).slice(0, 1), ["tools.portscout"]);
  assert.equal((await browse(null, { q: "crawl" })).total, 45);
  assert.deepEqual(names(await browse(null, { q: "tools.nma" })), ["tools.nmap"]);
  const none = await browse(null, { q: "zzyzx quux" });
  assert.equal(none.total, 0);
  assert.deepEqual(none.items, []);
  assert.deepEqual([none.facets.tactic, none.facets.category, none.facets.tag, none.facets.kind], [[], [], [], []]);
  assert.equal(none.facets.official[0].count, 0);
});

test("facets are counted under the query and the other filters, never under their own", async () => {
  const { browse } = await import("./catalog.ts");
  const sweep = await browse(alice, { q: "sweep" });
  assert.deepEqual(names(sweep).sort(), ["tools.nmap", "tools.portscout"]);
  assert.equal(count(sweep.facets.tactic, "Discovery"), 2);
  assert.equal(count(sweep.facets.tactic, "Reconnaissance"), 1);
  assert.equal(count(sweep.facets.tactic, "Collection"), 0, "the crawlers do not match the query");
  assert.equal(count(sweep.facets.kind, "workflow"), 1);
  const recon = await browse(alice, { q: "sweep", tactic: "Reconnaissance" });
  assert.deepEqual(names(recon), ["tools.nmap"]);
  assert.equal(count(recon.facets.tactic, "Discovery"), 2, "the tactic facet ignores the tactic filter");
  assert.equal(count(recon.facets.category, "scanner"), 1);
  const all = await browse(alice, {});
  assert.equal(count(all.facets.tactic, "Collection"), 16);
  assert.equal(count(all.facets.tag, "web"), 45);
  assert.equal(all.total, 48);
});

test("other users' private packages are never shown nor counted; their owner and admins see them", async () => {
  const { browse, categoryOverview } = await import("./catalog.ts");
  for (const viewer of [null, alice]) {
    const r = await browse(viewer, { q: "sweep" });
    assert.ok(!names(r).includes("bob.hiddenscan"));
    assert.equal(count(r.facets.tag, "covert"), 0);
    assert.equal(count(r.facets.tactic, "Exfiltration"), 0);
    assert.equal((await browse(viewer, { q: "hiddenscan" })).total, 0);
    assert.equal((await browse(viewer, { tag: "covert" })).total, 0);
    const o = await categoryOverview(viewer);
    assert.equal(o.packages, 48);
    assert.equal(o.attck.find((c) => c.key === "Exfiltration")?.count, 0);
  }
  for (const viewer of [bob, root]) {
    const r = await browse(viewer, { q: "sweep" });
    assert.ok(names(r).includes("bob.hiddenscan"));
    assert.equal(count(r.facets.tag, "covert"), 1);
    assert.equal((await categoryOverview(viewer)).packages, 49);
    assert.equal((await categoryOverview(viewer)).attck.find((c) => c.key === "Exfiltration")?.count, 1);
  }
});

test("pagination: totals on every page, pages disjoint, together every match", async () => {
  const { browse } = await import("./catalog.ts");
  const pages = await Promise.all([1, 2, 3, 4].map((page) => browse(null, { q: "crawl", page, pageSize: 20 })));
  assert.deepEqual(pages.map((p) => p.total), [45, 45, 45, 45]);
  assert.deepEqual(pages.map((p) => p.items.length), [20, 20, 5, 0]);
  const seen = pages.flatMap(names);
  assert.equal(new Set(seen).size, 45);
  assert.deepEqual(seen.slice(0, 2), ["bulk.crawler00", "bulk.crawler01"], "equal ranks fall back to the name");
});

test("recently published: newest first, even when more than 100 packages sort before it by name", async () => {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { homeCatalog, recentPackages } = await import("./catalog.ts");
  for (let i = 0; i < 60; i++) await addTestPackage({ namespace: "aaa", name: `early${i}`, publishedAt: new Date(Date.UTC(2025, 0, 1, 0, i)), exports: [{ qualified: "x.y" }] });
  await addTestPackage({ namespace: "zzz", name: "zzznewest", exports: [{ qualified: "x.y" }] });
  const home = await homeCatalog(null);
  assert.equal(home.recent[0].fullName, "zzz.zzznewest");
  assert.deepEqual(home.recent.slice(1, 3).map((p) => p.fullName), ["bulk.crawler44", "bulk.crawler43"]);
  assert.equal(home.recent.length, 6);
  assert.ok(!(await recentPackages(alice, 100)).some((p) => p.fullName === "bob.hiddenscan"));
  assert.equal((await recentPackages(bob, 1))[0].fullName, "zzz.zzznewest");
});

test("a new latest version replaces the search document", async () => {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { browse } = await import("./catalog.ts");
  await addTestPackage({ namespace: "tools", name: "reporter", version: "2.0.0", exports: [{ qualified: "reporter.pdf", desc: "Render a PDF", doc: "Typesets findings.", tags: ["pdf"] }] });
  assert.deepEqual(names(await browse(null, { q: "typesets" })), ["tools.reporter"]);
  assert.deepEqual(names(await browse(null, { q: "portscout" })), ["tools.portscout"], "the old version's docstring is no longer searched");
  const [card] = (await browse(null, { q: "typesets" })).items;
  assert.deepEqual([card.version, card.tags, card.functions], ["2.0.0", ["pdf"], 1]);
});

test("facet counts kept between searches follow every change to what a search counts", async () => {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { browse, categoryOverview } = await import("./catalog.ts");
  const { db } = await import("../platform/db.ts");
  const impact = async (viewer: Viewer | null = null) => {
    const r = await browse(viewer, { tag: "kept" });
    const home = (await categoryOverview(viewer)).attck.find((c) => c.key === "Impact")?.count;
    assert.equal(home, count(r.facets.tactic, "Impact"), "the home page's counts follow too");
    return { total: r.total, impact: count(r.facets.tactic, "Impact"), official: r.facets.official[0].count };
  };
  // asked twice: the second answer comes from the kept counts, and says the same
  assert.deepEqual(await impact(), { total: 0, impact: 0, official: 0 });
  assert.deepEqual(await impact(), { total: 0, impact: 0, official: 0 });
  const id = await addTestPackage({ namespace: "kept", name: "wiper", exports: [{ qualified: "wiper.go", tags: ["kept"], attck: ["Impact"] }] });
  assert.deepEqual(await impact(), { total: 1, impact: 1, official: 0 }, "a publish");
  await db().package.update({ where: { id }, data: { officialAt: new Date() } });
  assert.deepEqual(await impact(), { total: 1, impact: 1, official: 1 }, "an official mark");
  await db().package.update({ where: { id }, data: { private: true } });
  assert.deepEqual(await impact(), { total: 0, impact: 0, official: 0 }, "turned private");
  assert.deepEqual(await impact(alice), { total: 0, impact: 0, official: 0 });
  await db().namespace.update({ where: { name: "kept" }, data: { ownerId: alice.id } });
  assert.deepEqual(await impact(alice), { total: 1, impact: 1, official: 1 }, "its namespace given to alice: hers to see");
  assert.deepEqual(await impact(), { total: 0, impact: 0, official: 0 });
  await db().package.delete({ where: { id } });
  assert.deepEqual(await impact(alice), { total: 0, impact: 0, official: 0 }, "deleted");
});

test("the functions a search names are those whose own words match, from their stored documents", async () => {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { browse } = await import("./catalog.ts");
  const { db } = await import("../platform/db.ts");
  await addTestPackage({
    namespace: "docs",
    name: "multitool",
    exports: [
      { qualified: "multi.alpha", desc: "Quokka census", doc: "Counts marsupials." },
      { qualified: "multi.beta", desc: "Wombat census", tags: ["quokka"] },
      { qualified: "multi.gamma", desc: "Burrow map", doc: "Maps wombat burrows." },
      { qualified: "quokka-tools.delta", desc: "Nothing else" },
    ],
  });
  const matched = async (q: string) => (await browse(null, { q })).items.find((p) => p.fullName === "docs.multitool")?.matches.map((e) => e.qualified);
  assert.deepEqual(await matched("quokka"), ["multi.alpha", "multi.beta", "quokka-tools.delta"], "description, tag and qualified name");
  assert.deepEqual(await matched("wombat burrow"), ["multi.gamma"], "each function alone has all the words");
  // rows are written once at publish; should one change (a migration rewriting facets), its document follows
  await db().export.updateMany({ where: { qualified: "multi.gamma", version: { package: { name: "multitool" } } }, data: { doc: "Maps quokka burrows." } });
  assert.deepEqual(await matched("quokka"), ["multi.alpha", "multi.beta", "multi.gamma", "quokka-tools.delta"]);
  assert.deepEqual(await matched("wombat burrow"), []);
});

test("more matches than are ranked exactly: the best still come first, every match is on one page, the total counts all", async () => {
  const { addTestPackage } = await import("../testing/catalog.ts");
  const { browse } = await import("./catalog.ts");
  const { RANKED_CANDIDATES } = await import("./query.ts");
  const fillers = RANKED_CANDIDATES + 20;
  const pad = (i: number) => String(i).padStart(3, "0");
  // every filler mentions the word once in a docstring, every tenth one twice: a higher rank
  for (let i = 0; i < fillers; i++) {
    await addTestPackage({ namespace: "many", name: `filler${pad(i)}`, exports: [{ qualified: "f.run", doc: i % 10 ? "An okapi grazes." : "An okapi meets an okapi." }] });
  }
  // the name itself, and a name one letter off that no word of any document matches (found by the name index alone)
  await addTestPackage({ namespace: "many", name: "okapi", exports: [{ qualified: "o.run" }] });
  await addTestPackage({ namespace: "many", name: "okapj", exports: [{ qualified: "o.run" }] });
  const names = Array.from({ length: fillers }, (_, i) => `many.filler${pad(i)}`);
  const expected = ["many.okapi", "many.okapj", ...names.filter((_, i) => i % 10 === 0), ...names.filter((_, i) => i % 10 !== 0)];
  const pageSize = 100;
  const pages = [];
  for (let page = 1; page <= Math.ceil(expected.length / pageSize) + 1; page++) pages.push(await browse(null, { q: "okapi", page, pageSize }));
  assert.deepEqual(pages.map((p) => p.total), pages.map(() => expected.length), "the same total on every page, past the ranked ones too");
  assert.deepEqual(pages.flatMap((p) => p.items.map((i) => i.fullName)), expected, "in rank order across the boundary, each once");
  assert.deepEqual(pages.at(-1)?.items, []);
});
