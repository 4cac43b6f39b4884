import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { conflict, notFound, zodFieldErrors, invalidFields } from "../errors.ts";
import { audit } from "../platform/audit.ts";
import { canPublishTo } from "../access/permissions.ts";
import { mustEnrol } from "./two-factor.ts";
import { grantableScopes, normalizeScopes, roleWithScopes } from "../access/scopes.ts";
import { TOKEN_SCOPES, type NewSecret, type TokenGrant, type TokenSummary, type Viewer } from "../types.ts";

/**
 * API tokens (`lev_…`): shown once, stored as sha256. Each has an expiry and scopes, and may be
 * limited to one namespace (lib/access/scopes.ts says what each means). There is no "never
 * expires": a token that leaks stops working on its own, and renewing is one click (or a new token).
 */
const PREFIX = "lev_";
const DAY = 24 * 3600_000;

/** Lifetimes offered (days); any whole number up to `max` may be typed. */
export const TOKEN_DAYS = { choices: [7, 30, 90, 365], default: 90, max: 365 } as const;
/** What a new token gets when the form or caller says nothing: everything but `admin`. */
export const DEFAULT_TOKEN_SCOPES = ["read", "run", "publish"] as const;

export const tokenNameSchema = z.string().trim().min(1, "give the token a name").max(80, "at most 80 characters");
export const tokenDaysSchema = z.coerce
  .number({ message: "a number of days" })
  .int("a whole number of days")
  .min(1, "at least 1 day")
  .max(TOKEN_DAYS.max, `at most ${TOKEN_DAYS.max} days (tokens always expire; renew them)`);

export const createTokenSchema = z.object({
  name: tokenNameSchema,
  scopes: z.array(z.enum(TOKEN_SCOPES)).min(1, "choose at least one scope").max(TOKEN_SCOPES.length).default([...DEFAULT_TOKEN_SCOPES]),
  days: tokenDaysSchema.default(TOKEN_DAYS.default),
  /** "" or absent: no namespace limit */
  namespace: z
    .string()
    .trim()
    .max(32)
    .transform((s) => s || null)
    .nullable()
    .default(null),
});
export type CreateTokenInput = z.input<typeof createTokenSchema>;

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  namespace: string | null;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  migrationNotice: boolean;
};
const summary = (t: TokenRow): TokenSummary => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  scopes: normalizeScopes(t.scopes),
  namespace: t.namespace,
  createdAt: t.createdAt.toISOString(),
  expiresAt: t.expiresAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
  migrationNotice: t.migrationNotice,
});

function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw invalidFields(zodFieldErrors(parsed.error));
  return parsed.data;
}

/** Creates an API token. The token itself is returned once; only its sha256 is stored. */
export async function createToken(viewer: Viewer, input: CreateTokenInput, now = new Date()): Promise<NewSecret<TokenSummary>> {
  const { name, scopes, days, namespace } = parseInput(createTokenSchema, input);
  const allowed = grantableScopes(viewer.role);
  const refused = scopes.filter((s) => !allowed.includes(s));
  if (refused.length) throw invalidFields({ scopes: `only admins may give a token the ${refused.join(", ")} scope` });
  if (namespace !== null) {
    const ns = await db().namespace.findUnique({ where: { name: namespace }, select: { ownerId: true } });
    if (!ns || !canPublishTo(viewer, namespace, ns)) throw invalidFields({ namespace: `you do not publish into a namespace '${namespace}'` });
  }
  const token = PREFIX + randomBytes(24).toString("base64url");
  const row = await db().apiToken.create({
    data: {
      userId: viewer.id,
      name,
      hash: sha256(token),
      prefix: token.slice(0, PREFIX.length + 6),
      scopes: normalizeScopes(scopes),
      namespace,
      expiresAt: new Date(now.getTime() + days * DAY),
    },
  });
  await audit(viewer.id, "token.create", row.id, { name: row.name, scopes: row.scopes, namespace, days });
  return { token, item: summary(row) };
}

export async function listTokens(viewer: Viewer): Promise<TokenSummary[]> {
  const rows = await db().apiToken.findMany({ where: { userId: viewer.id }, orderBy: { createdAt: "desc" } });
  return rows.map(summary);
}

export async function revokeToken(viewer: Viewer, id: string): Promise<void> {
  const row = await db().apiToken.findUnique({ where: { id } });
  if (!row || row.userId !== viewer.id) throw notFound("token");
  if (!row.revokedAt) await db().apiToken.update({ where: { id }, data: { revokedAt: new Date() } });
  await audit(viewer.id, "token.revoke", id);
}

/** "Renew for another N days": the token expires N days from now (an expired one works again); its scopes stay. */
export async function renewToken(viewer: Viewer, id: string, rawDays: unknown, now = new Date()): Promise<TokenSummary> {
  const days = parseInput(z.object({ days: tokenDaysSchema }), { days: rawDays }).days;
  const row = await db().apiToken.findUnique({ where: { id } });
  if (!row || row.userId !== viewer.id) throw notFound("token");
  if (row.revokedAt) throw conflict("this token was revoked; create a new one");
  const renewed = await db().apiToken.update({ where: { id }, data: { expiresAt: new Date(now.getTime() + days * DAY), migrationNotice: false } });
  await audit(viewer.id, "token.renew", id, { days });
  return summary(renewed);
}

/** The owner has read what the migration gave their older tokens: the notice is not shown again. */
export async function dismissTokenNotice(viewer: Viewer): Promise<void> {
  await db().apiToken.updateMany({ where: { userId: viewer.id, migrationNotice: true }, data: { migrationNotice: false } });
}

/** What a bearer token comes to: its user (as the token lets them act), or why it is refused. */
export type TokenLookup =
  | { ok: true; viewer: Viewer }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "expired"; expiredAt: Date }
  /** an admin requires two-factor sign-in of this account and it has not set it up: nothing else works until it has */
  | { ok: false; reason: "two_factor_required" };

/**
 * The user a bearer token belongs to, acting with the token's scopes: their role is admin only
 * with the `admin` scope, and `viewer.token` carries the scopes and namespace limit on to lib.
 * Unknown and revoked tokens read alike.
 */
export async function viewerFromToken(token: string, now = new Date()): Promise<TokenLookup> {
  if (!token.startsWith(PREFIX) || token.length > 200) return { ok: false, reason: "unknown" };
  const row = await db().apiToken.findUnique({
    where: { hash: sha256(token) },
    select: {
      id: true,
      revokedAt: true,
      lastUsedAt: true,
      expiresAt: true,
      scopes: true,
      namespace: true,
      user: { select: { id: true, email: true, username: true, name: true, role: true, totpEnabledAt: true } },
    },
  });
  if (!row || row.revokedAt) return { ok: false, reason: "unknown" };
  if (row.expiresAt.getTime() <= now.getTime()) return { ok: false, reason: "expired", expiredAt: row.expiresAt };
  // at most one write a minute per token
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  const { totpEnabledAt, ...user } = row.user;
  if (await mustEnrol({ role: user.role, totpEnabledAt })) return { ok: false, reason: "two_factor_required" };
  const scopes = normalizeScopes(row.scopes);
  const grant: TokenGrant = { id: row.id, scopes, namespace: row.namespace, expiresAt: row.expiresAt.toISOString() };
  return { ok: true, viewer: { ...user, role: roleWithScopes(user.role, scopes), token: grant } };
}
