"use client";

import { useActionState } from "react";
import type { ErrorCode } from "../../lib/errors.ts";
import type { ProblemState } from "../../lib/actions/safe-action.ts";
import type { ProjectMemberView, ProjectRole } from "../../lib/projects/types.ts";
import { ActionButton, ProblemNote } from "../action-problem.tsx";
import { formatTime } from "../time.ts";

export type AddMemberState =
  | { status: "idle" }
  | { status: "added"; username: string; role: ProjectRole }
  | { status: "error"; errors: Record<string, string>; message: string; code: ErrorCode };

export const ROLE_TEXT: Record<ProjectRole, string> = {
  owner: "owner — members, settings, secrets; runs and scans",
  operator: "operator — runs, scans, triage",
  viewer: "viewer — reads runs and results",
};
const ROLES: ProjectRole[] = ["owner", "operator", "viewer"];

export function RoleBadge({ role }: { role: ProjectRole }) {
  const style = role === "owner" ? "border-accent-600/30 bg-accent-600/10 text-accent-700" : role === "operator" ? "border-sky-200 bg-sky-50 text-sky-800" : "border-zinc-300 bg-zinc-50 text-zinc-700";
  return <span data-role={role} className={`inline-flex rounded-full border px-2 py-0.5 text-xs font-medium ${style}`}>{role}</span>;
}

function RoleForm({ member, action }: { member: ProjectMemberView; action: (s: ProblemState, d: FormData) => Promise<ProblemState> }) {
  const [state, formAction, pending] = useActionState(action, { problem: null });
  const id = `role-${member.username}`;
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-1" aria-label={`Role of ${member.username}`}>
      <input type="hidden" name="username" value={member.username} />
      <label htmlFor={id} className="sr-only">Role of {member.username}</label>
      <select id={id} name="role" defaultValue={member.role} className="input w-28 py-0.5 text-xs">
        {ROLES.map((r) => (
          <option key={r} value={r}>{r}</option>
        ))}
      </select>
      <button type="submit" className="btn py-0.5 text-xs" disabled={pending}>Set role</button>
      {state.problem && <ProblemNote problem={state.problem} />}
    </form>
  );
}

/** The members of a project with their roles; owners change roles and remove members here. */
export function MemberTable({
  members,
  setRoleAction,
  removeAction,
}: {
  members: ProjectMemberView[];
  /** null: the viewer may not change members */
  setRoleAction: ((s: ProblemState, d: FormData) => Promise<ProblemState>) | null;
  removeAction: ((s: ProblemState, d: FormData) => Promise<ProblemState>) | null;
}) {
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" aria-label="Members">
        <thead className="text-left text-xs text-zinc-500">
          <tr>
            <th className="py-1 pr-3 font-medium">Member</th>
            <th className="py-1 pr-3 font-medium">Role</th>
            <th className="hidden py-1 pr-3 font-medium sm:table-cell">Added</th>
            {setRoleAction && <th className="py-1 font-medium"><span className="sr-only">Change</span></th>}
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-100">
          {members.map((m) => (
            <tr key={m.username} data-member={m.username}>
              <td className="py-1.5 pr-3">
                <span className="font-medium">{m.username}</span>
                {m.name && <span className="ml-1 text-zinc-500">{m.name}</span>}
              </td>
              <td className="py-1.5 pr-3"><RoleBadge role={m.role} /></td>
              <td className="hidden py-1.5 pr-3 text-xs text-zinc-500 sm:table-cell">
                {formatTime(m.addedAt).slice(0, 10)}
                {m.addedBy && m.addedBy !== m.username ? ` by ${m.addedBy}` : ""}
              </td>
              {setRoleAction && removeAction && (
                <td className="py-1.5">
                  <div className="flex flex-wrap items-center justify-end gap-2">
                    <RoleForm member={m} action={setRoleAction} />
                    <ActionButton action={removeAction} fields={{ username: m.username }} ariaLabel={`Remove ${m.username}`} className="btn py-0.5 text-xs text-red-700">
                      Remove
                    </ActionButton>
                  </div>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Adds a hub user by their user name, at a role. */
export function AddMemberForm({ action }: { action: (s: AddMemberState, d: FormData) => Promise<AddMemberState> }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const errors = state.status === "error" ? state.errors : {};
  return (
    <form action={formAction} className="flex flex-wrap items-end gap-2" aria-label="Add a member">
      <div>
        <label htmlFor="member-username" className="label">User name</label>
        <input id="member-username" name="username" required className="input mt-1 w-44" autoComplete="off" aria-invalid={errors.username ? true : undefined} />
      </div>
      <div>
        <label htmlFor="member-role" className="label">Role</label>
        <select id="member-role" name="role" defaultValue="operator" className="input mt-1 w-32">
          {ROLES.map((r) => (
            <option key={r} value={r}>{r}</option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn btn-primary" disabled={pending}>Add member</button>
      {state.status === "added" && <p role="status" className="w-full text-sm text-emerald-700">Added {state.username} as {state.role}.</p>}
      {state.status === "error" && (
        <p role="alert" data-code={state.code} className="w-full text-sm text-red-700">
          {errors.username ?? state.message}
        </p>
      )}
    </form>
  );
}
