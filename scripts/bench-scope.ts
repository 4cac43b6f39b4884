/**
 * `npm run bench:scope`: what enforcing a scope costs a run, set-up and tear-down, measured side by
 * side with an unscoped run's network on this machine. Prints medians; asserts nothing.
 *   1. the rules alone (`nft -f` set-up and tear-down transactions of one run), in a network
 *      namespace of the bench's own with a bridge named like a run's: no Docker needed
 *   2. with the engine (when Docker answers): an unscoped run's network (create + remove) vs a
 *      scoped one's (create with its bridge name + rules + rules removed + remove)
 * BENCH_SCOPE_ROUNDS (default 20) rounds each; a scope of 64 rules with ports and 4 services.
 */
import { spawnSync } from "node:child_process";
import { DockerodeEngine } from "../runner/src/engine/engine.ts";
import { createLabels } from "../runner/src/engine/labels.ts";
import { NftScopeEnforcer } from "../runner/src/scope/enforcer.ts";
import { bridgeName, scopeKey } from "../runner/src/scope/nft.ts";
import { compileScope } from "../runner/src/scope/rules.ts";

const ROUNDS = Number(process.env.BENCH_SCOPE_ROUNDS ?? 20);
const NS = `lvsb-${process.pid % 100000}`;
const scope = compileScope({
  allow: Array.from({ length: 60 }, (_, i) => `10.${200 + (i % 20)}.${i}.0/24${i % 2 ? " 22,80,443,8000-8100" : ""}`),
  exclude: ["10.200.0.7", "10.201.1.0/28 22", "10.202.2.9 443", "10.203.3.0/30"],
  services: ["192.0.2.10:443", "192.0.2.11:443", "[2001:db8::1]:443", "198.51.100.7:8443"],
});

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number) => `${x.toFixed(1)} ms`;
const sh = (...argv: string[]) => {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${argv.join(" ")}: ${r.stderr}`);
};

async function rulesAlone() {
  const enforcer = new NftScopeEnforcer({ netns: NS });
  spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  sh("ip", "netns", "add", NS);
  const up: number[] = [];
  const down: number[] = [];
  const bridge: number[] = [];
  try {
    for (let i = 0; i < ROUNDS + 1; i++) {
      const runId = `bench-${i}`;
      const name = bridgeName(scopeKey(runId));
      let t = performance.now();
      sh("ip", "-n", NS, "link", "add", name, "type", "bridge");
      const made = performance.now() - t;
      t = performance.now();
      const e = await enforcer.setUp(runId, scope);
      const set = performance.now() - t;
      t = performance.now();
      await e.tearDown();
      const torn = performance.now() - t;
      sh("ip", "-n", NS, "link", "del", name);
      // the first round creates the table and base chains: counted apart
      if (i === 0) continue;
      bridge.push(made);
      up.push(set);
      down.push(torn);
    }
  } finally {
    spawnSync("ip", ["netns", "del", NS], { stdio: "ignore" });
  }
  console.log(`1. rules alone (${ROUNDS} runs; ${scope.v4.allow.length + scope.v4.exclude.length} prefixes, ${scope.services.length} services):`);
  console.log(`   set-up (one nft transaction, after looking for leftovers) ${ms(median(up))}, tear-down ${ms(median(down))}; a bare Linux bridge for comparison ${ms(median(bridge))}`);
}

async function withEngine() {
  const engine = new DockerodeEngine();
  try {
    await engine.ping();
  } catch {
    console.log("2. with the engine: skipped (Docker does not answer)");
    return;
  }
  const enforcer = new NftScopeEnforcer();
  const instance = `bench-scope:${process.pid}:0`;
  const plain: number[] = [];
  const scoped: number[] = [];
  const rulesUp: number[] = [];
  const rulesDown: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // alternating, so drift on a shared machine falls on both sides
    const runId = `bench-scope-${process.pid}-${i}`;
    let t = performance.now();
    const id = await engine.createNetwork(`lev-${runId}-u`, createLabels(instance, runId, "network"));
    await engine.removeNetwork(id);
    plain.push(performance.now() - t);
    t = performance.now();
    const sid = await engine.createNetwork(`lev-${runId}`, createLabels(instance, runId, "network"), { bridgeName: bridgeName(scopeKey(runId)) });
    const r0 = performance.now();
    const e = await enforcer.setUp(runId, scope);
    rulesUp.push(performance.now() - r0);
    const r1 = performance.now();
    await e.tearDown();
    rulesDown.push(performance.now() - r1);
    await engine.removeNetwork(sid);
    scoped.push(performance.now() - t);
  }
  console.log(`2. a run's network with the engine (${ROUNDS} runs each, alternating):`);
  console.log(`   unscoped: create + remove ${ms(median(plain))}`);
  console.log(`   scoped:   create + rules + rules removed + remove ${ms(median(scoped))} (rules set-up ${ms(median(rulesUp))}, tear-down ${ms(median(rulesDown))})`);
  console.log(`   enforcement adds ${ms(median(scoped) - median(plain))} per run (${((median(scoped) / median(plain) - 1) * 100).toFixed(0)} %)`);
}

await rulesAlone();
await withEngine();
