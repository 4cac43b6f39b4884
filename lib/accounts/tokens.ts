import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { db } from "../platform/db.ts";
import { notFound, validation } from "../errors.ts";
import { audit } from "../platform/audit.ts";
import type { TokenSummary, Viewer } from "../types.ts";

const PREFIX = "lev_";
export const tokenNameSchema = z.string().trim().min(1, "give the token a name").max(80, "at most 80 characters");

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

type TokenRow = { id: string; name: string; prefix: string; createdAt: Date; lastUsedAt: Date | null; revokedAt: Date | null };
const summary = (t: TokenRow): TokenSummary => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});

/** Creates an API token. The token itself is returned once; only its sha256 is stored. */
export async function createToken(viewer: Viewer, name: string): Promise<{ token: string; summary: TokenSummary }> {
  const parsed = tokenNameSchema.safeParse(name);
  if (!parsed.success) throw validation("invalid token name", { name: parsed.error.issues[0].message });
  const token = PREFIX + randomBytes(24).toString("base64url");
  const row = await db().apiToken.create({
    data: { userId: viewer.id, name: parsed.data, hash: sha256(token), prefix: token.slice(0, PREFIX.length + 6) },
  });
  await audit(viewer.id, "token.create", row.id, { name: row.name });
  return { token, summary: summary(row) };
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

/** The user a bearer token belongs to, or null for an unknown or revoked token. */
export async function viewerFromToken(token: string): Promise<Viewer | null> {
  if (!token.startsWith(PREFIX) || token.length > 200) return null;
  const row = await db().apiToken.findUnique({
    where: { hash: sha256(token) },
    select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: { id: true, email: true, username: true, name: true, role: true } } },
  });
  if (!row || row.revokedAt) return null;
  // at most one write a minute per token
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return row.user;
}
