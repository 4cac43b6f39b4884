import assert from "node:assert/strict";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { after, before, test } from "node:test";
import { main } from "./main.ts";
import { comparePath, formatComparison, ignoreFlags, resultsPath, streamResults, type Comparison } from "./results.ts";

let server: Server;
let seen: IncomingMessage[] = [];
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "lev-results-"));
  server = createServer((req, res) => {
    seen.push(req);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const named = /^\/api\/runs\/([^/]+)$/.exec(url.pathname);
    if (named) {
      // the run as the hub resolves it: a number (`12`) is r1's, an id is itself, "missing" is someone else's
      const ref = decodeURIComponent(named[1]);
      if (ref === "missing") res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "run not found" } }));
      else res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: /^\d+$/.test(ref) ? "r1" : ref }));
    } else if (url.searchParams.get("run") === "missing") {
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { code: "not_found", message: "run not found" } }));
    } else if (url.searchParams.get("run") === "broken") {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"a":1}\n');
      setTimeout(() => res.destroy(), 20);
    } else {
      res.writeHead(200, { "content-type": "application/x-ndjson" });
      res.write('{"a":1}\n');
      res.end('{"a":2}\n');
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.env.LEV_URL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.env.LEV_TOKEN = "lev_test";
});
after(async () => {
  server.closeAllConnections();
  server.close();
  await rm(dir, { recursive: true, force: true });
});

test("the export path names the run, the format and the collection", () => {
  assert.equal(resultsPath("r1", { format: "csv" }), "/api/results/export?run=r1&format=csv");
  assert.equal(resultsPath("r1", { format: "ndjson", coll: "demo|x/y.z@1.0" }), "/api/results/export?run=r1&format=ndjson&coll=demo%7Cx%2Fy.z%401.0");
});

test("lev diff --ignore: the fields replace the package's list; none given, the package's; '' compares all", () => {
  assert.equal(ignoreFlags(undefined), undefined);
  assert.deepEqual(ignoreFlags(["hosts[].os", "a,b", " a "]), ["hosts[].os", "a", "b"]);
  assert.deepEqual(ignoreFlags([""]), []);
  assert.equal(comparePath("r1", "r2"), "/api/runs/compare?a=r1&b=r2");
  assert.equal(comparePath(null, "r2", ["hosts[].os", "x"]), "/api/runs/compare?b=r2&previous=true&ignore=hosts%5B%5D.os%2Cx");
  assert.equal(comparePath("r1", "r2", []), "/api/runs/compare?a=r1&b=r2&ignore=");
});

test("lev results streams the export to stdout or a file, with the token", async () => {
  seen = [];
  const chunks: Buffer[] = [];
  const sink = new Writable({
    write(c, _e, cb) {
      chunks.push(Buffer.from(c));
      cb();
    },
  });
  await streamResults("#12", { format: "ndjson" }, sink);
  assert.equal(Buffer.concat(chunks).toString(), '{"a":1}\n{"a":2}\n');
  assert.equal(seen[0].headers.authorization, "Bearer lev_test");
  assert.equal(seen[0].url, "/api/runs/12", "the run is named as given, its number without the #");
  assert.equal(seen[1].url, "/api/results/export?run=r1&format=ndjson", "the export is of the run the hub resolved");
  const file = path.join(dir, "out.ndjson");
  await streamResults("r1", { format: "ndjson", out: file });
  assert.equal(await readFile(file, "utf8"), '{"a":1}\n{"a":2}\n');
});

test("a hub error is a readable message; a broken download leaves no file behind", async () => {
  await assert.rejects(streamResults("missing", { format: "csv" }), /: error not_found: run not found$/);
  const file = path.join(dir, "broken.ndjson");
  await assert.rejects(streamResults("broken", { format: "ndjson", out: file }), /broke off/);
  assert.deepEqual((await readdir(dir)).filter((f) => f.startsWith("broken")), []);
  await assert.rejects(streamResults("r1", { format: "xml" as never }), /--format is one of json, ndjson, csv/);
});

test("lev results and lev diff refuse bad arguments with usage (exit 2)", async () => {
  assert.equal(await main(["results"]), 2);
  assert.equal(await main(["results", "r1", "--format", "xml"]), 2);
  assert.equal(await main(["diff", "only-one"]), 2);
  assert.equal(await main(["diff", "a", "b", "--previous"]), 2);
});

test("a comparison reads as totals, then new, gone and changed per collection", () => {
  const c: Comparison = {
    a: { id: "a", number: 3, package: "szczecin.nmap_python", function: "nmap.port_os" },
    b: { id: "b", number: 5, package: "szczecin.nmap_python", function: "nmap.port_os" },
    diff: {
      collections: [
        {
          coll: "szczecin/nmap_python.port_os@1.0",
          keys: ["target", "hosts[].ip"],
          ignored: ["hosts[].os"],
          added: [{ label: "target=10.0.0.9" }],
          removed: [],
          changed: [
            {
              label: "target=127.0.0.1",
              changes: [
                { op: "added", path: "hosts[ip=127.0.0.1].ports[port=8080,protocol=tcp]", after: { port: 8080, state: "open" } },
                { op: "changed", path: "hosts[ip=127.0.0.1].status", before: "down", after: "up" },
              ],
              omitted: 2,
            },
          ],
          unchanged: 1,
          tooLarge: null,
          notes: [],
        },
        { coll: "big", keys: [], added: [], removed: [], changed: [], unchanged: 0, tooLarge: "too large to compare: 9000 document(s) in run A and 9001 in run B; at most 5000 per run are compared", notes: [] },
        { coll: "same", keys: [], added: [], removed: [], changed: [], unchanged: 2, tooLarge: null, notes: [] },
      ],
      totals: { new: 2, gone: 0, changed: 1, unchangedDocuments: 3 },
      partial: true,
    },
  };
  assert.equal(
    formatComparison(c),
    [
      "szczecin.nmap_python nmap.port_os: run #3 → run #5",
      "2 new, 0 gone, 1 changed; 3 documents unchanged (partly compared)",
      "",
      "szczecin/nmap_python.port_os@1.0  (keys: target, hosts[].ip; ignoring hosts[].os)",
      "  + target=10.0.0.9",
      "  ~ target=127.0.0.1",
      '      + hosts[ip=127.0.0.1].ports[port=8080,protocol=tcp]  {"port":8080,"state":"open"}',
      '      ~ hosts[ip=127.0.0.1].status  "down" → "up"',
      "      … 2 more changes",
      "",
      "big  (matched by content)",
      "  ! too large to compare: 9000 document(s) in run A and 9001 in run B; at most 5000 per run are compared",
      "",
      "same  (matched by content)",
      "  no change",
    ].join("\n"),
  );
});
