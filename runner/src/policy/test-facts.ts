/** The run facts the policy tests share: one run of alice's scanner (tests only). */
import type { RunFacts } from "./container-config.ts";

export const runFacts = (over: Partial<RunFacts> = {}): RunFacts => ({
  runId: "r1",
  owner: "alice",
  instance: "host:1:abc",
  job: 7,
  pkgModule: "lev.alice.scanner",
  pkgDir: "/pkgs/alice.scanner",
  runtimeDir: "/rt",
  runNetwork: "lev-r1",
  workflowImage: "levhub/python:bookworm",
  deps: [],
  hubMachine: false,
  ...over,
});
