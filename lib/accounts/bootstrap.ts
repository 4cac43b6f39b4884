import "server-only";
import { lstatSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "../platform/config.ts";
import { db } from "../platform/db.ts";
import { getSettings, hubSettingsSchema, updateSettings } from "../platform/settings.ts";
import { newSecretToken, sameHash, sha256Hex } from "./secret-token.ts";
import type { Prisma } from "../generated/prisma/client.ts";

/**
 * The first admin: while a hub has no admin, it keeps a one-time token whose sha256 is in the
 * settings and whose plaintext is a file in the data directory only the operator can read.
 * Signing up at `/signup?bootstrap=<token>` makes that account admin and spends the token;
 * nobody becomes admin by being first or by naming an e-mail address.
 */

/** Where the plaintext token waits for the operator (mode 0600). */
export function bootstrapTokenFile(): string {
  return path.join(dataDir(), "admin-bootstrap-token");
}

function readTokenFile(file: string): string | null {
  try {
    // the data directory is the operator's; still, follow nothing that is not a plain file
    if (!lstatSync(file).isFile()) return null;
    return readFileSync(file, "utf8").trim() || null;
  } catch {
    return null;
  }
}

function writeTokenFile(file: string, token: string) {
  rmSync(file, { force: true });
  // "wx": a file that appeared meanwhile is not written through, and the mode applies on creation
  writeFileSync(file, `${token}\n`, { mode: 0o600, flag: "wx" });
}

export function removeBootstrapTokenFile(): void {
  rmSync(bootstrapTokenFile(), { force: true });
}

const ANY_ADMIN = { where: { role: "admin" } } as const;

/**
 * Called before the hub serves (and by `npm run admin -- bootstrap-link`): when there is no
 * admin, returns the pending token (making one when none is pending or its file is gone);
 * when there is an admin, returns null and removes any token left over.
 */
export async function ensureBootstrapToken(): Promise<string | null> {
  const file = bootstrapTokenFile();
  const pending = (await getSettings()).bootstrapTokenHash;
  if ((await db().user.count(ANY_ADMIN)) > 0) {
    if (pending) await updateSettings({ bootstrapTokenHash: null });
    removeBootstrapTokenFile();
    return null;
  }
  if (pending) {
    const onDisk = readTokenFile(file);
    if (onDisk && sameHash(sha256Hex(onDisk), pending)) return onDisk;
  }
  const token = newSecretToken();
  writeTokenFile(file, token);
  await updateSettings({ bootstrapTokenHash: sha256Hex(token) });
  return token;
}

/** Whether `token` is the pending bootstrap token (a check before any password is hashed). */
export async function isPendingBootstrapToken(token: string): Promise<boolean> {
  const pending = (await getSettings()).bootstrapTokenHash;
  return pending !== null && sameHash(sha256Hex(token), pending);
}

/**
 * Spends the bootstrap token inside the sign-up transaction: true when it was the pending one and
 * no admin exists yet, and then it is cleared. Takes the settings' lock, so it cannot interleave
 * with `updateSettings`.
 */
export async function spendBootstrapToken(tx: Prisma.TransactionClient, token: string): Promise<boolean> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(72107)`;
  const row = await tx.hubSettings.findUnique({ where: { id: 1 } });
  const parsed = hubSettingsSchema.safeParse(row?.data ?? {});
  const settings = parsed.success ? parsed.data : hubSettingsSchema.parse({});
  if (!settings.bootstrapTokenHash || !sameHash(sha256Hex(token), settings.bootstrapTokenHash)) return false;
  if ((await tx.user.count(ANY_ADMIN)) > 0) return false;
  const data = { ...settings, bootstrapTokenHash: null } as unknown as Prisma.InputJsonValue;
  await tx.hubSettings.upsert({ where: { id: 1 }, create: { id: 1, data }, update: { data } });
  return true;
}
