import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { MongoResultStore } from "../../runner/src/index.ts";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { Viewer } from "../types.ts";
import type { QueryNode } from "./query-ast.ts";
import type { SeededPackage } from "./testing.ts";

let hub: TestHub;
let mongo: MongoResultStore;
let root: Viewer;
let alice: Viewer;
let bob: Viewer;
let pkg: SeededPackage;

const meta = (run: { id: string; number: number }, task: number, owner = "alice") => ({ owner, run: run.id, job: run.number, task, package: pkg.fullName, at: new Date() });

before(async () => {
  hub = await startTestHub();
  const { signUpTestUsers } = await import("../testing/accounts.ts");
  ({ root, alice, bob } = await signUpTestUsers());
  const { seedPackage } = await import("./testing.ts");
  pkg = await seedPackage(null);
  mongo = await MongoResultStore.connect(hub.mongoUri);
});

after(async () => {
  await mongo?.close();
  const { closeResultsPool } = await import("./pg.ts");
  await closeResultsPool();
  await hub?.close();
});

async function indexing(opts = {}) {
  const { IndexingResultStore } = await import("./indexing-store.ts");
  return new IndexingResultStore(mongo, { log: () => undefined, ...opts });
}

async function newRun(owner: Viewer, fn = "scan.ports") {
  const { seedRun } = await import("./testing.ts");
  return seedRun(owner.id, pkg, fn);
}

test("the indexing store writes MongoDB and the index: put replaces, merge merges, counts follow", async () => {
  const store = await indexing();
  const { listDocuments, listCollections } = await import("./documents.ts");
  const run = await newRun(alice);
  const coll = "it|write@1";
  await store.put(coll, run.number, 1, { state: "open", port: 22 }, meta(run, 1));
  await store.put(coll, run.number, 1, { state: "closed", port: 22 }, meta(run, 1));
  await store.merge(coll, run.number, 0, { a: 1 }, meta(run, 0));
  await store.merge(coll, run.number, 0, { b: { c: 2 } }, meta(run, 0));
  assert.deepEqual(await mongo.findOne(coll, run.number, 1, null, null), { state: "closed", port: 22 });
  assert.deepEqual(await mongo.findOne(coll, run.number, 0, null, null), { a: 1, b: { c: 2 } });
  const page = await listDocuments(alice, { coll });
  assert.deepEqual(
    page.items.map((d) => [d.task, d.doc, d.runId, d.function]),
    [
      [1, { state: "closed", port: 22 }, run.id, "scan.ports"],
      [0, { a: 1, b: { c: 2 } }, run.id, "scan.ports"],
    ],
  );
  const counted = (await listCollections(alice)).find((c) => c.coll === coll);
  assert.equal(counted?.documents, 2, "a replaced or merged document counts once");
  assert.equal(counted?.bytes, page.items.reduce((n, d) => n + d.bytes, 0));
});

test("a failed index write keeps the MongoDB document and the run's index is rebuilt from MongoDB", async () => {
  const logs: string[] = [];
  const store = await indexing({
    write: async () => {
      throw new Error("index down");
    },
    repairDelayMs: 20,
    log: (msg: string) => logs.push(msg),
  });
  const { listDocuments } = await import("./documents.ts");
  const run = await newRun(alice);
  const coll = "it|repair@1";
  await store.put(coll, run.number, 1, { host: "127.0.0.1" }, meta(run, 1));
  await store.put(coll, run.number, 2, { host: "127.0.0.2" }, meta(run, 2));
  assert.deepEqual(await mongo.findOne(coll, run.number, 2, null, null), { host: "127.0.0.2" }, "MongoDB has it whatever the index did");
  // the run row must name the collection for the repair to find it, as the runner records it
  const { db } = await import("../platform/db.ts");
  await db().run.update({ where: { id: run.id }, data: { collections: [coll] } });
  await store.idle();
  assert.ok(logs.some((m) => /index write failed/.test(m)), "the failure is logged");
  assert.ok(logs.some((m) => /rebuilt/.test(m)), "and repaired");
  assert.deepEqual((await listDocuments(alice, { coll })).items.map((d) => d.doc), [{ host: "127.0.0.1" }, { host: "127.0.0.2" }]);
});

test("viewers read their own runs' documents only; admins all; no query widens that", async () => {
  const store = await indexing();
  const { listDocuments, listCollections, getDocument, runDocumentsPage } = await import("./documents.ts");
  const { exportDocuments } = await import("./export.ts");
  const { topValues, countsPerRun } = await import("./chart.ts");
  const coll = "it|access@1";
  const aliceRun = await newRun(alice);
  const bobRun = await newRun(bob);
  await store.put(coll, aliceRun.number, 1, { secret: "alice", n: 1 }, meta(aliceRun, 1));
  await store.put(coll, bobRun.number, 1, { secret: "bob", n: 1 }, meta(bobRun, 1, "bob"));
  const secrets = async (v: Viewer, q?: string, extra = {}) => (await listDocuments(v, { coll, q, ...extra })).items.map((d) => (d.doc as { secret: string }).secret).sort();
  assert.deepEqual(await secrets(alice), ["alice"]);
  assert.deepEqual(await secrets(bob), ["bob"]);
  assert.deepEqual(await secrets(root), ["alice", "bob"]);
  for (const q of ['secret = "alice" or secret = "bob"', "n = 1 or not n = 1", '{"$or": [{"secret": "alice"}, {"secret": {"$ne": "alice"}}]}', "not secret exists or secret exists"]) {
    assert.deepEqual(await secrets(bob, q), ["bob"], q);
  }
  assert.deepEqual(await secrets(bob, undefined, { run: aliceRun.id }), [], "naming alice's run shows bob nothing");
  // a run named by its number (`12`, `#12`: what pages show) reads as by its id, within the same scope
  assert.deepEqual(await secrets(alice, undefined, { run: `#${aliceRun.number}` }), ["alice"]);
  assert.deepEqual(await secrets(root, undefined, { run: String(bobRun.number) }), ["bob"]);
  assert.deepEqual(await secrets(bob, undefined, { run: `#${aliceRun.number}` }), [], "naming alice's run by number shows bob nothing");
  assert.deepEqual(await secrets(alice, undefined, { run: "#" }), [], "what names no run matches nothing");
  await assert.rejects(runDocumentsPage(bob, `#${aliceRun.number}`), { code: "not_found" });
  assert.equal((await runDocumentsPage(alice, String(aliceRun.number))).items.length, 1);
  assert.ok(!(await listCollections(bob)).some((c) => c.coll === coll && c.documents > 1));
  const aliceDoc = (await listDocuments(alice, { coll })).items[0];
  await assert.rejects(getDocument(bob, aliceDoc.id), { code: "not_found" });
  assert.equal((await getDocument(root, aliceDoc.id)).id, aliceDoc.id);
  await assert.rejects(runDocumentsPage(bob, aliceRun.id), { code: "not_found" });
  assert.equal((await runDocumentsPage(alice, aliceRun.id)).items.length, 1);
  assert.deepEqual(await topValues(bob, { coll }, "secret"), [{ value: '"bob"', count: 1 }]);
  assert.deepEqual((await countsPerRun(bob, { coll })).map((r) => r.runId), [bobRun.id]);
  const { stream } = await exportDocuments(bob, { coll, q: "secret exists" }, "ndjson");
  const lines = (await new Response(stream).text()).trim().split("\n");
  assert.deepEqual(lines.map((l) => JSON.parse(l).doc.secret), ["bob"]);
});

test("field queries on real documents: MongoDB's array semantics, every operator, hints never drop a match", async () => {
  const store = await indexing();
  const { listDocuments } = await import("./documents.ts");
  const run = await newRun(alice);
  const coll = "it|query@1";
  const docs = [
    { hosts: [{ address: "127.0.0.1", ports: [{ port: 22, state: "open", service: "ssh" }, { port: 8080, state: "open", service: "http-proxy" }] }] },
    { hosts: [{ address: "127.0.0.2", ports: [{ port: 80, state: "closed", service: "HTTP" }] }], tags: ["web", "prod"] },
    { hosts: { address: "10.0.0.1", ports: { port: 443, state: "filtered" } }, ttl: 64 },
    { note: "no hosts", ttl: 128, flag: true, nothing: null },
  ];
  for (const [i, d] of docs.entries()) await store.put(coll, run.number, i + 1, d, meta(run, i + 1));
  const tasks = async (q: string) => (await listDocuments(alice, { coll, q })).items.map((d) => d.task);
  const cases: Array<[string, number[]]> = [
    ["hosts.ports.port = 8080", [1]],
    ["hosts[].ports[].port = 8080", [1]],
    ['hosts.address = "127.0.0.2"', [2]],
    ["hosts.ports.port = 443", [3]],
    ['hosts.ports.state = "open" and hosts.ports.port = 22', [1]],
    ["hosts.ports.port > 100", [1, 3]],
    ["hosts.ports.port <= 80", [1, 2]],
    ["ttl >= 64 and ttl < 128", [3]],
    ["hosts.ports.service ~ http", [1, 2]],
    ["hosts.ports.service ~ HTTP-PROXY", [1]],
    ["tags = web", [2]],
    ["tags != web", [1, 3, 4]],
    ["hosts exists", [1, 2, 3]],
    ["not hosts exists", [4]],
    ["flag = true", [4]],
    ["nothing = null", [4]],
    ['ttl = "64"', []],
    ['{"hosts.ports.port": {"$in": [22, 443]}}', [1, 3]],
    ['{"hosts.ports.port": {"$nin": [22, 443]}}', [2, 4]],
    ['{"hosts.ports.service": {"$regex": "^http"}}', [1]],
    ['{"hosts.ports.service": {"$regex": "^http", "$options": "i"}}', [1, 2]],
    ['{"$or": [{"ttl": 64}, {"tags": "prod"}]}', [2, 3]],
    ['{"ttl": {"$not": {"$gt": 100}}}', [1, 2, 3]],
    ['{"note": {"$exists": false}, "hosts.address": {"$ne": "127.0.0.1"}}', [2, 3]],
  ];
  for (const [q, want] of cases) assert.deepEqual(await tasks(q), want, q);
  await assert.rejects(tasks('{"note": {"$regex": "^(a"}}'), { code: "validation" });
  await assert.rejects(tasks("{\"$where\": \"1\"}"), { code: "validation" });

  // the containment hints are redundant: without them every equality query finds the same rows
  const { parseFieldQuery } = await import("./query.ts");
  const { conditionSql, SqlParams } = await import("./query-sql.ts");
  const { resultsQuery } = await import("./pg.ts");
  for (const [q] of cases.filter(([q]) => /=/.test(q) && !q.startsWith("{"))) {
    const p = new SqlParams(1);
    const sql = conditionSql(parseFieldQuery(q), p, `d."doc"`);
    const rows = await resultsQuery<{ task: number }>(`SELECT d."task" FROM "ResultDocument" d WHERE d."coll" = $1 AND ${sql} ORDER BY d."id"`, [coll, ...p.values]);
    assert.deepEqual(rows.map((r) => r.task), await tasks(q), `hint-free ${q}`);
  }
});

/**
 * The query with a condition no item fails added to every group: a substring, which a jsonpath
 * cannot hold, so each group compiles to the EXISTS over its items (`query-jsonpath.ts`).
 */
function viaItems(n: QueryNode): QueryNode {
  const always: QueryNode = { op: "not", item: { op: "cmp", path: [{ key: "never_a_field", each: false }], cmp: "contains", value: "x" } };
  if (n.op === "and" || n.op === "or") return { ...n, items: n.items.map(viaItems) };
  if (n.op === "not") return { ...n, item: viaItems(n.item) };
  if (n.op === "elem") return { ...n, item: { op: "and", items: [viaItems(n.item), always] } };
  return n;
}

test("lists read as MongoDB reads them: every case of the table, both forms, both compilations of a group, with and without hints", async () => {
  const { indexDocument } = await import("./index-writer.ts");
  const { listDocuments } = await import("./documents.ts");
  const { DATASETS, QUERY_CASES } = await import("./query-cases.ts");
  const { parseFieldQuery } = await import("./query.ts");
  const { conditionSql, SqlParams } = await import("./query-sql.ts");
  const { resultsQuery } = await import("./pg.ts");
  const run = await newRun(alice);
  const coll = (dataset: string) => `it|cases-${dataset}@1`;
  for (const [dataset, docs] of Object.entries(DATASETS)) {
    for (const [i, doc] of Object.values(docs).entries()) await indexDocument("put", coll(dataset), run.number, i + 1, doc, { run: run.id, at: new Date() });
  }
  const labels = (dataset: keyof typeof DATASETS, tasks: number[]) => tasks.map((t) => Object.keys(DATASETS[dataset])[t - 1]);
  for (const c of QUERY_CASES) {
    for (const q of [c.text, c.json].filter((x): x is string => !!x)) {
      const found = (await listDocuments(alice, { coll: coll(c.dataset), q })).items.map((d) => d.task);
      assert.deepEqual(labels(c.dataset, found), c.matches, `${c.what}: ${q}`);
      // the containment hints only narrow: without them the condition finds the same documents,
      // and groups read as EXISTS over their items find what their single jsonpath finds
      for (const [how, node] of [
        ["hint-free", parseFieldQuery(q)],
        ["item by item", viaItems(parseFieldQuery(q))],
      ] as const) {
        const p = new SqlParams(1);
        const sql = conditionSql(node, p, `d."doc"`);
        const rows = await resultsQuery<{ task: number }>(`SELECT d."task" FROM "ResultDocument" d WHERE d."coll" = $1 AND ${sql} ORDER BY d."id"`, [coll(c.dataset), ...p.values]);
        assert.deepEqual(labels(c.dataset, rows.map((r) => r.task)), c.matches, `${how} ${c.what}: ${q}`);
      }
    }
  }
});

test("a chart of a list's field under an element group counts the items the group accepts", async () => {
  const { indexDocument } = await import("./index-writer.ts");
  const { topValues } = await import("./chart.ts");
  const run = await newRun(alice);
  const coll = "it|chart-groups@1";
  const docs = [
    { hosts: [{ ip: "a", ports: [{ port: 22, state: "closed" }, { port: 3000, state: "open" }] }, { ip: "b", ports: [{ port: 80, state: "open" }] }], tags: [1, 5, 9] },
    { hosts: [{ ip: "c", ports: [{ port: 22, state: "open" }, { port: 443, state: "filtered" }] }], tags: [5] },
    { hosts: { ip: "d", ports: { port: 8, state: "open" } }, tags: 5 },
  ];
  for (const [i, doc] of docs.entries()) await indexDocument("put", coll, run.number, i + 1, doc, { run: run.id, at: new Date() });
  const top = async (field: string, q?: string) => (await topValues(alice, { coll, q }, field)).map((v) => `${v.value}:${v.count}`).sort();
  // without a group every port of every matching document counts, the closed ones too
  assert.deepEqual(await top("hosts.ports.port", "hosts.ports.state = open"), ["22:2", "3000:1", "443:1", "80:1", "8:1"]);
  assert.deepEqual(await top("hosts[].ports[].port", "hosts[].ports[] {state = open}"), ["22:1", "3000:1", "80:1"], "only the open ports; no list under d");
  assert.deepEqual(await top("hosts.ports.port", "hosts[].ports[] {state = open}"), ["22:1", "3000:1", "80:1"], "the same list without marks");
  assert.deepEqual(await top("hosts[].ports[].state", "hosts[].ports[] {port = 22}"), ['"closed":1', '"open":1'], "port 22's states");
  assert.deepEqual(await top("hosts.ip", "hosts[].ports[] {state = open}"), ['"a":1', '"b":1', '"c":1'], "a field beside the list, not in it: unbounded");
  assert.deepEqual(await top("hosts.ip", "hosts[].ports[] {port = 22 and state = open}"), ['"c":1'], "only the documents the group matches");
  assert.deepEqual(await top("hosts.ip", "hosts[] {ports[] {port = 22 and state = open}}"), ['"c":1'], "the hosts the group accepts");
  assert.deepEqual(await top("hosts.ports.port", "hosts[] {ip = a and ports[] {state = open}}"), ["3000:1"], "the host, then its open ports");
  assert.deepEqual(await top("hosts.ports.port", "hosts[].ports[] {state = open} and hosts[].ports[] {port > 100}"), ["3000:1"], "two groups on one list both apply");
  assert.deepEqual(await top("hosts.ports.port", "hosts[].ports[] {state = open} or tags = 9"), ["22:2", "3000:1", "443:1", "80:1"], "under or: no bound");
  assert.deepEqual(await top("tags", "tags[] {@ > 4 and @ < 9}"), ["5:2"], "a list of scalars: its matching items");
  assert.deepEqual(await top("tags", "tags > 4 and tags < 9"), ["1:1", "5:3", "9:1"]);
  assert.deepEqual(await top("hosts.ports.port", '{"hosts.ports": {"$elemMatch": {"state": "filtered"}}}'), ["443:1"], "$elemMatch bounds alike");
});

test("keyset pages: every document once, in order, at most 200 per page", async () => {
  const { indexDocument } = await import("./index-writer.ts");
  const { listDocuments } = await import("./documents.ts");
  const run = await newRun(alice);
  const coll = "it|pages@1";
  for (let t = 1; t <= 450; t++) await indexDocument("put", coll, run.number, t, { t }, { run: run.id, at: new Date() });
  const seen: number[] = [];
  let after: string | undefined;
  const sizes: number[] = [];
  do {
    const page = await listDocuments(alice, { coll }, { after, limit: 200 });
    sizes.push(page.items.length);
    seen.push(...page.items.map((d) => d.task));
    after = page.next ?? undefined;
  } while (after);
  assert.deepEqual(sizes, [200, 200, 50]);
  assert.deepEqual(seen, Array.from({ length: 450 }, (_, i) => i + 1));
  assert.equal((await listDocuments(alice, { coll }, { limit: 1000 })).items.length, 200, "the page size is capped");
});

test("exports stream every matching row in order as JSON, NDJSON and CSV", async () => {
  const { indexDocument } = await import("./index-writer.ts");
  const { exportDocuments, EXPORT_BATCH } = await import("./export.ts");
  const run = await newRun(alice);
  const coll = "it|export@1";
  const n = EXPORT_BATCH * 2 + 7;
  for (let t = 1; t <= n; t++) await indexDocument("put", coll, run.number, t, { t, svc: { name: t % 2 ? "=cmd()" : "ssh, \"x\"" }, ports: [t] }, { run: run.id, at: new Date() });
  const text = async (format: "json" | "ndjson" | "csv", fields?: string[]) => {
    const { stream, contentType } = await exportDocuments(alice, { coll }, format, fields);
    return { body: await new Response(stream).text(), contentType };
  };
  const nd = await text("ndjson");
  assert.match(nd.contentType, /x-ndjson/);
  assert.deepEqual(nd.body.trim().split("\n").map((l) => JSON.parse(l).doc.t), Array.from({ length: n }, (_, i) => i + 1));
  const js = await text("json");
  const parsed = JSON.parse(js.body) as Array<{ coll: string; job: number; task: number; doc: { t: number } }>;
  assert.equal(parsed.length, n);
  assert.deepEqual(parsed[0], { coll, run: run.id, job: run.number, task: 1, storedAt: (parsed[0] as unknown as { storedAt: string }).storedAt, doc: { t: 1, svc: { name: "=cmd()" }, ports: [1] } });
  const csv = (await text("csv", ["t", "svc.name", "ports"])).body.split("\r\n");
  assert.equal(csv[0], "coll,job,task,t,svc.name,ports");
  assert.equal(csv[1], `${coll},${run.number},1,1,'=cmd(),[1]`);
  assert.equal(csv[2], `${coll},${run.number},2,2,"ssh, ""x""",[2]`);
  assert.equal(csv.length, n + 2, "a header, every row, the last line ending");
  const empty = await text("json");
  assert.ok(empty.body.startsWith("[\n"));
  const none = await exportDocuments(alice, { coll, q: "t > 99999" }, "json");
  assert.deepEqual(JSON.parse(await new Response(none.stream).text()), []);
});

test("a 4 MB document is stored, paged and read whole; hostile strings and names survive", async () => {
  const store = await indexing();
  const { listDocuments, getDocument } = await import("./documents.ts");
  const { indexDocument } = await import("./index-writer.ts");
  const run = await newRun(alice);
  const coll = "it|big@1";
  const big = { lines: Array.from({ length: 4096 }, (_, i) => `${i}:${"x".repeat(1000)}`) };
  const started = Date.now();
  await store.put(coll, run.number, 1, big, meta(run, 1));
  const page = await listDocuments(alice, { coll });
  assert.ok(Date.now() - started < 10_000);
  assert.ok(page.items[0].bytes > 4_000_000);
  assert.equal((await getDocument(alice, page.items[0].id)).doc && ((await getDocument(alice, page.items[0].id)).doc as typeof big).lines.length, 4096);
  // as a real MongoDB could hand them back on a rebuild: names with dots, $ and spaces, NUL in values
  await indexDocument("put", coll, run.number, 2, { "a.b": 1, $x: { "y z": "nul\u0000here" }, lone: "\ud800" }, { run: run.id, at: new Date() });
  const hostile = (await listDocuments(alice, { coll, q: "lone exists" })).items[0].doc;
  assert.deepEqual(hostile, { "a.b": 1, $x: { "y z": "nul\uFFFDhere" }, lone: "\uFFFD" });
});
