import assert from "node:assert/strict";
import { test } from "node:test";
import { PROJECT_ROLES, type ProjectRole } from "./project-roles.ts";
import { secretUseRefusal, type SecretFacts } from "./secret-use.ts";

const team: SecretFacts = { name: "shodan", projectId: "p1", personalOwnerId: null, roles: ["owner", "operator"] };
const ownersOnly: SecretFacts = { ...team, name: "cloud", roles: ["owner"] };
const personal: SecretFacts = { name: "mine", projectId: "alice-personal", personalOwnerId: "alice", roles: ["owner"] };

test("a team secret: its project's runs only, by the roles it names; nobody else, admins included", () => {
  const table: [SecretFacts, string, ProjectRole | null, boolean][] = [];
  for (const secret of [team, ownersOnly]) {
    for (const member of [...PROJECT_ROLES, null]) {
      for (const runProjectId of ["p1", "p2"]) {
        const ok = runProjectId === "p1" && member !== null && secret.roles.includes(member);
        table.push([secret, runProjectId, member, ok]);
      }
    }
  }
  for (const [secret, runProjectId, member, ok] of table) {
    const refusal = secretUseRefusal(secret, { userId: "bob", runProjectId, member });
    assert.equal(refusal === null, ok, `${secret.name} in ${runProjectId} as ${member}: ${refusal}`);
  }
  assert.match(secretUseRefusal(team, { userId: "bob", runProjectId: "p1", member: "viewer" })!, /by the project's owners and operators, not by a viewer/);
  assert.match(secretUseRefusal(ownersOnly, { userId: "bob", runProjectId: "p1", member: "operator" })!, /by the project.s owners, not by an operator/);
  assert.match(secretUseRefusal(team, { userId: "bob", runProjectId: "p2", member: "owner" })!, /belongs to another project/);
  assert.match(secretUseRefusal(team, { userId: "admin", runProjectId: "p1", member: null })!, /members of its project only/);
});

test("a personal secret: its owner's, in any project; nobody else's", () => {
  for (const runProjectId of ["alice-personal", "p1", "p2"]) {
    assert.equal(secretUseRefusal(personal, { userId: "alice", runProjectId, member: "owner" }), null);
    assert.match(secretUseRefusal(personal, { userId: "bob", runProjectId, member: "owner" })!, /someone else's own/);
  }
});
