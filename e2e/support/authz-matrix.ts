/**
 * The authorization matrix: for every page, every route method and every exported server action,
 * what each kind of caller gets. `e2e/authz.spec.ts` checks pages and routes against a real
 * server, `app/actions/authz.int.test.ts` checks actions against the real database; both first
 * check that the files on disk and the entries here are the same set, so a new page, route or
 * action without an entry fails them.
 *
 * The callers: `anonymous` (no session, no token); `owner` (owns a private package, and the team
 * project `fx.project` holding the fixture run and scan); `operator` and `viewer` (members of that
 * project at those roles); `other` (another user, no member: someone else's project and everything
 * in it answer not found, never forbidden); `admin`. A member lacking a right is refused with 403
 * (`forbidden`): they know the project exists. This file is data and small request builders: it
 * imports nothing from the app but types.
 */
import type { Access } from "../../lib/access/access.ts";
import type { TokenScope } from "../../lib/types.ts";

export const ROLES = ["anonymous", "owner", "operator", "viewer", "other", "admin"] as const;
export type Role = (typeof ROLES)[number];
export type { Access, TokenScope };

/**
 * The scope columns of the route matrix: API tokens that hold one scope each — the owner's for
 * `read`, `run` and `publish`, the admin's for `admin` (only admins' tokens may have it). What each
 * gets follows from the entry (`scopeOutcome`): the role's outcome where the route needs no scope
 * or that scope, 403 naming the scope otherwise.
 */
export const SCOPED_CALLERS = [
  { key: "owner+read", role: "owner", scope: "read" },
  { key: "owner+run", role: "owner", scope: "run" },
  { key: "owner+publish", role: "owner", scope: "publish" },
  { key: "admin+admin", role: "admin", scope: "admin" },
] as const satisfies readonly { key: string; role: Exclude<Role, "anonymous">; scope: TokenScope }[];
export type ScopedCaller = (typeof SCOPED_CALLERS)[number];
/** Who sends a route request: a role (with a token of every scope it may have), or a scoped caller. */
export type Caller = Role | ScopedCaller["key"];
export const CALLERS: readonly Caller[] = [...ROLES, ...SCOPED_CALLERS.map((c) => c.key)];

/** A page: rendered ("ok"), sent to sign in, a 404, or sent elsewhere (`/signin` for a signed-in user). */
export type PageOutcome = "ok" | "signin" | "404" | "redirect";
/** An exact status, or a class ("2xx", "3xx"). */
export type RouteOutcome = 200 | 201 | 401 | 403 | 404 | 409 | 413 | 422 | "2xx" | "3xx";
/** What the wrapped action underneath decided ("ok" or the error code). */
export type ActionOutcome = "ok" | "unauthorized" | "forbidden" | "not_found" | "validation" | "conflict";

type ByRole<T> = Record<Role, T>;

/**
 * What the specs create before checking: an owner with a private package; the owner's team project
 * with an operator and a viewer, a finished run and a saved scan in it (of the public example
 * `levhub.hello`, so that members may run it), and a pending invite to it.
 */
export interface Fixtures {
  owner: string;
  operator: string;
  viewer: string;
  other: string;
  admin: string;
  /** the owner's private package `<owner>.<name>` and one of its functions */
  packageName: string;
  fn: string;
  versionId: string;
  /** the team project's slug */
  project: string;
  /** the project's finished run of `levhub.hello` `greet.hello` */
  runId: string;
  /** the owner's saved scan in the project (slice C) */
  scanId: string;
  /** a pending invite to the project, for an address none of the callers has */
  inviteToken: string;
  /** a file the owner uploaded to the team project (issue 20: levrt.File) */
  fileId: string;
}

export interface PageEntry {
  path: (fx: Fixtures) => string;
  expect: ByRole<PageOutcome>;
}

export interface RouteRequest {
  path: string;
  json?: unknown;
  /**
   * multipart fields; `archiveVersion` asks the spec to attach the private package's archive at that
   * version; `file` attaches a small file under that field name, with text `fields` beside it
   */
  multipart?: { archiveVersion: string; private?: boolean } | { file: { field: string; name: string; content: string }; fields?: Record<string, string> };
}

export interface RouteEntry {
  access: Access;
  /** the API token scope the route declares (lib/api/route.ts); null: any caller the access admits */
  scope: TokenScope | null;
  /** the request each caller sends; given the caller so requests that create things do not collide */
  request: (fx: Fixtures, caller: Caller) => RouteRequest;
  expect: ByRole<RouteOutcome>;
}

/** What a token holding only `caller.scope` gets from a route: worker routes take no user token at all. */
export function scopeOutcome(entry: RouteEntry, caller: ScopedCaller): RouteOutcome {
  // worker and metrics routes take their own credentials, never a user's token
  if (entry.access === "worker" || entry.access === "metrics") return 401;
  return entry.scope === null || entry.scope === caller.scope ? entry.expect[caller.role] : 403;
}

/** What an action test needs besides the matrix fixtures. */
export interface ActionFixtures extends Fixtures {
  /** the owner's API token id (for revoking) */
  ownerTokenId: string;
  /** an archive of the owner's package at a version of its own per role */
  archive: (role: Role) => File;
  /** a name no other call used */
  unique: (role: Role) => string;
  /** a privilege grant an admin made (on the other user's namespace) */
  grantId: string;
  /** a pending invite an admin made */
  inviteId: string;
  /** an account of no other use, whose role the admin action may change */
  spareUserId: string;
}

export interface ActionEntry {
  access: Access;
  /** the arguments each role calls the exported action with */
  args: (fx: ActionFixtures, role: Role) => unknown[];
  expect: ByRole<ActionOutcome>;
}

/** admin actions: anonymous callers must sign in, other users are refused before their input is read */
const adminOnly: ByRole<ActionOutcome> = { anonymous: "unauthorized", owner: "forbidden", operator: "forbidden", viewer: "forbidden", other: "forbidden", admin: "ok" };
const all = <T>(v: T): ByRole<T> => ({ anonymous: v, owner: v, operator: v, viewer: v, other: v, admin: v });
/** every signed-in caller gets `v`; anonymous ones `anon` */
const signedInAll = <T>(anon: T, v: T): ByRole<T> => ({ ...all(v), anonymous: anon });
/**
 * A project's things by role: `read` for whoever may read the project (members and admins), the
 * project's own outcome per role otherwise; a non-member finds nothing.
 */
const byRole = <T>(anon: T, owner: T, operator: T, viewer: T, other: T, admin: T): ByRole<T> => ({ anonymous: anon, owner, operator, viewer, other, admin });
/** signed-in users only; anonymous callers go to sign in */
const signedIn: ByRole<PageOutcome> = signedInAll("signin", "ok");
/** the owner's private package's pages: sign in first, then only the owner and admins see them (a project membership shares no package) */
const ownersPage: ByRole<PageOutcome> = byRole("signin", "ok", "404", "404", "404", "ok");
/** the team project's things: its members and admins see them, anyone else finds nothing */
const projectPage: ByRole<PageOutcome> = byRole("signin", "ok", "ok", "ok", "404", "ok");
/** admin pages do not reveal that they exist */
const adminPage: ByRole<PageOutcome> = byRole("404", "404", "404", "404", "404", "ok");
const form = (fields: Record<string, string | File>): FormData => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return fd;
};
/** the state of a form that is refused or not (revoke buttons, cancel) before its first submit */
const NO_PROBLEM = { problem: null };
/** the idle state of the scan and re-run forms (slice C) */
const SCAN_IDLE = { error: null, errors: {}, saved: null };

/** Keyed by the page file. */
export const PAGES: Record<string, PageEntry> = {
  "app/page.tsx": { path: () => "/", expect: all("ok") },
  "app/browse/page.tsx": { path: () => "/browse", expect: all("ok") },
  "app/p/[ns]/[name]/page.tsx": {
    path: (fx) => `/p/${fx.owner}/${fx.packageName}`,
    expect: byRole("404", "ok", "404", "404", "404", "ok"),
  },
  "app/p/[ns]/[name]/run/[fn]/page.tsx": { path: (fx) => `/p/${fx.owner}/${fx.packageName}/run/${fx.fn}`, expect: ownersPage },
  "app/runs/page.tsx": { path: () => "/runs", expect: signedIn },
  "app/runs/[id]/page.tsx": { path: (fx) => `/runs/${fx.runId}`, expect: projectPage },
  "app/settings/tokens/page.tsx": { path: () => "/settings/tokens", expect: signedIn },
  "app/settings/security/page.tsx": { path: () => "/settings/security", expect: signedIn },
  "app/upload/page.tsx": { path: () => "/upload", expect: signedIn },
  "app/signin/page.tsx": { path: () => "/signin", expect: signedInAll("ok", "redirect") },
  "app/signup/page.tsx": { path: () => "/signup", expect: signedInAll("ok", "redirect") },
  "app/admin/accounts/page.tsx": { path: () => "/admin/accounts", expect: adminPage },
  "app/admin/policy/page.tsx": { path: () => "/admin/policy", expect: adminPage },
  // slice A (issue 8, the run queue)
  "app/admin/workers/page.tsx": { path: () => "/admin/workers", expect: adminPage },
  "app/admin/retention/page.tsx": { path: () => "/admin/retention", expect: adminPage },
  "app/admin/notifications/page.tsx": { path: () => "/admin/notifications", expect: adminPage },
  // slice C (issue 8 item 4, issue 7 item 3: saved scans and re-run)
  "app/scans/page.tsx": { path: () => "/scans", expect: signedIn },
  "app/scans/[id]/page.tsx": { path: (fx) => `/scans/${fx.scanId}`, expect: projectPage },
  // issue 14: a scan's edit form: only its creator edits it (it runs as them); the project's operators and admins pause and delete it
  "app/scans/[id]/edit/page.tsx": { path: (fx) => `/scans/${fx.scanId}/edit`, expect: byRole("signin", "ok", "404", "404", "404", "404") },
  // slice G: compare
  "app/compare/page.tsx": { path: (fx) => `/compare?a=${fx.runId}&b=${fx.runId}`, expect: projectPage },
  // slice F: results browser (another user's run filter shows nothing, never someone else's documents)
  "app/results/page.tsx": { path: (fx) => `/results?run=${fx.runId}`, expect: signedIn },
  // slice D1 (issue 10, my devices): every user has their own list
  "app/settings/devices/page.tsx": { path: () => "/settings/devices", expect: signedIn },
  // issue 18: projects (the list is one's own; a project's page its readers'; its settings its owners')
  "app/projects/page.tsx": { path: () => "/projects", expect: signedIn },
  "app/projects/[slug]/page.tsx": { path: (fx) => `/projects/${fx.project}`, expect: projectPage },
  "app/projects/[slug]/settings/page.tsx": { path: (fx) => `/projects/${fx.project}/settings`, expect: byRole("signin", "ok", "404", "404", "404", "ok") },
  "app/projects/[slug]/notifications/page.tsx": { path: (fx) => `/projects/${fx.project}/notifications`, expect: byRole("signin", "ok", "404", "404", "404", "ok") },
  // an invite link shows its project and role to whoever holds it, signed in or not
  "app/projects/[slug]/join/[token]/page.tsx": { path: (fx) => `/projects/${fx.project}/join/${fx.inviteToken}`, expect: all("ok") },
  // issue 18 (audit): every signed-in user reads the trail of the projects they own (admins: all); retention is an admin's
  "app/audit/page.tsx": { path: (fx) => `/audit?project=${fx.project}`, expect: signedIn },
  // issue 17: assets and findings. The overviews list one's own projects; a project's assets and findings its readers'
  "app/assets/page.tsx": { path: () => "/assets", expect: signedIn },
  "app/findings/page.tsx": { path: () => "/findings", expect: signedIn },
  "app/projects/[slug]/assets/page.tsx": { path: (fx) => `/projects/${fx.project}/assets?q=10.0.0.0/8`, expect: projectPage },
  "app/projects/[slug]/findings/page.tsx": { path: (fx) => `/projects/${fx.project}/findings?state=open`, expect: projectPage },
  // the fixture project has no host or finding (its run is of levhub.hello): past the project's check, not found
  "app/projects/[slug]/hosts/[address]/page.tsx": { path: (fx) => `/projects/${fx.project}/hosts/10.231.0.2`, expect: byRole("signin", "404", "404", "404", "404", "404") },
  "app/projects/[slug]/findings/[id]/page.tsx": { path: (fx) => `/projects/${fx.project}/findings/999999`, expect: byRole("signin", "404", "404", "404", "404", "404") },
  // issue 21 (Collect, comments): a user's own favourites; an author is known only through a package one may see
  "app/favourites/page.tsx": { path: () => "/favourites", expect: signedIn },
  "app/u/[username]/page.tsx": { path: (fx) => `/u/${fx.owner}`, expect: byRole("404", "ok", "404", "404", "404", "ok") },
};

/** reading the team project's run, scan or the project itself */
const projectRead = byRole<RouteOutcome>(401, 200, 200, 200, 404, 200);
/** acting in the team project (run, cancel, re-run, schedule): viewers are refused, non-members find nothing */
const projectRun = (ok: RouteOutcome) => byRole<RouteOutcome>(401, ok, ok, 403, 404, ok);
/** changing the team project itself (details, members, invites): its owners and admins */
const projectManage = (ok: RouteOutcome) => byRole<RouteOutcome>(401, ok, 403, 403, 404, ok);
const signedInRoute = signedInAll<RouteOutcome>(401, 200);
/** the run form and API on the public example, in the team project */
const helloRun = (fx: Fixtures, role: Caller) => ({ package: "levhub.hello", function: "greet.hello", args: { name: `authz ${role}` }, project: fx.project });
/** a debug session id no session has */
const NO_SESSION = "nosuchsession0000";
const noSession = signedInAll<RouteOutcome>(401, 404);

/** Keyed by `<METHOD> <route file>`. */
export const ROUTES: Record<string, RouteEntry> = {
  "GET app/api/me/route.ts": { access: "user", scope: null, request: () => ({ path: "/api/me" }), expect: signedInRoute },
  "GET app/api/packages/route.ts": { access: "public", scope: "read", request: () => ({ path: "/api/packages?q=probe" }), expect: all(200) },
  "POST app/api/packages/route.ts": {
    access: "user", scope: "publish",
    // every role publishes into the owner's namespace, each at a version of its own
    request: (_fx, caller) => ({ path: "/api/packages", multipart: { archiveVersion: `0.2.${CALLERS.indexOf(caller)}`, private: true } }),
    expect: byRole(401, 201, 403, 403, 403, 201),
  },
  "GET app/api/packages/[ns]/[name]/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}` }),
    expect: byRole(404, 200, 404, 404, 404, 200),
  },
  "GET app/api/packages/[ns]/[name]/versions/[version]/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/versions/latest` }),
    expect: byRole(404, 200, 404, 404, 404, 200),
  },
  "GET app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/versions/latest/archive` }),
    expect: byRole(404, 200, 404, 404, 404, 200),
  },
  "GET app/api/runs/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/runs" }), expect: signedInRoute },
  // a run in the team project: its viewers may not start one (the private package's runs: the action entries)
  "POST app/api/runs/route.ts": { access: "user", scope: "run", request: (fx, role) => ({ path: "/api/runs", json: helloRun(fx, role) }), expect: projectRun(201) },
  "GET app/api/runs/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}` }), expect: projectRead },
  // the fixture run has ended: a cancel changes nothing, past the right to cancel
  "POST app/api/runs/[id]/cancel/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/cancel` }), expect: projectRun(200) },
  "GET app/api/runs/[id]/documents/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/documents` }), expect: projectRead },
  "GET app/api/runs/[id]/report/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/report?format=md` }), expect: projectRead },
  "GET app/api/runs/[id]/evidence/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/evidence` }), expect: projectRead },
  "GET app/api/runs/[id]/events/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/events` }), expect: projectRead },
  "GET app/api/auth/[...nextauth]/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/auth/csrf" }), expect: all(200) },
  // without next-auth's CSRF token a sign-out is sent back to the confirmation page, whoever asks
  "POST app/api/auth/[...nextauth]/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/auth/signout", json: {} }), expect: all("3xx") },
  // slice A (issue 8, the run queue): worker routes take only worker credentials; no user session or token gets in
  "POST app/api/worker/register/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/register", json: {} }), expect: all(401) },
  "POST app/api/worker/heartbeat/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/heartbeat", json: {} }), expect: all(401) },
  "POST app/api/worker/poll/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/poll", json: {} }), expect: all(401) },
  "POST app/api/worker/runs/[id]/events/route.ts": { access: "worker", scope: null, request: (fx) => ({ path: `/api/worker/runs/${fx.runId}/events`, json: {} }), expect: all(401) },
  "POST app/api/worker/runs/[id]/store/route.ts": { access: "worker", scope: null, request: (fx) => ({ path: `/api/worker/runs/${fx.runId}/store`, json: {} }), expect: all(401) },
  // issue 18 (secrets): only the worker instance holding the run gets its secrets' values
  "POST app/api/worker/runs/[id]/secrets/route.ts": { access: "worker", scope: null, request: (fx) => ({ path: `/api/worker/runs/${fx.runId}/secrets`, json: {} }), expect: all(401) },
  "GET app/api/worker/packages/[sha256]/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/packages/${"0".repeat(64)}` }), expect: all(401) },
  "GET app/api/worker/images/[imageId]/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/images/sha256:${"0".repeat(64)}` }), expect: all(401) },
  "POST app/api/worker/debug/[session]/stream/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/debug/${NO_SESSION}/stream`, json: { after: 0 } }), expect: all(401) },
  "POST app/api/worker/debug/[session]/output/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/debug/${NO_SESSION}/output`, json: { frames: [], acked: 0 } }), expect: all(401) },
  // issue 21 (debug terminals): only the run's owner, and only into a running task (the fixture's run ended: 409);
  // an admin or a project member who sees the run is refused (403); sessions are their opener's (anyone else's reads as missing, as does this made-up one)
  "POST app/api/runs/[id]/debug/route.ts": {
    access: "user",
    scope: "run",
    request: (fx) => ({ path: `/api/runs/${fx.runId}/debug`, json: { task: 1, cols: 80, rows: 24 } }),
    expect: byRole(401, 409, 403, 403, 404, 403),
  },
  "GET app/api/runs/[id]/debug/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/debug` }), expect: projectRead },
  "GET app/api/debug/[session]/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}` }), expect: noSession },
  "DELETE app/api/debug/[session]/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}` }), expect: noSession },
  "GET app/api/debug/[session]/events/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}/events` }), expect: noSession },
  "POST app/api/debug/[session]/input/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}/input`, json: { data: "id\r" } }), expect: noSession },
  "GET app/api/worker/files/[sha256]/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/files/${"0".repeat(64)}` }), expect: all(401) },
  // slice C (saved scans and re-run): a scan of a project one is no member of is 404; its members see it, its
  // operators and owners (and admins) pause it, only its creator edits or starts it (it runs as them)
  "GET app/api/scans/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/scans" }), expect: signedInRoute },
  "POST app/api/scans/route.ts": {
    access: "user", scope: "run",
    request: (fx, role) => ({ path: "/api/scans", json: { ...helloRun(fx, role), name: `authz ${role} ${Date.now()}`, cron: "0 3 * * *" } }),
    expect: projectRun(201),
  },
  "GET app/api/scans/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/scans/${fx.scanId}` }), expect: projectRead },
  // PATCH carries its body as JSON like every other method here
  "PATCH app/api/scans/[id]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/scans/${fx.scanId}`, json: { enabled: true } }), expect: projectRun(200) },
  // deleting the fixture scan would change what the other entries see: no scan by that id, past the access check
  "DELETE app/api/scans/[id]/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/scans/no-such-scan" }), expect: signedInAll<RouteOutcome>(401, 404) },
  "POST app/api/scans/[id]/run/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/scans/${fx.scanId}/run`, json: {} }), expect: byRole(401, 201, 403, 403, 404, 403) },
  "POST app/api/runs/[id]/rerun/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/rerun`, json: {} }), expect: projectRun(201) },
  // issue 20: files given to runs. An upload goes to a project where the caller may run; a file is
  // seen by its uploader and whoever may run in its project; anyone else (a viewer too) finds none
  "POST app/api/files/route.ts": {
    access: "user", scope: "run",
    request: (fx, caller) => ({ path: "/api/files", multipart: { file: { field: "file", name: `authz-${caller}.txt`, content: `a line from ${caller}\n` }, fields: { project: fx.project } } }),
    expect: projectRun(201),
  },
  "GET app/api/files/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/files/${fx.fileId}` }), expect: byRole(401, 200, 200, 404, 404, 200) },
  // slice G: compare, OpenAPI
  "GET app/api/runs/compare/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/compare?a=${fx.runId}&b=${fx.runId}` }), expect: projectRead },
  // slice F: results index (filters only ever narrow the caller's projects' documents; any other document is 404)
  "GET app/api/results/collections/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/results/collections" }), expect: signedInRoute },
  "GET app/api/results/documents/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/documents?run=${fx.runId}&limit=5` }), expect: signedInRoute },
  "GET app/api/results/documents/[id]/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/results/documents/999999999999" }), expect: signedInAll<RouteOutcome>(401, 404) },
  "GET app/api/results/export/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/export?run=${fx.runId}&format=csv` }), expect: signedInRoute },
  "GET app/api/results/chart/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/chart?kind=runs&run=${fx.runId}` }), expect: signedInRoute },
  "GET app/api/openapi.json/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/openapi.json" }), expect: all(200) },
  // slice D1 (issue 10, my devices): a user's own devices only; someone else's (or none) is 404. A
  // device token in the worker routes is checked in lib/devices/devices.int.test.ts.
  "GET app/api/devices/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/devices" }), expect: signedInRoute },
  "POST app/api/devices/route.ts": {
    access: "user", scope: "run",
    request: (_fx, caller) => ({ path: "/api/devices", json: { name: `authz-${caller.replace("+", "-")}-${Date.now()}` } }),
    expect: signedInAll<RouteOutcome>(401, 201),
  },
  "GET app/api/devices/[id]/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/devices/no-such-device" }), expect: signedInAll<RouteOutcome>(401, 404) },
  "PATCH app/api/devices/[id]/route.ts": {
    access: "user", scope: "run",
    request: () => ({ path: "/api/devices/no-such-device", json: { name: "renamed" } }),
    expect: signedInAll<RouteOutcome>(401, 404),
  },
  // issue 18: projects. Every signed-in user makes projects; a project's readers see it and its members; its owners change it
  "GET app/api/projects/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/projects" }), expect: signedInRoute },
  "POST app/api/projects/route.ts": {
    access: "user", scope: "run",
    request: (_fx, role) => ({ path: "/api/projects", json: { slug: `authz-${role.replace(/[^a-z0-9]/g, "-")}-${Date.now()}`, name: `made by ${role}` } }),
    expect: signedInAll<RouteOutcome>(401, 201),
  },
  "GET app/api/projects/[slug]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}` }), expect: projectRead },
  "PATCH app/api/projects/[slug]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}`, json: { client: "Authz Client" } }), expect: projectManage(200) },
  // the fixture project holds runs: past the right to delete, it is kept (409)
  "DELETE app/api/projects/[slug]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}` }), expect: projectManage(409) },
  // issue 19: a project's scope. Members read it; owners replace it (an empty scope: the fixture project stays unscoped)
  "GET app/api/projects/[slug]/scope/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/scope` }), expect: projectRead },
  "GET app/api/projects/[slug]/report/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/report?format=md` }), expect: projectRead },
  "PUT app/api/projects/[slug]/scope/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/scope`, json: { scope: null } }), expect: projectManage(200) },
  // issue 17: an import is a run of the hub's importer in the project, given a file of the project
  "POST app/api/projects/[slug]/imports/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/imports`, json: { format: "nmap", file: fx.fileId } }), expect: projectRun(201) },
  "GET app/api/projects/[slug]/members/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/members` }), expect: projectRead },
  // adding the viewer again: past the right to add, a member already (409), nothing changes
  "POST app/api/projects/[slug]/members/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/projects/${fx.project}/members`, json: { username: fx.viewer, role: "viewer" } }),
    expect: projectManage(409),
  },
  "PATCH app/api/projects/[slug]/members/[username]/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/projects/${fx.project}/members/${fx.viewer}`, json: { role: "viewer" } }),
    expect: projectManage(200),
  },
  "DELETE app/api/projects/[slug]/members/[username]/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/projects/${fx.project}/members/nosuchuser` }),
    expect: projectManage(404),
  },
  "GET app/api/projects/[slug]/invites/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/invites` }), expect: projectManage(200) },
  "POST app/api/projects/[slug]/invites/route.ts": {
    access: "user", scope: "run",
    request: (fx, role) => ({ path: `/api/projects/${fx.project}/invites`, json: { email: `authz-${role}-${Date.now()}@example.test`, role: "viewer" } }),
    expect: projectManage(201),
  },
  "DELETE app/api/projects/[slug]/invites/[id]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/invites/no-such-invite` }), expect: projectManage(404) },
  // the fixture invite is for an address none of the callers has
  "POST app/api/projects/[slug]/invites/accept/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/projects/${fx.project}/invites/accept`, json: { token: fx.inviteToken } }),
    expect: signedInAll<RouteOutcome>(401, 403),
  },
  // issue 18 (secrets): a project's members see its secrets' names (never values); its owners and admins change them
  "GET app/api/projects/[slug]/secrets/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/secrets` }), expect: projectRead },
  "POST app/api/projects/[slug]/secrets/route.ts": {
    access: "user", scope: "run",
    request: (fx, caller) => ({ path: `/api/projects/${fx.project}/secrets`, json: { name: `authz_${caller.replace(/\W/g, "_")}_${Date.now()}`, value: "authz-secret-value" } }),
    expect: projectManage(201),
  },
  // no such secret: past the right to change the project's secrets
  "PATCH app/api/projects/[slug]/secrets/[id]/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/projects/${fx.project}/secrets/no-such-secret-000000`, json: { description: "x" } }),
    expect: projectManage(404),
  },
  "DELETE app/api/projects/[slug]/secrets/[id]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/secrets/no-such-secret-000000` }), expect: projectManage(404) },
  "DELETE app/api/devices/[id]/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/devices/no-such-device" }), expect: signedInAll<RouteOutcome>(401, 404) },
  // issue 17 (notifications): a project's rules and delivery log are its owners'; everyone signed in keeps rules of their own.
  // Rules made here mail (no SMTP server in the fixture: they go dead) so nothing leaves 127.0.0.1.
  "GET app/api/projects/[slug]/notifications/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/notifications` }), expect: projectManage(200) },
  "POST app/api/projects/[slug]/notifications/route.ts": {
    access: "user", scope: "run",
    request: (fx, caller) => ({ path: `/api/projects/${fx.project}/notifications`, json: { name: `authz ${caller}`, channel: "email", emails: ["authz@example.test"], events: ["run.failed"] } }),
    expect: projectManage(201),
  },
  "DELETE app/api/projects/[slug]/notifications/[id]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/notifications/no-such-rule` }), expect: projectManage(404) },
  "POST app/api/projects/[slug]/notifications/[id]/test/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/notifications/no-such-rule/test`, json: {} }), expect: projectManage(404) },
  "GET app/api/projects/[slug]/notifications/deliveries/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/notifications/deliveries?limit=5` }), expect: projectManage(200) },
  "GET app/api/me/notifications/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/me/notifications" }), expect: signedInRoute },
  "POST app/api/me/notifications/route.ts": {
    access: "user", scope: "run",
    request: (_fx, caller) => ({ path: "/api/me/notifications", json: { name: `authz ${caller}`, channel: "email", emails: ["authz@example.test"], events: ["finding.new"], minSeverity: "high" } }),
    expect: signedInAll<RouteOutcome>(401, 201),
  },
  "DELETE app/api/me/notifications/[id]/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/me/notifications/no-such-rule" }), expect: signedInAll<RouteOutcome>(401, 404) },
  "POST app/api/me/notifications/[id]/test/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/me/notifications/no-such-rule/test", json: {} }), expect: signedInAll<RouteOutcome>(401, 404) },
  "GET app/api/me/notifications/deliveries/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/me/notifications/deliveries" }), expect: signedInRoute },
  // issue 18 (audit): every signed-in caller reads the trail they may (admins all, owners their projects'), never more
  "GET app/api/audit/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/audit?project=${fx.project}&limit=5` }), expect: signedInRoute },
  "GET app/api/audit/export/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/audit/export?project=${fx.project}&format=csv` }), expect: signedInRoute },
  // issue 17: a project's assets and findings; its readers read them, operators and owners triage, anyone else finds nothing
  "GET app/api/projects/[slug]/assets/hosts/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/assets/hosts?q=10.0.0.0/8` }), expect: projectRead },
  // the fixture project has no host: past the project's check, not found (lib/findings/findings.int.test.ts reads one by every role)
  "GET app/api/projects/[slug]/assets/hosts/[address]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/assets/hosts/10.231.0.2` }), expect: signedInAll<RouteOutcome>(401, 404) },
  "GET app/api/projects/[slug]/assets/services/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/assets/services?port=22` }), expect: projectRead },
  "GET app/api/projects/[slug]/findings/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/findings?state=open` }), expect: projectRead },
  // no finding by that number: past the right to triage, not found, and nothing changes
  "PATCH app/api/projects/[slug]/findings/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/projects/${fx.project}/findings`, json: { ids: ["999999"], state: "confirmed", note: "authz" } }), expect: projectRun(404) },
  "GET app/api/projects/[slug]/findings/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/projects/${fx.project}/findings/999999` }), expect: signedInAll<RouteOutcome>(401, 404) },
  // issue 14 (operate the hub): liveness and readiness are open to anyone and read no credential (the
  // e2e server has a live worker: ready); /metrics takes the metrics token only, no user's session or token
  "GET app/api/health/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/health" }), expect: all(200) },
  "GET app/api/ready/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/ready" }), expect: all(200) },
  "GET app/metrics/route.ts": { access: "metrics", scope: null, request: () => ({ path: "/metrics" }), expect: all(401) },
  // issue 21 (Collect, comments): favourites and comments of the owner's private package exist only for those who see it
  "GET app/api/favourites/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/favourites" }), expect: signedInRoute },
  "POST app/api/favourites/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: "/api/favourites", json: { package: `${fx.owner}.${fx.packageName}` } }),
    expect: byRole(401, 201, 404, 404, 404, 201),
  },
  "DELETE app/api/favourites/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: `/api/favourites?package=${fx.owner}.${fx.packageName}` }),
    expect: byRole(401, 200, 404, 404, 404, 200),
  },
  "GET app/api/authors/[username]/route.ts": { access: "public", scope: "read", request: (fx) => ({ path: `/api/authors/${fx.owner}` }), expect: byRole(404, 200, 404, 404, 404, 200) },
  "GET app/api/packages/[ns]/[name]/comments/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/comments` }),
    expect: byRole(404, 200, 404, 404, 404, 200),
  },
  "POST app/api/packages/[ns]/[name]/comments/route.ts": {
    access: "user", scope: "publish",
    request: (fx, caller) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/comments`, json: { body: `authz ${caller}` } }),
    expect: byRole(401, 201, 404, 404, 404, 201),
  },
  // no comment by that id, for anyone: past the access check (ownership: lib/comments/comments.int.test.ts)
  "PATCH app/api/comments/[id]/route.ts": { access: "user", scope: "publish", request: () => ({ path: "/api/comments/no-such-comment", json: { body: "edited" } }), expect: byRole(401, 404, 404, 404, 404, 404) },
  "DELETE app/api/comments/[id]/route.ts": { access: "user", scope: "publish", request: () => ({ path: "/api/comments/no-such-comment" }), expect: byRole(401, 404, 404, 404, 404, 404) },
  "POST app/api/comments/[id]/moderation/route.ts": {
    access: "admin", scope: "admin",
    request: () => ({ path: "/api/comments/no-such-comment/moderation", json: { action: "hide" } }),
    expect: byRole(401, 403, 403, 403, 403, 404),
  },
};

/** Keyed by `<action file>#<export>`. */
/** acting in the team project: viewers are refused, non-members find nothing */
const projectAction = (ok: ActionOutcome) => byRole<ActionOutcome>("unauthorized", ok, ok, "forbidden", "not_found", ok);
/** changing the team project itself: its owners and admins */
const projectManageAction = (ok: ActionOutcome) => byRole<ActionOutcome>("unauthorized", ok, "forbidden", "forbidden", "not_found", ok);
/** the owner's private package: a project membership shares no package, so only the owner and admins find it */
const privatePackage = byRole<ActionOutcome>("unauthorized", "ok", "not_found", "not_found", "not_found", "ok");

export const ACTIONS: Record<string, ActionEntry> = {
  // issue 17: triage in the team project (no finding by that number: past the right to triage, not found, nothing changes)
  "app/actions/triage-findings.ts#triageFindingsAction": {
    access: "user",
    args: (fx) => [fx.project, { problem: null, done: null }, form({ ids: "999999", state: "confirmed", note: "authz" })],
    expect: projectAction("not_found"),
  },
  "app/actions/cancel-run.ts#cancelRunAction": {
    access: "user",
    args: (fx) => [fx.runId, NO_PROBLEM, new FormData()],
    expect: projectAction("ok"),
  },
  "app/actions/create-token.ts#createTokenAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ name: fx.unique(role), scopes: "read", days: "30" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  "app/actions/renew-token.ts#renewTokenAction": {
    access: "user",
    // tokens are personal: renewing someone else's is as if it did not exist
    args: (fx) => [NO_PROBLEM, form({ id: fx.ownerTokenId, days: "30" })],
    expect: byRole<ActionOutcome>("unauthorized", "ok", "not_found", "not_found", "not_found", "not_found"),
  },
  "app/actions/dismiss-token-notice.ts#dismissTokenNoticeAction": {
    access: "user",
    args: () => [NO_PROBLEM],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  "app/actions/revoke-token.ts#revokeTokenAction": {
    access: "user",
    // tokens are personal: not even an admin revokes someone else's
    args: (fx) => [NO_PROBLEM, form({ id: fx.ownerTokenId })],
    expect: byRole<ActionOutcome>("unauthorized", "ok", "not_found", "not_found", "not_found", "not_found"),
  },
  "app/actions/sign-up.ts#signUpAction": {
    access: "public",
    args: (fx, role) => [form({ username: fx.unique(role), email: `${fx.unique(role)}@example.test`, password: "a long enough password" })],
    expect: all("ok"),
  },
  "app/actions/start-run.ts#startRunAction": {
    access: "user",
    args: (fx) => [fx.versionId, fx.fn, { errors: {}, message: null }, form({ "arg.message": "authz" })],
    expect: privatePackage,
  },
  "app/actions/upload-package.ts#uploadPackageAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ archive: fx.archive(role), private: "on" })],
    expect: byRole<ActionOutcome>("unauthorized", "ok", "forbidden", "forbidden", "forbidden", "ok"),
  },
  "app/actions/grant-privileges.ts#grantPrivilegesAction": {
    access: "admin",
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, network: "bridge", caps: "NET_RAW", note: "authz" })],
    expect: adminOnly,
  },
  "app/actions/revoke-grant.ts#revokeGrantAction": {
    access: "admin",
    args: (fx) => [NO_PROBLEM, form({ id: fx.grantId })],
    expect: adminOnly,
  },
  "app/actions/update-policy-settings.ts#updatePolicySettingsAction": {
    access: "admin",
    // an empty form: the admin gets past the role check and is then told what is missing
    args: () => [{ status: "idle" }, new FormData()],
    expect: { ...adminOnly, admin: "validation" },
  },
  "app/actions/mark-official.ts#markOfficialAction": {
    access: "admin",
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, name: fx.packageName, official: "true" })],
    expect: adminOnly,
  },
  "app/actions/create-invite.ts#createInviteAction": {
    access: "admin",
    args: (fx, role) => [{ status: "idle" }, form({ email: `${fx.unique(role)}@invited.example`, note: "authz", days: "7" })],
    expect: adminOnly,
  },
  "app/actions/revoke-invite.ts#revokeInviteAction": { access: "admin", args: (fx) => [NO_PROBLEM, form({ id: fx.inviteId })], expect: adminOnly },
  "app/actions/set-sign-up-mode.ts#setSignUpModeAction": { access: "admin", args: () => [{ status: "idle" }, form({ mode: "open" })], expect: adminOnly },
  "app/actions/set-user-role.ts#setUserRoleAction": {
    access: "admin",
    args: (fx) => [{ status: "idle" }, form({ id: fx.spareUserId, role: "admin" })],
    expect: adminOnly,
  },
  "app/actions/sign-out-everywhere.ts#signOutEverywhereAction": {
    access: "user",
    args: () => [],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  // issue 23: two-factor sign-in (each user's own; the set-up actions also serve a user who still owes it)
  "app/actions/two-factor.ts#startTwoFactorAction": {
    access: "user",
    args: () => [{ status: "idle" }],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  "app/actions/two-factor.ts#confirmTwoFactorAction": {
    access: "user",
    // a made-up code: past the access check, refused as a field error
    args: () => [{ status: "idle" }, form({ code: "000000" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "validation"),
  },
  "app/actions/two-factor.ts#disableTwoFactorAction": {
    access: "user",
    // nobody has it on here: past the access check, refused as a conflict
    args: () => [{ status: "idle" }, form({ code: "000000" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "conflict"),
  },
  "app/actions/hub-access.ts#setTwoFactorRequiredAction": { access: "admin", args: () => [{ status: "idle" }, form({ required: "none" })], expect: adminOnly },
  "app/actions/hub-access.ts#setPublicUrlAction": { access: "admin", args: () => [{ status: "idle" }, form({ publicUrl: "" })], expect: adminOnly },
  // issue 23: who sees a package: whoever may publish into its namespace; someone else's private package does not exist for them
  "app/actions/package-visibility.ts#setPackageVisibilityAction": {
    access: "user",
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, name: fx.packageName, private: "true" })],
    expect: byRole<ActionOutcome>("unauthorized", "ok", "not_found", "not_found", "not_found", "ok"),
  },
  // slice A (issue 8, the run queue)
  "app/actions/create-worker-credential.ts#createWorkerCredentialAction": {
    access: "admin",
    args: (fx, role) => [{ status: "idle" }, form({ name: fx.unique(role) })],
    expect: adminOnly,
  },
  "app/actions/revoke-worker-credential.ts#revokeWorkerCredentialAction": {
    access: "admin",
    // no credential by that id: the admin gets past the role check and is told so
    args: () => [NO_PROBLEM, form({ id: "no-such-credential" })],
    expect: { ...adminOnly, admin: "not_found" },
  },
  "app/actions/update-queue-limits.ts#updateQueueLimitsAction": {
    access: "admin",
    args: () => [{ status: "idle" }, form({ totalRuns: "16", perUserRuns: "4", queuedPerUser: "100", scansPerUser: "100", hubWorkerInstances: "16" })],
    expect: adminOnly,
  },
  // the allow-list kept empty and no SMTP server, as the fixture hub has them
  "app/actions/notify-settings.ts#updateNotifySettingsAction": {
    access: "admin",
    args: () => [{ status: "idle" }, form({ allowHosts: "", host: "" })],
    expect: adminOnly,
  },
  "app/actions/retention.ts#updateRetentionAction": {
    access: "admin",
    // blank fields: everything kept for ever, as a fresh hub has it
    args: () => [{ status: "idle" }, form({ runs: "", logs: "", documents: "", imageTars: "", deletedVersions: "", audit: "" })],
    expect: adminOnly,
  },
  // slice C (saved scans and re-run)
  "app/actions/scans.ts#saveRunAsScanAction": {
    access: "user",
    args: (fx, role) => [fx.runId, SCAN_IDLE, form({ scanName: fx.unique(role), cron: "0 3 * * *" })],
    expect: projectAction("ok"),
  },
  "app/actions/scans.ts#saveFormAsScanAction": {
    access: "user",
    args: (fx, role) => [`${fx.owner}.${fx.packageName}`, null, fx.fn, SCAN_IDLE, form({ scanName: fx.unique(role), "arg.message": "authz" })],
    expect: privatePackage,
  },
  "app/actions/delete-package.ts#deletePackageAction": {
    access: "user",
    // a version the fixture package lacks, confirmed: past the access check, nothing to delete (the rules: lib/packages/deletion.int.test.ts)
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, name: fx.packageName, version: "9.9.9", confirm: `${fx.owner}.${fx.packageName}@9.9.9` })],
    expect: signedInAll<ActionOutcome>("unauthorized", "not_found"),
  },
  "app/actions/scans.ts#editScanAction": {
    access: "user",
    // the fixture scan as app/actions/authz.int.test.ts makes it (its name, function, arguments, schedule): nothing the other entries read changes
    args: (fx) => [fx.scanId, { errors: {}, message: null }, form({ scanName: "fixture", function: "greet.hello", "arg.name": "fixture", cron: "0 3 * * *", timezone: "UTC", version: "" })],
    // only its creator edits a scan (it runs as them): the project's other members and admins are refused
    expect: byRole<ActionOutcome>("unauthorized", "ok", "forbidden", "forbidden", "not_found", "forbidden"),
  },
  "app/actions/scans.ts#runScanNowAction": {
    access: "user",
    args: (fx) => [SCAN_IDLE, form({ scanId: fx.scanId })],
    expect: byRole<ActionOutcome>("unauthorized", "ok", "forbidden", "forbidden", "not_found", "forbidden"),
  },
  "app/actions/scans.ts#setScanEnabledAction": {
    access: "user",
    args: (fx) => [SCAN_IDLE, form({ scanId: fx.scanId, enabled: "true" })],
    expect: projectAction("ok"),
  },
  "app/actions/scans.ts#deleteScanAction": {
    access: "user",
    // no scan by that id (deleting the fixture would change the other entries): past the access check
    args: () => [SCAN_IDLE, form({ scanId: "no-such-scan" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "not_found"),
  },
  "app/actions/rerun.ts#rerunAction": {
    access: "user",
    args: (fx) => [fx.runId, false, SCAN_IDLE, new FormData()],
    expect: projectAction("ok"),
  },
  "app/actions/rerun.ts#rerunEditedAction": {
    access: "user",
    args: (fx) => [fx.runId, { errors: {}, message: null }, form({ "arg.name": "edited" })],
    expect: projectAction("ok"),
  },
  // slice D1 (issue 10, my devices)
  "app/actions/devices.ts#addDeviceAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ name: fx.unique(role) })],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  "app/actions/devices.ts#renameDeviceAction": {
    access: "user",
    // no device by that id, for anyone: past the access check (ownership: lib/devices/devices.int.test.ts)
    args: () => [{ status: "idle", message: null }, form({ deviceId: "no-such-device", name: "renamed" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "not_found"),
  },
  "app/actions/devices.ts#setDeviceRulesAction": {
    access: "admin",
    args: () => [{ status: "idle" }, form({ hostNetworkOnDevicesOnly: "false" })],
    expect: adminOnly,
  },
  "app/actions/devices.ts#revokeDeviceAction": {
    access: "user",
    args: () => [NO_PROBLEM, form({ deviceId: "no-such-device" })],
    expect: signedInAll<ActionOutcome>("unauthorized", "not_found"),
  },
  // issue 18: projects
  "app/actions/projects.ts#createProjectAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ slug: fx.unique(role).replace(/_/g, "-"), name: `made by ${role}` })],
    expect: signedInAll<ActionOutcome>("unauthorized", "ok"),
  },
  "app/actions/projects.ts#updateProjectAction": {
    access: "user",
    args: (fx) => [fx.project, { status: "idle" }, form({ client: "Authz Client", description: "", windowStart: "", windowEnd: "" })],
    expect: projectManageAction("ok"),
  },
  // empty lists: the fixture project stays unscoped
  "app/actions/projects.ts#setProjectScopeAction": {
    access: "user",
    args: (fx) => [fx.project, { status: "idle" }, form({ allow: "", exclude: "", services: "" })],
    expect: projectManageAction("ok"),
  },
  "app/actions/projects.ts#deleteProjectAction": {
    access: "user",
    // the fixture project holds runs: past the right to delete, it is kept
    args: (fx) => [fx.project, NO_PROBLEM, new FormData()],
    expect: projectManageAction("conflict"),
  },
  "app/actions/projects.ts#addMemberAction": {
    access: "user",
    // the viewer again: past the right to add members, a member already
    args: (fx) => [fx.project, { status: "idle" }, form({ username: fx.viewer, role: "viewer" })],
    expect: projectManageAction("conflict"),
  },
  "app/actions/projects.ts#setMemberRoleAction": {
    access: "user",
    args: (fx) => [fx.project, NO_PROBLEM, form({ username: fx.viewer, role: "viewer" })],
    expect: projectManageAction("ok"),
  },
  "app/actions/projects.ts#removeMemberAction": {
    access: "user",
    // no such user: past the right to remove members (leaving: lib/projects/projects.int.test.ts)
    args: (fx) => [fx.project, NO_PROBLEM, form({ username: "nosuchuser" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/projects.ts#createProjectInviteAction": {
    access: "user",
    args: (fx, role) => [fx.project, { status: "idle" }, form({ email: `${fx.unique(role)}@example.test`, role: "viewer" })],
    expect: projectManageAction("ok"),
  },
  "app/actions/projects.ts#revokeProjectInviteAction": {
    access: "user",
    args: (fx) => [fx.project, NO_PROBLEM, form({ id: "no-such-invite" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/projects.ts#acceptProjectInviteAction": {
    access: "user",
    // the fixture invite is for an address none of the callers has
    args: (fx) => [fx.project, fx.inviteToken, NO_PROBLEM, new FormData()],
    expect: signedInAll<ActionOutcome>("unauthorized", "forbidden"),
  },
  // issue 18 (secrets): a project's owners and admins add, change and delete its secrets
  // issue 17 (notifications): a project's owners and admins add, test and delete its rules (e-mail: nothing leaves the machine)
  "app/actions/notify.ts#createNotifyRuleAction": {
    access: "user",
    args: (fx, role) => [fx.project, { status: "idle" }, form({ name: `n ${fx.unique(role)}`.slice(0, 60), channel: "email", emails: "authz@example.test", events: "run.failed", minSeverity: "" })],
    expect: projectManageAction("ok"),
  },
  "app/actions/notify.ts#deleteNotifyRuleAction": {
    access: "user",
    args: (fx) => [fx.project, NO_PROBLEM, form({ id: "no-such-rule" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/notify.ts#testNotifyRuleAction": {
    access: "user",
    args: (fx) => [fx.project, { problem: null, outcome: null }, form({ id: "no-such-rule" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/secrets.ts#createSecretAction": {
    access: "user",
    args: (fx, role) => [fx.project, { status: "idle" }, form({ name: `s_${fx.unique(role)}`.slice(0, 60), value: "authz-secret-value", description: "", roles: "operator" })],
    expect: projectManageAction("ok"),
  },
  "app/actions/secrets.ts#updateSecretAction": {
    access: "user",
    args: (fx) => [fx.project, "no-such-secret-000000", { status: "idle" }, form({ description: "x" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/secrets.ts#deleteSecretAction": {
    access: "user",
    args: (fx) => [fx.project, NO_PROBLEM, form({ id: "no-such-secret-000000" })],
    expect: projectManageAction("not_found"),
  },
  "app/actions/secrets.ts#secretsOnDevicesAction": {
    access: "user",
    args: (fx) => [fx.project, NO_PROBLEM, form({ allow: "false" })],
    expect: projectManageAction("ok"),
  },
  // issue 14: the metrics token (Admin → Workers)
  "app/actions/metrics-token.ts#createMetricsTokenAction": { access: "admin", args: () => [{ status: "idle" }, new FormData()], expect: adminOnly },
  "app/actions/metrics-token.ts#revokeMetricsTokenAction": { access: "admin", args: () => [{ status: "idle" }, new FormData()], expect: adminOnly },
  // issue 21 (Collect, comments)
  "app/actions/favourites.ts#toggleFavouriteAction": {
    access: "user",
    args: (fx) => [{ state: { favourited: false, count: 0 }, error: null }, form({ package: `${fx.owner}.${fx.packageName}`, favourite: "true" })],
    expect: byRole("unauthorized", "ok", "not_found", "not_found", "not_found", "ok"),
  },
  "app/actions/comments.ts#postCommentAction": {
    access: "user",
    args: (fx, role) => [{ saved: 0, problem: null }, form({ namespace: fx.owner, name: fx.packageName, body: `authz ${role}` })],
    expect: byRole("unauthorized", "ok", "not_found", "not_found", "not_found", "ok"),
  },
  "app/actions/comments.ts#editCommentAction": {
    access: "user",
    args: () => [{ saved: 0, problem: null }, form({ id: "no-such-comment", body: "edited" })],
    expect: byRole("unauthorized", "not_found", "not_found", "not_found", "not_found", "not_found"),
  },
  "app/actions/comments.ts#deleteCommentAction": {
    access: "user",
    args: () => [NO_PROBLEM, form({ id: "no-such-comment" })],
    expect: byRole("unauthorized", "not_found", "not_found", "not_found", "not_found", "not_found"),
  },
  "app/actions/comments.ts#moderateCommentAction": {
    access: "admin",
    args: () => [NO_PROBLEM, form({ id: "no-such-comment", action: "hide" })],
    expect: { ...adminOnly, admin: "not_found" },
  },
};
