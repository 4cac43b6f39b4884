import { test } from "node:test";
import assert from "node:assert/strict";
import { PROJECT_ROLES, projectRights, type ProjectRole } from "../access/project-roles.ts";
import type { Viewer } from "../types.ts";
import { canEditScan, canManageScan, canViewScan } from "./access.ts";

const user = (id: string, role: Viewer["role"] = "user"): Viewer => ({ id, email: `${id}@x`, username: id, name: null, role });
const scan = { ownerId: "alice" };

test("a scan is its project's: members see it, operators pause and delete it, only its creator edits it; non-members know nothing", () => {
  const cases: [string, Viewer | null, ProjectRole | null][] = [
    ["anonymous", null, null],
    ...PROJECT_ROLES.map((r) => [`alice as ${r}`, user("alice"), r] as [string, Viewer, ProjectRole]),
    ...PROJECT_ROLES.map((r) => [`bob as ${r}`, user("bob"), r] as [string, Viewer, ProjectRole]),
    ["bob, non-member", user("bob"), null],
    ["root (admin), non-member", user("root", "admin"), null],
    ["alice as admin, owner", user("alice", "admin"), "owner"],
  ];
  const table = cases.map(([label, viewer, member]) => {
    const rights = viewer ? projectRights({ role: viewer.role, member }) : [];
    return [label, canViewScan(rights), canManageScan(rights), canEditScan(viewer, scan, rights)];
  });
  assert.deepEqual(table, [
    ["anonymous", false, false, false],
    ["alice as owner", true, true, true],
    ["alice as operator", true, true, true],
    // the creator demoted to viewer: sees it, no longer changes or runs it
    ["alice as viewer", true, false, false],
    ["bob as owner", true, true, false],
    ["bob as operator", true, true, false],
    ["bob as viewer", true, false, false],
    ["bob, non-member", false, false, false],
    ["root (admin), non-member", true, true, false],
    ["alice as admin, owner", true, true, true],
  ]);
});
