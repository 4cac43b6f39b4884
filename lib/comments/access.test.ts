/** Comment permissions, every caller against every kind of comment: the whole table written out. */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Viewer } from "../types.ts";
import { canDeleteComment, canModerateComments, canSeeComment, editRefusal } from "./access.ts";

const user = (id: string, role: Viewer["role"] = "user"): Viewer => ({ id, email: `${id}@example.test`, username: id, name: null, role });
const author = user("ann");
const other = user("olaf");
const admin = user("ada", "admin");
const adminAuthor = user("ann", "admin");
// an admin's API token without the admin scope acts as a plain user (lib/access/scopes.ts roleWithScopes)
const callers = { anonymous: null, author, other, admin, adminAuthor } as const;

type Row = { see: boolean; edit: ReturnType<typeof editRefusal>; del: boolean };
const TABLE: Record<keyof typeof callers, { shown: Row; hidden: Row }> = {
  anonymous: { shown: { see: true, edit: "not_author", del: false }, hidden: { see: false, edit: "not_author", del: false } },
  author: { shown: { see: true, edit: null, del: true }, hidden: { see: true, edit: "hidden", del: true } },
  other: { shown: { see: true, edit: "not_author", del: false }, hidden: { see: false, edit: "not_author", del: false } },
  admin: { shown: { see: true, edit: "not_author", del: false }, hidden: { see: true, edit: "not_author", del: false } },
  adminAuthor: { shown: { see: true, edit: null, del: true }, hidden: { see: true, edit: "hidden", del: true } },
};

test("who sees, edits and deletes a comment, shown and hidden", () => {
  for (const [name, viewer] of Object.entries(callers)) {
    for (const state of ["shown", "hidden"] as const) {
      const c = { authorId: "ann", hidden: state === "hidden" };
      const want = TABLE[name as keyof typeof callers][state];
      assert.deepEqual({ see: canSeeComment(viewer, c), edit: editRefusal(viewer, c), del: canDeleteComment(viewer, c) }, want, `${name}, ${state}`);
    }
  }
});

test("only admins moderate", () => {
  assert.deepEqual(
    Object.entries(callers).map(([k, v]) => [k, canModerateComments(v)]),
    [["anonymous", false], ["author", false], ["other", false], ["admin", true], ["adminAuthor", true]],
  );
});
