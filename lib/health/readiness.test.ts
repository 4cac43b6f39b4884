import assert from "node:assert/strict";
import { test } from "node:test";
import { readinessOf, withTimeout, type CheckResult } from "./readiness.ts";

const up: CheckResult = { status: "up", ms: 1 };

test("ready when every component is up", () => {
  const r = readinessOf({ database: up, results: up, queue: up, workers: up });
  assert.equal(r.status, "ready");
  assert.deepEqual(r.down, []);
  assert.equal(r.error, undefined);
});

test("unavailable names every component that is down, in a fixed order, in the one error shape", () => {
  const r = readinessOf({
    database: up,
    results: up,
    queue: { status: "down", ms: 2000, detail: "no answer within 2000 ms" },
    workers: { status: "down", ms: 3, detail: "no live worker" },
  });
  assert.equal(r.status, "unavailable");
  assert.deepEqual(r.down, ["queue", "workers"]);
  assert.deepEqual(r.error, {
    code: "unavailable",
    message: "not ready: queue: no answer within 2000 ms; workers: no live worker",
    problems: [
      { severity: "error", where: "queue", code: "down", message: "no answer within 2000 ms" },
      { severity: "error", where: "workers", code: "down", message: "no live worker" },
    ],
  });
  assert.equal(r.components.database.status, "up", "what is up is reported too");
});

test("withTimeout: the answer when it comes first, a TimeoutError when it does not", async () => {
  assert.equal(await withTimeout(Promise.resolve(7), 1000), 7);
  const never = new Promise<never>(() => undefined);
  await assert.rejects(withTimeout(never, 10), (err: Error) => err.name === "TimeoutError" && /10 ms/.test(err.message));
  await assert.rejects(withTimeout(Promise.reject(new Error("refused")), 1000), /refused/);
});
