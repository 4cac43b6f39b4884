import assert from "node:assert/strict";
import { test } from "node:test";
import { accessRefusal, ACCESS_LEVELS } from "./access.ts";
import type { Viewer } from "./types.ts";

const user: Viewer = { id: "u1", email: "u@x.test", username: "u", name: null, role: "user" };
const admin: Viewer = { ...user, id: "a1", role: "admin" };

test("every access level against every kind of viewer", () => {
  const outcome = (access: (typeof ACCESS_LEVELS)[number], v: Viewer | null) => accessRefusal(access, v) ?? "ok";
  assert.deepEqual(
    ACCESS_LEVELS.map((a) => [a, outcome(a, null), outcome(a, user), outcome(a, admin)]),
    [
      ["public", "ok", "ok", "ok"],
      ["user", "unauthorized", "ok", "ok"],
      ["admin", "unauthorized", "forbidden", "ok"],
    ],
  );
});
