import assert from "node:assert/strict";
import { test } from "node:test";
import { runPath, type RunView } from "./hub.ts";
import { formatRun, taskCounts } from "./run-view.ts";

test("a run is named by its number (18 or #18) or its id", () => {
  assert.equal(runPath("18"), "/api/runs/18");
  assert.equal(runPath("#18"), "/api/runs/18");
  assert.equal(runPath(" cmabc123 "), "/api/runs/cmabc123");
  assert.equal(runPath("a/b"), "/api/runs/a%2Fb");
  assert.throws(() => runPath("  "), /number \(18 or #18\) or its id/);
});

const run: RunView = {
  id: "cmrun1",
  number: 18,
  status: "failed",
  package: "szczecin.nmap_python",
  packageVersion: "1.0.0",
  function: "nmap.port_os",
  owner: "alice",
  createdAt: "2026-01-02T03:04:05.000Z",
  startedAt: "2026-01-02T03:04:06.000Z",
  endedAt: "2026-01-02T03:04:18.500Z",
  durationMs: 12_500,
  queuePosition: null,
  worker: "hub",
  device: null,
  args: { ip: "127.0.0.1", ports: [22, 80] },
  error: { type: "TaskFailed", message: "task 2 failed: nmap exited with 1" },
  exitCode: null,
  collections: ["szczecin/nmap_python.port_os@1.0"],
  tasks: [
    { number: 1, status: "succeeded", image: "levhub/nmap:bookworm", coll: "szczecin/nmap_python.port_os@1.0", exitCode: 0, startedAt: "2026-01-02T03:04:06.000Z", endedAt: "2026-01-02T03:04:09.200Z", error: null },
    { number: 2, status: "failed", image: "levhub/nmap:bookworm", coll: "szczecin/nmap_python.port_os@1.0", exitCode: 1, startedAt: "2026-01-02T03:04:06.000Z", endedAt: "2026-01-02T03:04:18.000Z", error: { type: "TaskFailed", message: "nmap exited with 1" } },
  ],
  logs: [{ seq: 1, task: 1, stream: "stdout", line: "never printed by the summary" }],
};

test("lev runs <run> reads as a summary: what ran, with what, where, when, its tasks and error", () => {
  const text = formatRun(run);
  assert.equal(
    text,
    [
      "run #18  failed",
      "  package   szczecin.nmap_python 1.0.0",
      "  function  nmap.port_os",
      '  args      ip="127.0.0.1"',
      "            ports=[22,80]",
      "  owner     alice",
      "  runs on   worker hub",
      "  created   2026-01-02 03:04:05 UTC",
      "  started   2026-01-02 03:04:06 UTC",
      "  ended     2026-01-02 03:04:18 UTC (12.5 s)",
      "  error     TaskFailed: task 2 failed: nmap exited with 1",
      "  tasks     2 tasks: 1 succeeded, 1 failed",
      "    1  succeeded  levhub/nmap:bookworm → szczecin/nmap_python.port_os@1.0 exit 0 3.2 s",
      "    2  failed  levhub/nmap:bookworm → szczecin/nmap_python.port_os@1.0 exit 1 12.0 s",
      "       TaskFailed: nmap exited with 1",
      "  stored in szczecin/nmap_python.port_os@1.0",
      "",
      "documents: lev results 18   logs and everything else: lev runs 18 --json",
    ].join("\n"),
  );
  assert.doesNotMatch(text, /never printed/, "logs stay in --json");
});

test("a queued device run says where it waits; no tasks reads as none", () => {
  const text = formatRun({ ...run, status: "queued", queuePosition: 1, device: "laptop", startedAt: null, endedAt: null, error: null, tasks: [], collections: [], args: {} });
  assert.match(text, /^run #18 {2}queued \(next in line\)$/m);
  assert.match(text, /^ {2}runs on {3}device laptop$/m);
  assert.match(text, /^ {2}args {6}none$/m);
  assert.match(text, /^ {2}tasks {5}none started$/m);
  assert.equal(taskCounts([{ ...run.tasks![0], status: "cancelled" }]), "1 task: 1 cancelled");
});
