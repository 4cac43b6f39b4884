/** DTOs the hub's lib returns to app/ and (as props) to components. Dates are ISO strings; those the API answers are inferred from its response schemas (lib/schemas/responses.ts). */
import type { GrantNetwork, MacvlanSegment, Manifest, ManifestFunction, RunError } from "../runner/src/index.ts";
import type { RunScopeReport } from "./runs/scope-report.ts";
import type { z } from "zod";
import type { RunErrorType, RunStatus } from "../runner/src/status.ts";
import type { logLineViewSchema, projectRefSchema, runSummarySchema, taskViewSchema } from "./schemas/responses.ts";
import type { FileRefView } from "./files/types.ts";
import type { Scope } from "../runner/src/scope/rules.ts";

/** The closed sets of a run's life live in runner/src/status.ts (one module for hub, runner, worker protocol, CLI and pages). */
export type { RunErrorType, RunStatus, TaskStatus, TerminalRunStatus } from "../runner/src/status.ts";

/**
 * A run's error as the hub records it: a runner's (a worker's report, its type checked against the
 * runner's closed set) or one only the hub decides (`HUB_ERROR_TYPES`: HubStopped, WorkerLost,
 * DeviceRevoked, OutsideWindow) — both in `RUN_ERROR_TYPES`.
 */
export type HubRunError = Omit<RunError, "type"> & { type: RunErrorType };

export type Role = "user" | "admin";

export interface Viewer {
  id: string;
  email: string;
  username: string;
  name: string | null;
  /** for a caller with an API token, the user's role intersected with the token's scopes (lib/access/scopes.ts) */
  role: Role;
  /** set when the caller came with an API token: what that token allows; absent for a browser session (every scope) */
  token?: TokenGrant;
}

/**
 * What an API token may do: `read` (packages, runs, results, scans, devices), `run` (start, cancel
 * and schedule runs, manage devices), `publish` (upload packages), `admin` (the admin role's
 * powers; only admins' tokens get it). The one closed set: lib/access/scopes.ts decides with it.
 */
export const TOKEN_SCOPES = ["read", "run", "publish", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** The token a caller presented, as lib functions see it beside the viewer. */
export interface TokenGrant {
  id: string;
  scopes: TokenScope[];
  /** publishes only into this namespace and sees private packages only there; null: no such limit */
  namespace: string | null;
  expiresAt: string;
}

export interface TokenSummary {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  namespace: string | null;
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** it had no expiry and no scopes before they existed: the owner has not acknowledged what it got */
  migrationNotice: boolean;
}

/**
 * What creating a credential answers (API tokens, invites, worker credentials, devices): the
 * secret, returned this once and stored only as a hash, and the new item as lists show it.
 */
export interface NewSecret<T> {
  token: string;
  item: T;
}

/** A direct dependency as a version's manifest records it: pinned at upload, never changed. */
export interface PinnedDependency {
  namespace: string;
  name: string;
  version: string;
  /** the requirement as written in pyproject.toml (`lev.joe.jsfuck>=1.0`) */
  requirement: string;
}

/**
 * A manifest as the hub stores it: what introspection found, plus the pinned direct dependencies
 * and the requirements the hub does not install (absent in manifests stored before issue 9).
 */
export type HubManifest = Manifest & { dependencies?: PinnedDependency[]; external?: string[] };

/** A package on the other side of a dependency, as the package page lists it. */
export interface DependencyLink {
  namespace: string;
  name: string;
  version: string;
  /** Depends on: the requirement; Used by: null */
  requirement: string | null;
  /** false when the viewer may not see it (shown by name without a link) */
  visible: boolean;
}

/** `GET /api/packages/{ns}/{name}/versions/{version}`: what `lev add` fetches, archives named by sha256. */
export interface PublishedVersion {
  namespace: string;
  name: string;
  version: string;
  /** sha256 (hex) of `…/archive` */
  sha256: string;
  /** the pinned closure (direct and transitive), sorted by package */
  dependencies: { namespace: string; name: string; version: string; sha256: string }[];
}

export interface PublishResult {
  namespace: string;
  name: string;
  /** the package's visibility after this upload (a new one is private unless the upload said public) */
  private: boolean;
  version: string;
  packageId: string;
  versionId: string;
  manifest: Manifest;
  imageRef: string | null;
  buildLog: string | null;
  created: boolean;
}

export interface CategoryCount {
  key: string;
  id?: string;
  label: string;
  count: number;
}

export interface FacetCount {
  key: string;
  label: string;
  count: number;
}

export interface ExportSummary {
  qualified: string;
  name: string;
  kind: "mode" | "workflow";
  tool: string | null;
  desc: string;
  tags: string[];
  attck: string[];
  blackarch: string[];
}

export interface PackageSummary {
  id: string;
  namespace: string;
  name: string;
  /** `ns.name` */
  fullName: string;
  version: string;
  desc: string;
  tags: string[];
  attck: string[];
  blackarch: string[];
  kinds: ("tool" | "workflow")[];
  functions: number;
  private: boolean;
  updatedAt: string;
  /** exports that matched the text query (empty without one) */
  matches: ExportSummary[];
  /** curation: an admin reviewed the package and marked it official; null when not marked */
  official: OfficialMark | null;
  /** how many users made the package a favourite, of those who may see it now */
  favourites: number;
}

/** Who marked a package official and when (the reviewer is null once their account is gone). */
export interface OfficialMark {
  at: string;
  by: string | null;
}

export interface BrowseQuery {
  q?: string;
  tactic?: string;
  category?: string;
  tag?: string;
  kind?: "tool" | "workflow";
  /** only packages an admin marked official */
  official?: boolean;
  page?: number;
  pageSize?: number;
}

export interface BrowseResult {
  items: PackageSummary[];
  total: number;
  page: number;
  pageSize: number;
  facets: { tactic: FacetCount[]; category: FacetCount[]; tag: FacetCount[]; kind: FacetCount[]; official: FacetCount[] };
}

export interface VersionSummary {
  id: string;
  version: string;
  createdAt: string;
  createdBy: string | null;
  imageRef: string | null;
  imageDigest: string | null;
}

export interface PackageDetail extends PackageSummary {
  versions: VersionSummary[];
  current: VersionSummary & { manifest: Manifest; buildLog: string | null; exports: ExportSummary[] };
  owner: string | null;
  canPublish: boolean;
  /** what the grants give each function of the shown version now, by qualified name (none: nothing) */
  granted: Record<string, GrantedPrivileges>;
  /** the shown version's pinned direct dependencies */
  dependsOn: DependencyLink[];
  /** packages whose latest version depends on some version of this one, that the viewer may see */
  usedBy: DependencyLink[];
  /** requirements of the shown version the hub does not install */
  external: string[];
  /** the viewer made the package a favourite */
  favourited: boolean;
}

/** What the grants give one function: what the runner will allow its tasks at start (policy.ts PackageGrant). */
export interface GrantedPrivileges {
  network: GrantNetwork;
  macvlan?: MacvlanSegment;
  caps: string[];
}

/** What a function no grant covers gets. */
export const NO_GRANT: GrantedPrivileges = { network: "none", caps: [] };

/** An admin's grant as the policy page shows it; `package` null = the whole namespace. */
export interface GrantView {
  id: string;
  namespace: string;
  package: string | null;
  network: GrantNetwork;
  macvlan: MacvlanSegment | null;
  caps: string[];
  /** the functions it covers; empty: every one but raw command-line modes */
  modes: string[];
  note: string;
  createdAt: string;
  createdBy: string | null;
}

export interface FileNode {
  path: string;
  name: string;
  type: "file" | "dir";
  size?: number;
  children?: FileNode[];
}

export interface SourceFile {
  path: string;
  content: string;
  size: number;
  binary: boolean;
  language: string | null;
}

export type RunSummary = z.infer<typeof runSummarySchema>;

/** A project as other DTOs name it. */
export type ProjectRef = z.infer<typeof projectRefSchema>;

export type TaskView = Omit<z.infer<typeof taskViewSchema>, "error"> & { error: RunError | null };

export type LogLineView = z.infer<typeof logLineViewSchema>;

export interface RunDetail extends RunSummary {
  /** as stored: a secret as its reference `{"$lev": "secret", "id"}`, never its value */
  args: Record<string, unknown>;
  /** the name of each secret the arguments bind, by id ("(deleted)" for one deleted since) */
  secretNames: Record<string, string>;
  error: HubRunError | null;
  exitCode: number | null;
  collections: string[];
  tasks: TaskView[];
  logs: LogLineView[];
  /** the manifest entry of the function that ran (null if it vanished from the manifest) */
  fn: ManifestFunction | null;
  /** the files its arguments reference (`{"$lev": "file", "id"}`): id, name, size */
  files: FileRefView[];
  canCancel: boolean;
  /** the viewer may start runs in the run's project (re-run, save as scan); viewers may not */
  canRun: boolean;
  /** a run still waiting for the device it was sent to: how that device is, and when the run stops waiting; else null */
  deviceWait: DeviceWait | null;
  /** a queued run only some of the hub's workers take (its queue): what it waits for, in words; else null */
  waitsFor: string | null;
  /** the project's scope the run carried from submit (entry texts); null: unscoped */
  scope: Scope | null;
  /** what the run's network did with that scope, as its worker last reported it; null: unscoped or nothing reported */
  scopeReport: RunScopeReport | null;
}

/** What the page of a run queued for a device says: the device's state now and the end of the wait (DeviceTimeout). */
export interface DeviceWait {
  device: string;
  state: "online" | "draining" | "offline" | "never connected" | "revoked";
  /** its last heartbeat; null: it never connected */
  lastSeenAt: string | null;
  /** the admin's limit (HubSettings.queue.deviceWaitMinutes) in words: "24 h" */
  wait: string;
  /** when the run ends failed if the device has not taken it (at the earliest) */
  endsAt: string;
}

export interface RunDocument {
  coll: string;
  task: number;
  doc: Record<string, unknown>;
}

/**
 * What `/api/runs/[id]/events` streams, read from the database wherever the run runs: a snapshot
 * first (or, resuming after `Last-Event-ID`, the status and every task), then changes — log lines
 * by seq, tasks as they change, the status — then `end`.
 */
export type RunStreamEvent =
  | { type: "snapshot"; run: RunDetail }
  | { type: "status"; status: RunStatus; queuePosition: number | null; worker: string | null; error: HubRunError | null; progress: { started: number; finished: number } }
  | { type: "task"; task: TaskView }
  | { type: "log"; log: LogLineView }
  | { type: "end"; status: RunStatus };

/** A favourite button's state: whether the viewer has it, and how many users do (of those who may see it). */
export interface FavouriteState {
  favourited: boolean;
  count: number;
}

/** A user as an author: their packages the viewer may see, and how many users made them a favourite. */
export interface AuthorSummary {
  username: string;
  name: string | null;
  /** packages in the author's namespaces the viewer may see */
  packages: number;
  followers: number;
}

/** `/u/<username>` and `GET /api/authors/{username}`: the author and a page of their packages. */
export interface AuthorPage {
  author: AuthorSummary;
  favourited: boolean;
  packages: PackageSummary[];
  page: number;
  pageSize: number;
}

/** A mode or workflow as a favourite lists it. */
export interface FunctionRef {
  qualified: string;
  kind: "mode" | "workflow";
  desc: string;
}

/** A favourite package: its card (the latest version) and the functions to run from it. */
export interface FavouritePackage {
  package: PackageSummary;
  functions: FunctionRef[];
  since: string;
}

/** A favourite function of a package; `current` is null when the package's latest version no longer has it. */
export interface FavouriteFunction {
  namespace: string;
  name: string;
  /** `ns.name` */
  package: string;
  function: string;
  /** the package's latest version */
  version: string;
  current: FunctionRef | null;
  /** how many users made it a favourite, of those who may see the package now */
  favourites: number;
  since: string;
}

export interface FavouriteAuthor {
  author: AuthorSummary;
  since: string;
}

/** `GET /api/favourites` and the Favourites page: only what the viewer may see now, newest first. */
export interface Favourites {
  packages: FavouritePackage[];
  functions: FavouriteFunction[];
  authors: FavouriteAuthor[];
}

/** A comment as its reader sees it: the Markdown source and its HTML (lib/comments/markdown.ts). */
export interface CommentView {
  id: string;
  /** the author's user name */
  author: string;
  body: string;
  html: string;
  createdAt: string;
  /** the author's last edit, null when never edited */
  editedAt: string | null;
  edits: number;
  /** set when an admin hid it: only its author and admins see it then */
  hidden: { at: string; by: string | null; reason: string } | null;
  /** the viewer wrote it: they may edit it (unless hidden) and delete it */
  mine: boolean;
  /** the viewer is an admin: may hide, show again or delete it */
  canModerate: boolean;
}

/** A page of a package's comments, oldest first. */
export interface CommentPage {
  items: CommentView[];
  total: number;
  page: number;
  pageSize: number;
}
