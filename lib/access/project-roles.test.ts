import { test } from "node:test";
import assert from "node:assert/strict";
import {
  actsAsAdmin,
  hasRight,
  losesRunRight,
  membershipRefusal,
  PROJECT_RIGHTS,
  PROJECT_ROLES,
  projectRights,
  roleAtLeast,
  TOKEN_SCOPES,
  type MembershipChange,
  type ProjectRole,
  type TokenScope,
} from "./project-roles.ts";

const rights = (role: "user" | "admin", member: ProjectRole | null, scopes?: TokenScope[]) => projectRights({ role, member, scopes }).join(",") || "-";

test("every hub role × membership, as a browser session (every scope): the whole table", () => {
  const table = (["user", "admin"] as const).flatMap((role) => [...PROJECT_ROLES, null].map((member) => [role, member ?? "non-member", rights(role, member)]));
  assert.deepEqual(table, [
    ["user", "owner", "read,run,manage"],
    ["user", "operator", "read,run"],
    ["user", "viewer", "read"],
    ["user", "non-member", "-"],
    ["admin", "owner", "read,run,manage"],
    ["admin", "operator", "read,run,manage"],
    ["admin", "viewer", "read,run,manage"],
    ["admin", "non-member", "read,run,manage"],
  ]);
});

test("a token's rights are its scopes intersected with the role, for every scope set", () => {
  const sets: TokenScope[][] = [[], ["read"], ["run"], ["publish"], ["admin"], ["read", "run"], ["read", "admin"], [...TOKEN_SCOPES]];
  const table = sets.map((scopes) => [
    scopes.join("+") || "none",
    ...PROJECT_ROLES.map((r) => rights("user", r, scopes)),
    rights("user", null, scopes),
    rights("admin", null, scopes),
    rights("admin", "viewer", scopes),
  ]);
  assert.deepEqual(table, [
    // scopes          owner               operator    viewer  non-member  admin (non-member)   admin (viewer)
    ["none", "-", "-", "-", "-", "-", "-"],
    ["read", "read", "read", "read", "-", "-", "read"],
    // acting in a project implies seeing it
    ["run", "read,run,manage", "read,run", "read", "-", "-", "read"],
    ["publish", "-", "-", "-", "-", "-", "-"],
    // the admin scope lifts an admin to every right the other scopes allow, nothing more
    ["admin", "-", "-", "-", "-", "-", "-"],
    ["read+run", "read,run,manage", "read,run", "read", "-", "-", "read"],
    ["read+admin", "read", "read", "read", "-", "read", "read"],
    ["read+run+publish+admin", "read,run,manage", "read,run", "read", "-", "read,run,manage", "read,run,manage"],
  ]);
  // a session is every scope
  for (const role of ["user", "admin"] as const) for (const m of [...PROJECT_ROLES, null]) assert.equal(rights(role, m), rights(role, m, [...TOKEN_SCOPES]));
});

test("looking at what a right guards (an owner's invites) takes a reading scope, changing it the run scope", () => {
  const view = (member: ProjectRole | null, scopes: TokenScope[]) => projectRights({ role: "user", member, scopes }, "view").join(",") || "-";
  assert.deepEqual(
    [["read"], ["run"], ["publish"], ["read", "run"]].map((s) => [s.join("+"), ...[...PROJECT_ROLES, null].map((m) => view(m, s as TokenScope[]))]),
    [
      ["read", "read,run,manage", "read,run", "read", "-"],
      ["run", "read,run,manage", "read,run", "read", "-"],
      ["publish", "-", "-", "-", "-"],
      ["read+run", "read,run,manage", "read,run", "read", "-"],
    ],
  );
  assert.equal(hasRight({ role: "user", member: "owner", scopes: ["read"] }, "manage", "view"), true);
  assert.equal(hasRight({ role: "user", member: "owner", scopes: ["read"] }, "manage"), false);
});

test("an admin acting beyond their membership is acting as admin (audited so); within it, not", () => {
  const admin = (member: ProjectRole | null) => ({ role: "admin" as const, member });
  assert.deepEqual(
    [...PROJECT_ROLES, null].map((m) => PROJECT_RIGHTS.map((r) => actsAsAdmin(admin(m), r))),
    [
      [false, false, false],
      [false, false, true],
      [false, true, true],
      [true, true, true],
    ],
  );
  // a user never acts as admin, even where refused
  for (const m of [...PROJECT_ROLES, null]) for (const r of PROJECT_RIGHTS) assert.equal(actsAsAdmin({ role: "user", member: m }, r), false);
});

test("roleAtLeast orders owner > operator > viewer", () => {
  const table = [...PROJECT_ROLES, null].map((r) => PROJECT_ROLES.map((min) => roleAtLeast(r, min)));
  assert.deepEqual(table, [
    [true, true, true],
    [false, true, true],
    [false, false, true],
    [false, false, false],
  ]);
});

const team = { personal: false };
const members = [
  { userId: "alice", role: "owner" as const },
  { userId: "bob", role: "operator" as const },
  { userId: "carol", role: "viewer" as const },
];

test("membership changes: a project keeps an owner; a personal project keeps its one member", () => {
  const cases: [MembershipChange, string | null][] = [
    [{ kind: "add", userId: "dave", role: "viewer" }, null],
    [{ kind: "add", userId: "bob", role: "viewer" }, "conflict"],
    [{ kind: "set-role", userId: "bob", role: "owner" }, null],
    [{ kind: "set-role", userId: "carol", role: "operator" }, null],
    [{ kind: "set-role", userId: "dave", role: "operator" }, "not_found"],
    [{ kind: "remove", userId: "dave" }, "not_found"],
    [{ kind: "remove", userId: "carol" }, null],
    // the last owner
    [{ kind: "remove", userId: "alice" }, "conflict"],
    [{ kind: "set-role", userId: "alice", role: "operator" }, "conflict"],
    [{ kind: "set-role", userId: "alice", role: "owner" }, null],
  ];
  for (const [change, want] of cases) assert.equal(membershipRefusal(team, members, change)?.code ?? null, want, JSON.stringify(change));
  // with a second owner, the first may go
  const two = [...members, { userId: "erin", role: "owner" as const }];
  assert.equal(membershipRefusal(team, two, { kind: "remove", userId: "alice" }), null);
  assert.equal(membershipRefusal(team, two, { kind: "set-role", userId: "alice", role: "viewer" }), null);
  // a personal project refuses every change
  for (const [change] of cases) assert.equal(membershipRefusal({ personal: true }, [{ userId: "alice", role: "owner" }], change)?.code, "validation");
});

test("a member loses the run right when removed or demoted below operator", () => {
  const table = PROJECT_ROLES.map((before) => [
    before,
    losesRunRight(before, { kind: "remove", userId: "x" }),
    ...PROJECT_ROLES.map((after) => losesRunRight(before, { kind: "set-role", userId: "x", role: after })),
  ]);
  assert.deepEqual(table, [
    //           removed  →owner  →operator  →viewer
    ["owner", true, false, false, true],
    ["operator", true, false, false, true],
    ["viewer", false, false, false, false],
  ]);
  assert.equal(losesRunRight("owner", { kind: "add", userId: "x", role: "viewer" }), false);
});
