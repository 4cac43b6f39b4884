import assert from "node:assert/strict";
import { test } from "node:test";
import { accessRefusal, ACCESS_LEVELS, type WorkerCaller } from "./access.ts";
import type { Viewer } from "../types.ts";

const user: Viewer = { id: "u1", email: "u@x.test", username: "u", name: null, role: "user" };
const admin: Viewer = { ...user, id: "a1", role: "admin" };
const worker: WorkerCaller = { credentialId: "c1", name: "hub-1" };

test("every access level against every kind of caller", () => {
  const outcome = (access: (typeof ACCESS_LEVELS)[number], v: Viewer | null, w: WorkerCaller | null = null, scraper = false) => accessRefusal(access, v, w, scraper) ?? "ok";
  assert.deepEqual(
    ACCESS_LEVELS.map((a) => [a, outcome(a, null), outcome(a, user), outcome(a, admin), outcome(a, null, worker), outcome(a, null, null, true)]),
    [
      ["public", "ok", "ok", "ok", "ok", "ok"],
      ["user", "unauthorized", "ok", "ok", "unauthorized", "unauthorized"],
      ["admin", "unauthorized", "forbidden", "ok", "unauthorized", "unauthorized"],
      ["worker", "unauthorized", "unauthorized", "unauthorized", "ok", "unauthorized"],
      ["metrics", "unauthorized", "unauthorized", "unauthorized", "unauthorized", "ok"],
    ],
  );
});

test("the metrics token opens only metrics, and nobody else gets in there", () => {
  assert.equal(accessRefusal("metrics", admin, null, true), "unauthorized");
  assert.equal(accessRefusal("metrics", null, worker, true), "unauthorized");
  assert.equal(accessRefusal("admin", null, null, true), "unauthorized");
});

test("a caller that is somehow both a user and a worker is no worker", () => {
  assert.equal(accessRefusal("worker", admin, worker), "unauthorized");
});
