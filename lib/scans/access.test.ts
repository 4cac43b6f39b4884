import { test } from "node:test";
import assert from "node:assert/strict";
import type { Viewer } from "../types.ts";
import { canEditScan, canManageScan, canViewScan } from "./access.ts";

const user = (id: string, role: Viewer["role"] = "user"): Viewer => ({ id, email: `${id}@x`, username: id, name: null, role });
const scan = { ownerId: "alice" };

test("a scan is its owner's; admins see, pause and delete it; nobody else knows it exists", () => {
  const rows: [Viewer | null, boolean, boolean, boolean][] = [
    [null, false, false, false],
    [user("alice"), true, true, true],
    [user("bob"), false, false, false],
    [user("root", "admin"), true, true, false],
    [user("alice", "admin"), true, true, true],
  ];
  for (const [viewer, view, manage, edit] of rows) {
    assert.equal(canViewScan(viewer, scan), view, `view ${viewer?.id}`);
    assert.equal(canManageScan(viewer, scan), manage, `manage ${viewer?.id}`);
    assert.equal(canEditScan(viewer, scan), edit, `edit ${viewer?.id}`);
  }
});
