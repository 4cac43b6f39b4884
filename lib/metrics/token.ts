import "server-only";
import { newSecretToken, sameHash, sha256Hex } from "../accounts/secret-token.ts";
import { audit } from "../platform/audit.ts";
import { getSettings, updateSettings } from "../platform/settings.ts";

/**
 * The metrics token: the one credential `/metrics` takes (`Authorization: Bearer lmt_…`), and it
 * opens nothing else (it is no user, worker or device token). An admin creates it (Admin →
 * Workers, `npm run admin -- metrics-token`; shown once, only its sha256 kept, a new one replaces
 * the old) or the operator sets `LEVHUB_METRICS_TOKEN`; either is accepted.
 */
export const METRICS_TOKEN_PREFIX = "lmt_";
/** An operator's own token must be at least this long (and one word: it travels in a Bearer header) to be accepted. */
export const MIN_ENV_TOKEN_LENGTH = 16;

export interface MetricsTokenStatus {
  /** the stored token's first characters, or null when none was created */
  prefix: string | null;
  createdAt: string | null;
  /** LEVHUB_METRICS_TOKEN is set (and long enough to be used) */
  fromEnvironment: boolean;
}

let warnedBadEnv = false;

function environmentTokenHash(): string | null {
  const token = process.env.LEVHUB_METRICS_TOKEN;
  if (!token) return null;
  if (token.length < MIN_ENV_TOKEN_LENGTH || /\s/.test(token)) {
    if (!warnedBadEnv) console.error(`[levhub] LEVHUB_METRICS_TOKEN is not accepted: it must be at least ${MIN_ENV_TOKEN_LENGTH} characters without spaces`);
    warnedBadEnv = true;
    return null;
  }
  return sha256Hex(token);
}

export async function metricsTokenStatus(): Promise<MetricsTokenStatus> {
  const stored = (await getSettings()).metricsToken;
  return { prefix: stored?.prefix ?? null, createdAt: stored?.createdAt ?? null, fromEnvironment: environmentTokenHash() !== null };
}

/** A new metrics token (returned once); the one before it stops working at once. */
export async function createMetricsToken(actorId: string | null): Promise<{ token: string; status: MetricsTokenStatus }> {
  const token = METRICS_TOKEN_PREFIX + newSecretToken();
  const createdAt = new Date().toISOString();
  const prefix = token.slice(0, METRICS_TOKEN_PREFIX.length + 6);
  await updateSettings({ metricsToken: { hash: sha256Hex(token), prefix, createdAt } });
  await audit(actorId, "metrics-token.create", null, { prefix });
  return { token, status: { prefix, createdAt, fromEnvironment: environmentTokenHash() !== null } };
}

/** Revokes the stored token (LEVHUB_METRICS_TOKEN, set by the operator, stays). */
export async function revokeMetricsToken(actorId: string | null): Promise<void> {
  await updateSettings({ metricsToken: null });
  await audit(actorId, "metrics-token.revoke", null);
}

/** Whether `token` is the metrics token. The environment's is checked first: it needs no database. */
export async function isMetricsToken(token: string): Promise<boolean> {
  const hash = sha256Hex(token);
  const env = environmentTokenHash();
  if (env && sameHash(hash, env)) return true;
  if (!token.startsWith(METRICS_TOKEN_PREFIX)) return false;
  const stored = (await getSettings()).metricsToken;
  return !!stored && sameHash(hash, stored.hash);
}

/** The caller of a `metrics` route: `Authorization: Bearer <metrics token>` only (no session, no user or worker token). */
export async function metricsTokenFromRequest(req: Request): Promise<boolean> {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization")?.trim() ?? "");
  return m ? isMetricsToken(m[1]) : false;
}
