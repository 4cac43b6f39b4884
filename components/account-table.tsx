"use client";

import { useActionState } from "react";
import type { AccountSummary } from "../lib/accounts/users.ts";
import { formatTime } from "./time.ts";

export type RoleChangeState = { status: "idle" } | { status: "saved"; message: string } | { status: "error"; message: string };

/** Every account with its role; an admin promotes or demotes (the hub keeps at least one admin). */
export function AccountTable({
  accounts,
  viewerId,
  action,
}: {
  accounts: AccountSummary[];
  viewerId: string;
  action: (state: RoleChangeState, data: FormData) => Promise<RoleChangeState>;
}) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  return (
    <div className="space-y-2">
      {state.status === "error" && <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">{state.message}</p>}
      {state.status === "saved" && <p role="status" className="text-sm text-emerald-800">{state.message}</p>}
      <div className="card overflow-x-auto">
        <table className="table-dense" aria-label="Accounts">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Joined</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((a) => (
              <tr key={a.id}>
                <td className="font-medium">
                  {a.username}
                  {a.id === viewerId && <span className="ml-1 text-xs text-zinc-500">(you)</span>}
                </td>
                <td className="text-xs">{a.email}</td>
                <td>{a.role === "admin" ? <span className="badge">admin</span> : <span className="text-xs text-zinc-600">user</span>}</td>
                <td className="text-xs tabular-nums">{formatTime(a.createdAt)}</td>
                <td className="text-right">
                  <form action={formAction}>
                    <input type="hidden" name="id" value={a.id} />
                    <input type="hidden" name="role" value={a.role === "admin" ? "user" : "admin"} />
                    <button type="submit" className={a.role === "admin" ? "btn btn-danger py-0.5 text-xs" : "btn py-0.5 text-xs"} disabled={pending}>
                      {a.role === "admin" ? `Demote ${a.username}` : `Make ${a.username} admin`}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
