/**
 * The database's enums and the one TypeScript module of closed sets (runner/src/status.ts) hold the
 * same values: a status added to one and not the other fails here, not in production.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { RunStatus, RunTrigger, TaskStatus } from "./generated/prisma/enums.ts";
import { RUN_STATUSES, TASK_STATUSES } from "../runner/src/status.ts";
import { RUN_TRIGGERS } from "./scans/types.ts";

test("Prisma's RunStatus and TaskStatus are RUN_STATUSES and TASK_STATUSES, in order", () => {
  assert.deepEqual(Object.values(RunStatus), [...RUN_STATUSES]);
  assert.deepEqual(Object.values(TaskStatus), [...TASK_STATUSES]);
});

test("Prisma's RunTrigger is RUN_TRIGGERS", () => {
  assert.deepEqual(Object.values(RunTrigger), [...RUN_TRIGGERS]);
});

test("Prisma's DebugState is DEBUG_STATES", async () => {
  const { DebugState } = await import("./generated/prisma/enums.ts");
  const { DEBUG_STATES } = await import("../runner/src/debug/vocabulary.ts");
  assert.deepEqual(Object.values(DebugState), [...DEBUG_STATES]);
});

test("Prisma's NotificationChannel is NOTIFY_CHANNELS", async () => {
  const { NotificationChannel } = await import("./generated/prisma/enums.ts");
  const { NOTIFY_CHANNELS } = await import("./schemas/notify.ts");
  assert.deepEqual(Object.values(NotificationChannel), [...NOTIFY_CHANNELS]);
});
