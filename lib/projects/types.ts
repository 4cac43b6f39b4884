/** What pages, the API and the CLI get about projects (dates as ISO strings). */
import type { ProjectRight, ProjectRole } from "../access/project-roles.ts";
import type { Scope } from "../../runner/src/scope/rules.ts";

export type { ProjectRight, ProjectRole };

export interface ProjectSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  client: string;
  /** the authorised window (UTC instants); null = open on that side */
  windowStart: string | null;
  windowEnd: string | null;
  /** a user's own project: one member, its owner */
  personal: boolean;
  /** the caller's role, null when not a member (an admin looking) */
  role: ProjectRole | null;
  memberCount: number;
  createdAt: string;
}

export interface ProjectMemberView {
  username: string;
  name: string | null;
  role: ProjectRole;
  addedAt: string;
  addedBy: string | null;
}

export interface ProjectDetail extends ProjectSummary {
  /** whether the project's secrets may be sent to users' devices (only ever over https) */
  secretsOnDevices: boolean;
  members: ProjectMemberView[];
  /** what the caller may do here */
  rights: ProjectRight[];
  runCount: number;
  scanCount: number;
}

export type ProjectInviteState = "pending" | "used" | "expired";

export interface ProjectInviteView {
  id: string;
  email: string;
  role: ProjectRole;
  state: ProjectInviteState;
  createdAt: string;
  expiresAt: string;
  createdBy: string | null;
  usedBy: string | null;
}

/** Whether someone without an account can create one from a project invite. */
export type InviteSignUp =
  /** the hub is open: anyone may sign up */
  | "open"
  /** an admin invited: the link signs up one account in invite mode */
  | "invite"
  /** they need an account first (an admin's hub invite, or sign-up is closed) */
  | "account-needed";

/** A project's scope as members read it (`GET /api/projects/{slug}/scope`). */
export interface ProjectScopeView {
  /** the rules (runner/src/scope/rules.ts); null: unscoped, runs target anything as before */
  scope: Scope | null;
  /** its runs go only to engines that enforce the scope (never devices; host-network runs refused) */
  requireEnforcement: boolean;
  /** host-network runs allowed in this scoped project: they run unenforced */
  allowHostNetwork: boolean;
  /** every run of the project is enforced by its network (it requires enforcement); else only those on engines that can */
  enforcedByNetwork: boolean;
  /** whether the caller may change it (owners, admins) */
  canEdit: boolean;
}
