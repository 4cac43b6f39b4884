import "server-only";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { emailSchema } from "../schemas/email.ts";
import { conflict, forbidden, notFound, validation, invalidFields } from "../errors.ts";
import { DUMMY_HASH, hashPassword, needsRehash, verifyPassword } from "./password.ts";
import { assertAdmin } from "../access/assert-admin.ts";
import { authLimiters, RateLimitedError, type AuthLimiters } from "./limits.ts";
import { admit } from "../platform/rate-limit.ts";
import { removeBootstrapTokenFile, spendBootstrapToken } from "./bootstrap.ts";
import { INVITE_REFUSALS, spendInvite } from "./invites.ts";
import { SIGN_UP_REFUSALS, signUpGate, type SignUpVia } from "./sign-up-gate.ts";
import { audit } from "../platform/audit.ts";
import type { Prisma } from "../generated/prisma/client.ts";
import type { Role, Viewer } from "../types.ts";

export { assertAdmin };

/** A user name is also their namespace: `lev.<username>.<package>`, so it must be a Python identifier. */
export const USERNAME = /^[a-z][a-z0-9_]{1,31}$/;

/** Namespaces the hub itself publishes into (the examples); nobody can sign up with them. */
export const RESERVED_NAMESPACES = new Set(["levhub", "szczecin", "lev", "levrt", "admin", "root", "api", "system"]);

export const signUpSchema = z.object({
  email: emailSchema("enter a valid e-mail address"),
  username: z
    .string()
    .trim()
    .toLowerCase()
    .regex(USERNAME, "2–32 characters: lower-case letters, digits and _, starting with a letter")
    .refine((u) => !RESERVED_NAMESPACES.has(u), "this name is reserved"),
  password: z.string().min(8, "at least 8 characters").max(200),
  name: z.string().trim().max(100).optional(),
});
export type SignUpInput = z.infer<typeof signUpSchema>;

/** How a sign-up or sign-in reached the hub. */
export interface AccessContext {
  /**
   * The client's address (lib/auth/client-address.ts). The web's sign-in and sign-up pass it and
   * are rate limited by it; lib callers (scripts, tests) are trusted and pass none.
   */
  client?: string;
}

export interface SignUpContext extends AccessContext {
  /** the token of an admin's invite link (`/signup?invite=`) */
  invite?: string;
  /** the one-time admin bootstrap token (`/signup?bootstrap=`) */
  bootstrap?: string;
}

/** What sign-in and sign-up use that tests replace (to count hashing, or move the clock). */
export interface AccountDeps {
  hashPassword: (password: string) => Promise<string>;
  verifyPassword: (password: string, stored: string) => Promise<boolean>;
  limiters: AuthLimiters;
  now: () => Date;
  /** waits out the per-e-mail backoff (lib/accounts/limits.ts) */
  sleep: (ms: number) => Promise<void>;
}

export function accountDeps(d: Partial<AccountDeps>): AccountDeps {
  return {
    hashPassword,
    verifyPassword,
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...d,
    limiters: d.limiters ?? authLimiters(),
  };
}

export const viewerSelect = { id: true, email: true, username: true, name: true, role: true } as const;

/** How an e-mail is looked up and counted: the same account however it is typed. */
export const emailKey = (email: string) => email.trim().toLowerCase().slice(0, 200);

/**
 * Creates the account and its namespace. Who may: anyone in sign-up mode "open"; holders of an
 * unused invite in "invite" (with the e-mail the invite names); nobody in "closed". The holder of
 * the admin bootstrap token may in any mode and becomes admin; every other account is a plain
 * user. The mode's refusal is given, and open sign-ups are counted against their limits, before
 * the password is hashed. For trusted callers (scripts, tests): an e-mail in use is a field error.
 */
export async function signUp(raw: SignUpInput, ctx: SignUpContext = {}, deps: Partial<AccountDeps> = {}): Promise<Viewer> {
  const { user } = await register(raw, ctx, deps, "refuse");
  return user!;
}

/** What the web's sign-up form is told: nothing that says whether an e-mail had an account already. */
export interface WebSignUp {
  via: SignUpVia;
  /**
   * "auto": the form signs the new account in (invite and admin links, whose holders know their
   * address); "manual": it says "account created, sign in" — in open mode, for a new account and
   * an e-mail in use alike (which creates nothing and signs nobody in).
   */
  signIn: "auto" | "manual";
}

/** The sign-up form's `signUp`: in open mode an e-mail in use gets the same answer as a new one. */
export async function signUpFromWeb(raw: SignUpInput, ctx: SignUpContext, deps: Partial<AccountDeps> = {}): Promise<WebSignUp> {
  const { via } = await register(raw, ctx, deps, "quiet");
  return { via, signIn: via === "open" ? "manual" : "auto" };
}

async function register(
  raw: SignUpInput,
  ctx: SignUpContext,
  deps: Partial<AccountDeps>,
  emailInUse: "refuse" | "quiet",
): Promise<{ user: Viewer | null; via: SignUpVia }> {
  const d = accountDeps(deps);
  const parsed = signUpSchema.safeParse(raw);
  if (!parsed.success) {
    const fieldErrors: Record<string, string> = {};
    for (const i of parsed.error.issues) fieldErrors[i.path.join(".")] ??= i.message;
    throw invalidFields(fieldErrors);
  }
  const input = parsed.data;
  // a refusal here costs one lookup and no hashing; links are 256-bit secrets, not worth guessing
  const gate = await signUpGate(ctx, d.now());
  if (!gate.allowed) throw forbidden(gate.message);
  // the holder of an invite knows whom it is for: saying so tells them nothing new
  if (gate.via === "invite" && gate.email && gate.email !== input.email) {
    throw invalidFields({ email: `this invite is for ${gate.email}` });
  }
  // invite and admin links were handed out by an admin and work once: only open sign-ups are counted
  if (gate.via === "open" && ctx.client !== undefined) {
    const admission = admit([
      [d.limiters.signUpPerClient, ctx.client],
      [d.limiters.signUpPerHub, "hub"],
    ]);
    if (!admission.ok) throw new RateLimitedError("sign-up", admission.retryAfterMs);
  }
  const bootstrap = gate.via === "bootstrap" ? (ctx.bootstrap ?? null) : null;
  const invite = gate.via === "invite" ? (ctx.invite ?? null) : null;
  // in open mode an e-mail in use must not be told apart: not by the answer, nor by its time
  const quiet = emailInUse === "quiet" && gate.via === "open";

  const passwordHash = await d.hashPassword(input.password);
  const user = await db().$transaction(async (tx) => {
    // serialises sign-ups: one bootstrap admin, unique names checked against each other
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(72106)`;
    const fieldErrors: Record<string, string> = {};
    const emailTaken = !!(await tx.user.findUnique({ where: { email: input.email }, select: { id: true } }));
    if (emailTaken && !quiet) fieldErrors.email = "an account with this e-mail already exists";
    // user names are public anyway (each is a namespace and the slug of the user's personal project): a taken one may be said
    const taken =
      (await tx.user.findUnique({ where: { username: input.username }, select: { id: true } })) ||
      (await tx.namespace.findUnique({ where: { name: input.username }, select: { id: true } })) ||
      (await tx.project.findUnique({ where: { slug: input.username }, select: { id: true } }));
    if (taken) fieldErrors.username = "this name is taken";
    if (Object.keys(fieldErrors).length) throw invalidFields(fieldErrors);
    if (emailTaken) return null;
    if (bootstrap && !(await spendBootstrapToken(tx, bootstrap))) throw forbidden(SIGN_UP_REFUSALS.bootstrap);
    const created = await tx.user.create({
      data: { email: input.email, username: input.username, name: input.name || null, passwordHash, role: bootstrap ? "admin" : "user" },
      select: viewerSelect,
    });
    // spent in the same transaction, so two sign-ups racing on one link cannot both succeed
    if (invite && !(await spendInvite(tx, invite, created, d.now()))) throw forbidden(INVITE_REFUSALS.used);
    await tx.namespace.create({ data: { name: input.username, ownerId: created.id } });
    // everyone's runs and scans go somewhere: the personal project, with its owner as its one member
    await tx.project.create({
      data: { slug: input.username, name: input.username, personal: true, personalOwnerId: created.id, createdById: created.id, members: { create: { userId: created.id, role: "owner", addedById: created.id } } },
    });
    return created;
  });
  if (!user) {
    await audit(null, "user.signup_email_in_use", input.username, { via: gate.via });
    return { user: null, via: gate.via };
  }
  if (bootstrap) removeBootstrapTokenFile();
  await audit(user.id, "user.signup", user.username, { role: user.role, via: gate.via });
  return { user, via: gate.via };
}

/** A signed-in user and the session version their session is issued at (see `getSessionUser`). */
export type Authenticated = Viewer & { sessionVersion: number };

/**
 * Checks e-mail and password, for trusted callers (scripts, tests): no attempt limits and no second
 * factor — the web signs in through `signInWithCredentials` (lib/accounts/sign-in.ts), which has both.
 * A correct password stored in an older format is re-hashed with the current one.
 */
export async function authenticate(email: string, password: string, deps: Partial<AccountDeps> = {}): Promise<Authenticated | null> {
  const d = accountDeps(deps);
  const user = await db().user.findUnique({
    where: { email: emailKey(email) },
    select: { ...viewerSelect, passwordHash: true, sessionVersion: true },
  });
  // the same work either way, so timing does not tell whether the account exists
  const ok = await d.verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok) return null;
  await upgradePasswordHash(user, password, d);
  const { passwordHash: _hash, ...viewer } = user;
  return viewer;
}

/** A good password in an older format (scrypt) is rewritten as argon2id, only if nobody changed it meanwhile. */
export async function upgradePasswordHash(user: { id: string; username: string; passwordHash: string }, password: string, d: Pick<AccountDeps, "hashPassword">): Promise<void> {
  if (!needsRehash(user.passwordHash)) return;
  const upgraded = await d.hashPassword(password);
  await db().user.updateMany({ where: { id: user.id, passwordHash: user.passwordHash }, data: { passwordHash: upgraded } });
  await audit(user.id, "user.password_rehash", user.username);
}

export async function getUser(id: string): Promise<Viewer | null> {
  return db().user.findUnique({ where: { id }, select: viewerSelect });
}

/** The user of a session issued at `sessionVersion`; null once they signed out everywhere since (or were deleted). */
export async function getSessionUser(id: string, sessionVersion: number): Promise<Viewer | null> {
  return db().user.findFirst({ where: { id, sessionVersion }, select: viewerSelect });
}

/** `getSessionUser` with whether two-factor sign-in is on (the session decides whether the user must enrol first). */
export async function getSessionAccount(id: string, sessionVersion: number): Promise<(Viewer & { totpEnabledAt: Date | null }) | null> {
  return db().user.findFirst({ where: { id, sessionVersion }, select: { ...viewerSelect, totpEnabledAt: true } });
}

export async function getUserByUsername(username: string): Promise<Viewer | null> {
  return db().user.findUnique({ where: { username }, select: viewerSelect });
}

export async function countUsers(): Promise<number> {
  return db().user.count();
}

/** Ends every browser session of the viewer (API tokens have their own revocation). */
export async function signOutEverywhere(viewer: Viewer): Promise<void> {
  await db().user.update({ where: { id: viewer.id }, data: { sessionVersion: { increment: 1 } } });
  await audit(viewer.id, "user.signout_everywhere", viewer.username);
}

export interface AccountSummary {
  id: string;
  username: string;
  email: string;
  name: string | null;
  role: Role;
  createdAt: string;
}

export async function listAccounts(admin: Viewer): Promise<AccountSummary[]> {
  assertAdmin(admin);
  const rows = await db().user.findMany({ select: { ...viewerSelect, createdAt: true }, orderBy: { createdAt: "asc" } });
  return rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() }));
}

export const ROLES = ["user", "admin"] as const satisfies readonly Role[];

/** An admin changes someone's role (their sessions end, so the change is felt at once). */
export async function setUserRole(admin: Viewer, userId: string, role: Role): Promise<Viewer> {
  assertAdmin(admin);
  const user = await changeRole({ id: userId }, role);
  await audit(admin.id, "user.role", user.username, { role });
  return user;
}

/** The same for operators with database access (`npm run admin`), by e-mail. */
export async function setUserRoleByEmail(email: string, role: Role): Promise<Viewer> {
  const user = await changeRole({ email: emailKey(email) }, role);
  await audit(null, "user.role", user.username, { role, by: "npm run admin" });
  return user;
}

async function changeRole(where: Prisma.UserWhereUniqueInput, role: Role): Promise<Viewer> {
  if (!ROLES.includes(role)) throw validation(`role must be one of ${ROLES.join(", ")}`);
  return db().$transaction(async (tx) => {
    // the same lock as sign-up: the count of admins cannot change under this check
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(72106)`;
    const user = await tx.user.findUnique({ where, select: viewerSelect });
    if (!user) throw notFound("user");
    if (user.role === role) return user;
    if (user.role === "admin" && (await tx.user.count({ where: { role: "admin" } })) <= 1) {
      throw conflict(`${user.username} is the last admin; make someone else admin first`);
    }
    return tx.user.update({ where: { id: user.id }, data: { role, sessionVersion: { increment: 1 } }, select: viewerSelect });
  });
}

/** The namespaces `viewer` publishes into: their own; every namespace for an admin. */
export async function publishableNamespaces(viewer: Viewer): Promise<string[]> {
  const rows = await db().namespace.findMany({
    where: viewer.role === "admin" ? {} : { ownerId: viewer.id },
    select: { name: true },
    orderBy: { name: "asc" },
    take: 500,
  });
  return rows.map((r) => r.name);
}
