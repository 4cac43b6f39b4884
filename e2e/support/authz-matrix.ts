/**
 * The authorization matrix: for every page, every route method and every exported server action,
 * what each kind of caller gets. `e2e/authz.spec.ts` checks pages and routes against a real
 * server, `app/actions/authz.int.test.ts` checks actions against the real database; both first
 * check that the files on disk and the entries here are the same set, so a new page, route or
 * action without an entry fails them.
 *
 * The callers: `anonymous` (no session, no token), `owner` (owns a private package and a run),
 * `other` (another user), `admin`. Someone else's resources answer not found, never forbidden.
 * This file is data and small request builders: it imports nothing from the app but types.
 */
import type { Access } from "../../lib/access/access.ts";
import type { TokenScope } from "../../lib/types.ts";

export const ROLES = ["anonymous", "owner", "other", "admin"] as const;
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

/** What the specs create before checking: an owner with a private package and a finished run. */
export interface Fixtures {
  owner: string;
  other: string;
  admin: string;
  /** the owner's private package `<owner>.<name>` and one of its functions */
  packageName: string;
  fn: string;
  versionId: string;
  runId: string;
  /** the owner's saved scan of that function (slice C) */
  scanId: string;
}

export interface PageEntry {
  path: (fx: Fixtures) => string;
  expect: ByRole<PageOutcome>;
}

export interface RouteRequest {
  path: string;
  json?: unknown;
  /** multipart fields; `archiveVersion` asks the spec to attach the private package's archive at that version */
  multipart?: { archiveVersion: string; private?: boolean };
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
  if (entry.access === "worker") return 401;
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
const adminOnly: ByRole<ActionOutcome> = { anonymous: "unauthorized", owner: "forbidden", other: "forbidden", admin: "ok" };
const all = <T>(v: T): ByRole<T> => ({ anonymous: v, owner: v, other: v, admin: v });
/** signed-in users only; anonymous callers go to sign in */
const signedIn: ByRole<PageOutcome> = { anonymous: "signin", owner: "ok", other: "ok", admin: "ok" };
/** the owner's private things: sign in first, then only the owner and admins see them */
const ownersPage: ByRole<PageOutcome> = { anonymous: "signin", owner: "ok", other: "404", admin: "ok" };
/** admin pages do not reveal that they exist */
const adminPage: ByRole<PageOutcome> = { anonymous: "404", owner: "404", other: "404", admin: "ok" };
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
    expect: { anonymous: "404", owner: "ok", other: "404", admin: "ok" },
  },
  "app/p/[ns]/[name]/run/[fn]/page.tsx": { path: (fx) => `/p/${fx.owner}/${fx.packageName}/run/${fx.fn}`, expect: ownersPage },
  "app/runs/page.tsx": { path: () => "/runs", expect: signedIn },
  "app/runs/[id]/page.tsx": { path: (fx) => `/runs/${fx.runId}`, expect: ownersPage },
  "app/settings/tokens/page.tsx": { path: () => "/settings/tokens", expect: signedIn },
  "app/settings/security/page.tsx": { path: () => "/settings/security", expect: signedIn },
  "app/upload/page.tsx": { path: () => "/upload", expect: signedIn },
  "app/signin/page.tsx": { path: () => "/signin", expect: { anonymous: "ok", owner: "redirect", other: "redirect", admin: "redirect" } },
  "app/signup/page.tsx": { path: () => "/signup", expect: { anonymous: "ok", owner: "redirect", other: "redirect", admin: "redirect" } },
  "app/admin/accounts/page.tsx": { path: () => "/admin/accounts", expect: adminPage },
  "app/admin/policy/page.tsx": { path: () => "/admin/policy", expect: adminPage },
  // slice A (issue 8, the run queue)
  "app/admin/workers/page.tsx": { path: () => "/admin/workers", expect: adminPage },
  // slice C (issue 8 item 4, issue 7 item 3: saved scans and re-run)
  "app/scans/page.tsx": { path: () => "/scans", expect: signedIn },
  "app/scans/[id]/page.tsx": { path: (fx) => `/scans/${fx.scanId}`, expect: ownersPage },
  // slice G: compare
  "app/compare/page.tsx": { path: (fx) => `/compare?a=${fx.runId}&b=${fx.runId}`, expect: ownersPage },
  // slice F: results browser (another user's run filter shows nothing, never someone else's documents)
  "app/results/page.tsx": { path: (fx) => `/results?run=${fx.runId}`, expect: signedIn },
  // slice D1 (issue 10, my devices): every user has their own list
  "app/settings/devices/page.tsx": { path: () => "/settings/devices", expect: signedIn },
};

const ownScan = { anonymous: 401, owner: 200, other: 404, admin: 200 } as const;

const ownRun = { anonymous: 401, owner: 200, other: 404, admin: 200 } as const;
/** a debug session id no session has */
const NO_SESSION = "nosuchsession0000";
const noSession = { anonymous: 401, owner: 404, other: 404, admin: 404 } as const;
const signedInRoute = { anonymous: 401, owner: 200, other: 200, admin: 200 } as const;

/** Keyed by `<METHOD> <route file>`. */
export const ROUTES: Record<string, RouteEntry> = {
  "GET app/api/me/route.ts": { access: "user", scope: null, request: () => ({ path: "/api/me" }), expect: { anonymous: 401, owner: 200, other: 200, admin: 200 } },
  "GET app/api/packages/route.ts": { access: "public", scope: "read", request: () => ({ path: "/api/packages?q=probe" }), expect: all(200) },
  "POST app/api/packages/route.ts": {
    access: "user", scope: "publish",
    // every role publishes into the owner's namespace, each at a version of its own
    request: (_fx, caller) => ({ path: "/api/packages", multipart: { archiveVersion: `0.2.${CALLERS.indexOf(caller)}`, private: true } }),
    expect: { anonymous: 401, owner: 201, other: 403, admin: 201 },
  },
  "GET app/api/packages/[ns]/[name]/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}` }),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200 },
  },
  "GET app/api/packages/[ns]/[name]/versions/[version]/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/versions/latest` }),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200 },
  },
  "GET app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts": {
    access: "public", scope: "read",
    request: (fx) => ({ path: `/api/packages/${fx.owner}/${fx.packageName}/versions/latest/archive` }),
    expect: { anonymous: 404, owner: 200, other: 404, admin: 200 },
  },
  "GET app/api/runs/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/runs" }), expect: { anonymous: 401, owner: 200, other: 200, admin: 200 } },
  "POST app/api/runs/route.ts": {
    access: "user", scope: "run",
    request: (fx) => ({ path: "/api/runs", json: { package: `${fx.owner}.${fx.packageName}`, function: fx.fn, args: { message: "authz" } } }),
    expect: { anonymous: 401, owner: 201, other: 404, admin: 201 },
  },
  "GET app/api/runs/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}` }), expect: ownRun },
  "POST app/api/runs/[id]/cancel/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/cancel` }), expect: ownRun },
  "GET app/api/runs/[id]/documents/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/documents` }), expect: ownRun },
  "GET app/api/runs/[id]/events/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/${fx.runId}/events` }), expect: ownRun },
  "GET app/api/auth/[...nextauth]/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/auth/csrf" }), expect: all(200) },
  // without next-auth's CSRF token a sign-out is sent back to the confirmation page, whoever asks
  "POST app/api/auth/[...nextauth]/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/auth/signout", json: {} }), expect: all("3xx") },
  // slice A (issue 8, the run queue): worker routes take only worker credentials; no user session or token gets in
  "POST app/api/worker/register/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/register", json: {} }), expect: all(401) },
  "POST app/api/worker/heartbeat/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/heartbeat", json: {} }), expect: all(401) },
  "POST app/api/worker/poll/route.ts": { access: "worker", scope: null, request: () => ({ path: "/api/worker/poll", json: {} }), expect: all(401) },
  "POST app/api/worker/runs/[id]/events/route.ts": { access: "worker", scope: null, request: (fx) => ({ path: `/api/worker/runs/${fx.runId}/events`, json: {} }), expect: all(401) },
  "POST app/api/worker/runs/[id]/store/route.ts": { access: "worker", scope: null, request: (fx) => ({ path: `/api/worker/runs/${fx.runId}/store`, json: {} }), expect: all(401) },
  "GET app/api/worker/packages/[sha256]/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/packages/${"0".repeat(64)}` }), expect: all(401) },
  "GET app/api/worker/images/[imageId]/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/images/sha256:${"0".repeat(64)}` }), expect: all(401) },
  "POST app/api/worker/debug/[session]/stream/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/debug/${NO_SESSION}/stream`, json: { after: 0 } }), expect: all(401) },
  "POST app/api/worker/debug/[session]/output/route.ts": { access: "worker", scope: null, request: () => ({ path: `/api/worker/debug/${NO_SESSION}/output`, json: { frames: [], acked: 0 } }), expect: all(401) },
  // issue 21 (debug terminals): only the run's owner, and only into a running task (the fixture's run ended: 409);
  // an admin who sees the run is refused (403); sessions are their opener's (anyone else's reads as missing, as does this made-up one)
  "POST app/api/runs/[id]/debug/route.ts": {
    access: "user",
    scope: "run",
    request: (fx) => ({ path: `/api/runs/${fx.runId}/debug`, json: { task: 1, cols: 80, rows: 24 } }),
    expect: { anonymous: 401, owner: 409, other: 404, admin: 403 },
  },
  "GET app/api/runs/[id]/debug/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/debug` }), expect: ownRun },
  "GET app/api/debug/[session]/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}` }), expect: noSession },
  "DELETE app/api/debug/[session]/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}` }), expect: noSession },
  "GET app/api/debug/[session]/events/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}/events` }), expect: noSession },
  "POST app/api/debug/[session]/input/route.ts": { access: "user", scope: "run", request: () => ({ path: `/api/debug/${NO_SESSION}/input`, json: { data: "id\r" } }), expect: noSession },
  // slice C (saved scans and re-run): someone else's scan or run is 404; admins see and pause scans, but a scan runs only as its owner
  "GET app/api/scans/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/scans" }), expect: { anonymous: 401, owner: 200, other: 200, admin: 200 } },
  "POST app/api/scans/route.ts": {
    access: "user", scope: "run",
    request: (fx, role) => ({ path: "/api/scans", json: { name: `authz ${role} ${Date.now()}`, package: `${fx.owner}.${fx.packageName}`, function: fx.fn, args: { message: "authz" }, cron: "0 3 * * *" } }),
    expect: { anonymous: 401, owner: 201, other: 404, admin: 201 },
  },
  "GET app/api/scans/[id]/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/scans/${fx.scanId}` }), expect: ownScan },
  // PATCH carries its body as JSON like every other method here
  "PATCH app/api/scans/[id]/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/scans/${fx.scanId}`, json: { enabled: true } }), expect: ownScan },
  // deleting the fixture scan would change what the other entries see: no scan by that id, past the access check
  "DELETE app/api/scans/[id]/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/scans/no-such-scan" }), expect: { anonymous: 401, owner: 404, other: 404, admin: 404 } },
  "POST app/api/scans/[id]/run/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/scans/${fx.scanId}/run`, json: {} }), expect: { anonymous: 401, owner: 201, other: 404, admin: 403 } },
  "POST app/api/runs/[id]/rerun/route.ts": { access: "user", scope: "run", request: (fx) => ({ path: `/api/runs/${fx.runId}/rerun`, json: {} }), expect: { anonymous: 401, owner: 201, other: 404, admin: 201 } },
  // slice G: compare, OpenAPI
  "GET app/api/runs/compare/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/runs/compare?a=${fx.runId}&b=${fx.runId}` }), expect: ownRun },
  // slice F: results index (filters only ever narrow the caller's own documents; someone else's document is 404)
  "GET app/api/results/collections/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/results/collections" }), expect: signedInRoute },
  "GET app/api/results/documents/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/documents?run=${fx.runId}&limit=5` }), expect: signedInRoute },
  "GET app/api/results/documents/[id]/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/results/documents/999999999999" }), expect: { anonymous: 401, owner: 404, other: 404, admin: 404 } },
  "GET app/api/results/export/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/export?run=${fx.runId}&format=csv` }), expect: signedInRoute },
  "GET app/api/results/chart/route.ts": { access: "user", scope: "read", request: (fx) => ({ path: `/api/results/chart?kind=runs&run=${fx.runId}` }), expect: signedInRoute },
  "GET app/api/openapi.json/route.ts": { access: "public", scope: null, request: () => ({ path: "/api/openapi.json" }), expect: all(200) },
  // slice D1 (issue 10, my devices): a user's own devices only; someone else's (or none) is 404. A
  // device token in the worker routes is checked in lib/devices/devices.int.test.ts.
  "GET app/api/devices/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/devices" }), expect: { anonymous: 401, owner: 200, other: 200, admin: 200 } },
  "POST app/api/devices/route.ts": {
    access: "user", scope: "run",
    request: (_fx, caller) => ({ path: "/api/devices", json: { name: `authz-${caller.replace("+", "-")}-${Date.now()}` } }),
    expect: { anonymous: 401, owner: 201, other: 201, admin: 201 },
  },
  "GET app/api/devices/[id]/route.ts": { access: "user", scope: "read", request: () => ({ path: "/api/devices/no-such-device" }), expect: { anonymous: 401, owner: 404, other: 404, admin: 404 } },
  "PATCH app/api/devices/[id]/route.ts": {
    access: "user", scope: "run",
    request: () => ({ path: "/api/devices/no-such-device", json: { name: "renamed" } }),
    expect: { anonymous: 401, owner: 404, other: 404, admin: 404 },
  },
  "DELETE app/api/devices/[id]/route.ts": { access: "user", scope: "run", request: () => ({ path: "/api/devices/no-such-device" }), expect: { anonymous: 401, owner: 404, other: 404, admin: 404 } },
};

/** Keyed by `<action file>#<export>`. */
export const ACTIONS: Record<string, ActionEntry> = {
  "app/actions/cancel-run.ts#cancelRunAction": {
    access: "user",
    args: (fx) => [fx.runId, NO_PROBLEM, new FormData()],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/create-token.ts#createTokenAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ name: fx.unique(role), scopes: "read", days: "30" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "ok", admin: "ok" },
  },
  "app/actions/renew-token.ts#renewTokenAction": {
    access: "user",
    // tokens are personal: renewing someone else's is as if it did not exist
    args: (fx) => [form({ id: fx.ownerTokenId, days: "30" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "not_found" },
  },
  "app/actions/dismiss-token-notice.ts#dismissTokenNoticeAction": {
    access: "user",
    args: () => [],
    expect: { anonymous: "unauthorized", owner: "ok", other: "ok", admin: "ok" },
  },
  "app/actions/revoke-token.ts#revokeTokenAction": {
    access: "user",
    // tokens are personal: not even an admin revokes someone else's
    args: (fx) => [NO_PROBLEM, form({ id: fx.ownerTokenId })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "not_found" },
  },
  "app/actions/sign-up.ts#signUpAction": {
    access: "public",
    args: (fx, role) => [form({ username: fx.unique(role), email: `${fx.unique(role)}@example.test`, password: "a long enough password" })],
    expect: all("ok"),
  },
  "app/actions/start-run.ts#startRunAction": {
    access: "user",
    args: (fx) => [fx.versionId, fx.fn, { errors: {}, message: null }, form({ "arg.message": "authz" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/upload-package.ts#uploadPackageAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ archive: fx.archive(role), private: "on" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "forbidden", admin: "ok" },
  },
  "app/actions/grant-privileges.ts#grantPrivilegesAction": {
    access: "admin",
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, caps: "NET_RAW", note: "authz" })],
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
    expect: { anonymous: "unauthorized", owner: "ok", other: "ok", admin: "ok" },
  },
  // issue 23: two-factor sign-in (each user's own; the set-up actions also serve a user who still owes it)
  "app/actions/two-factor.ts#startTwoFactorAction": {
    access: "user",
    args: () => [{ status: "idle" }],
    expect: { anonymous: "unauthorized", owner: "ok", other: "ok", admin: "ok" },
  },
  "app/actions/two-factor.ts#confirmTwoFactorAction": {
    access: "user",
    // a made-up code: past the access check, refused as a field error
    args: () => [{ status: "idle" }, form({ code: "000000" })],
    expect: { anonymous: "unauthorized", owner: "validation", other: "validation", admin: "validation" },
  },
  "app/actions/two-factor.ts#disableTwoFactorAction": {
    access: "user",
    // nobody has it on here: past the access check, refused as a conflict
    args: () => [{ status: "idle" }, form({ code: "000000" })],
    expect: { anonymous: "unauthorized", owner: "conflict", other: "conflict", admin: "conflict" },
  },
  "app/actions/hub-access.ts#setTwoFactorRequiredAction": { access: "admin", args: () => [{ status: "idle" }, form({ required: "none" })], expect: adminOnly },
  "app/actions/hub-access.ts#setPublicUrlAction": { access: "admin", args: () => [{ status: "idle" }, form({ publicUrl: "" })], expect: adminOnly },
  // issue 23: who sees a package: whoever may publish into its namespace; someone else's private package does not exist for them
  "app/actions/package-visibility.ts#setPackageVisibilityAction": {
    access: "user",
    args: (fx) => [{ status: "idle" }, form({ namespace: fx.owner, name: fx.packageName, private: "true" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
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
    args: () => [{ status: "idle" }, form({ totalRuns: "16", perUserRuns: "4" })],
    expect: adminOnly,
  },
  // slice C (saved scans and re-run)
  "app/actions/scans.ts#saveRunAsScanAction": {
    access: "user",
    args: (fx, role) => [fx.runId, SCAN_IDLE, form({ scanName: fx.unique(role), cron: "0 3 * * *" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/scans.ts#saveFormAsScanAction": {
    access: "user",
    args: (fx, role) => [`${fx.owner}.${fx.packageName}`, null, fx.fn, SCAN_IDLE, form({ scanName: fx.unique(role), "arg.message": "authz" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/scans.ts#runScanNowAction": {
    access: "user",
    args: (fx) => [SCAN_IDLE, form({ scanId: fx.scanId })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "forbidden" },
  },
  "app/actions/scans.ts#setScanEnabledAction": {
    access: "user",
    args: (fx) => [SCAN_IDLE, form({ scanId: fx.scanId, enabled: "true" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/scans.ts#deleteScanAction": {
    access: "user",
    // no scan by that id (deleting the fixture would change the other entries): past the access check
    args: () => [SCAN_IDLE, form({ scanId: "no-such-scan" })],
    expect: { anonymous: "unauthorized", owner: "not_found", other: "not_found", admin: "not_found" },
  },
  "app/actions/rerun.ts#rerunAction": {
    access: "user",
    args: (fx) => [fx.runId, false, SCAN_IDLE, new FormData()],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  "app/actions/rerun.ts#rerunEditedAction": {
    access: "user",
    args: (fx) => [fx.runId, { errors: {}, message: null }, form({ "arg.message": "edited" })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "not_found", admin: "ok" },
  },
  // slice D1 (issue 10, my devices)
  "app/actions/devices.ts#addDeviceAction": {
    access: "user",
    args: (fx, role) => [{ status: "idle" }, form({ name: fx.unique(role) })],
    expect: { anonymous: "unauthorized", owner: "ok", other: "ok", admin: "ok" },
  },
  "app/actions/devices.ts#renameDeviceAction": {
    access: "user",
    // no device by that id, for anyone: past the access check (ownership: lib/devices/devices.int.test.ts)
    args: () => [{ status: "idle", message: null }, form({ deviceId: "no-such-device", name: "renamed" })],
    expect: { anonymous: "unauthorized", owner: "not_found", other: "not_found", admin: "not_found" },
  },
  "app/actions/devices.ts#setDeviceRulesAction": {
    access: "admin",
    args: () => [{ status: "idle" }, form({ hostNetworkOnDevicesOnly: "false" })],
    expect: adminOnly,
  },
  "app/actions/devices.ts#revokeDeviceAction": {
    access: "user",
    args: () => [NO_PROBLEM, form({ deviceId: "no-such-device" })],
    expect: { anonymous: "unauthorized", owner: "not_found", other: "not_found", admin: "not_found" },
  },
};
