import { test } from "node:test";
import assert from "node:assert/strict";
import { RunScope } from "./run-scope.ts";
import { compileScope } from "../scope/check.ts";
import type { RunContext } from "./context.ts";
import type { ScopeEnforcement } from "../scope/enforcer.ts";
import type { RunEvent } from "../types.ts";

/** an enforcer whose setUp resolves when the test says, and that records what it tore down */
function slowEnforcer() {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const tornDown: string[] = [];
  const enforcer = {
    async setUp(runId: string): Promise<ScopeEnforcement> {
      await gate;
      return {
        key: runId,
        bridge: `lvr-${runId}`,
        unresolved: [],
        blocked: async () => [],
        blockedNames: () => ({ names: [], dropped: 0 }),
        tearDown: async () => void tornDown.push(runId),
      };
    },
  };
  return { enforcer, release, tornDown };
}

function scopeOf(enforcer: unknown, events: RunEvent[] = []) {
  const ctx = { scopeEnforcer: enforcer, log: () => undefined } as unknown as RunContext;
  const scope = compileScope({ allow: ["10.9.0.0/24"], exclude: [], services: [] });
  return new RunScope(ctx, "r1", scope, true, (ev) => events.push(ev), () => undefined);
}

test("a run that ends while its rules are still going in (its network was prepared at its start) leaves no rules behind once released", async () => {
  const { enforcer, release, tornDown } = slowEnforcer();
  const s = scopeOf(enforcer);
  const enforcing = s.enforce();
  const ended = s.end();
  release();
  await enforcing;
  await ended;
  await s.release();
  assert.deepEqual(tornDown, ["r1"]);
});

test("enforce is one set-up however many tools ask for it; end reads the last attempts, release removes its rules", async () => {
  const { enforcer, release, tornDown } = slowEnforcer();
  let setUps = 0;
  const counting = { setUp: (id: string) => (setUps++, enforcer.setUp(id)) };
  const events: RunEvent[] = [];
  const s = scopeOf(counting, events);
  const both = Promise.all([s.enforce(), s.enforce()]);
  release();
  await both;
  await s.enforce();
  assert.equal(setUps, 1);
  assert.equal(s.resolver, undefined);
  assert.deepEqual(events.map((e) => (e.type === "scope" ? e.scope.enforcement : e.type)), ["enforced"]);
  await s.end();
  assert.deepEqual(tornDown, [], "the run's end reads the last attempts; the rules go after it is reported");
  await s.release();
  assert.deepEqual(tornDown, ["r1"]);
});

test("a run that ended before its bridge existed sets up no rules", async () => {
  const { enforcer, release, tornDown } = slowEnforcer();
  let setUps = 0;
  const s = scopeOf({ setUp: (id: string) => (setUps++, enforcer.setUp(id)) });
  await s.end();
  release();
  await s.enforce();
  await s.release();
  assert.equal(setUps, 0);
  assert.deepEqual(tornDown, []);
});

test("a required enforcement this runner cannot give fails every tool that asks, with why", async () => {
  const s = scopeOf(undefined);
  await assert.rejects(s.enforce(), /requires its scope enforced by the network/);
  await assert.rejects(s.enforce(), /requires its scope enforced by the network/);
  await s.end();
});
