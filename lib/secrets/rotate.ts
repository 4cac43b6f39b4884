import "server-only";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { audit } from "../platform/audit.ts";
import { dataDir } from "../platform/config.ts";
import { db } from "../platform/db.ts";
import { decryptValue, encryptValue, secretKey } from "../platform/secret-cipher.ts";
import { KEY_ENV, keyFilePath, loadKeyRing, newKeyText } from "../platform/secrets-key.ts";
import { SECRETS_LOCK } from "./secrets.ts";

/**
 * `npm run admin -- rotate-secrets-key`: every secret's value re-encrypted with a new key in one
 * transaction, under SECRETS_LOCK (no value is written meanwhile).
 *
 * With the key file: the new key is written beside it first (`secrets.key.<id>`), the values are
 * re-encrypted, and just before the commit the files swap (the old key stays as
 * `secrets.key.<old id>`); after the commit every key file no value uses is removed. Cut short
 * anywhere, every value is still readable: the ring holds every key file (lib/platform/secrets-key.ts),
 * and running the command again finishes the job. A running hub reads the ring again when it
 * meets a key id it does not know.
 *
 * With LEVHUB_SECRETS_KEY: the new key comes from LEVHUB_SECRETS_KEY_NEW (the hub cannot change its
 * own environment); afterwards the hub must be started with LEVHUB_SECRETS_KEY set to it.
 */
export interface Rotation {
  secrets: number;
  from: string[];
  to: string;
  source: "environment" | "file";
}

export async function rotateSecretsKey(env: Record<string, string | undefined> = process.env, dir = dataDir()): Promise<Rotation> {
  const ring = loadKeyRing(env, dir);
  let next;
  let written: string | null = null;
  if (ring.source === "environment") {
    if (!env.LEVHUB_SECRETS_KEY_NEW) throw new Error(`the key comes from ${KEY_ENV}: give the new one as LEVHUB_SECRETS_KEY_NEW (openssl rand -base64 32), then start the hub with ${KEY_ENV} set to it`);
    next = secretKey(Buffer.from(env.LEVHUB_SECRETS_KEY_NEW.trim(), "base64"));
  } else {
    const text = newKeyText();
    next = secretKey(Buffer.from(text, "base64"));
    written = path.join(dir, `secrets.key.${next.id}`);
    writeFileSync(written, text + "\n", { mode: 0o600, flag: "wx" });
  }
  const from = new Set<string>();
  let count = 0;
  try {
    await db().$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${SECRETS_LOCK})`;
        const rows = await tx.secret.findMany({ select: { id: true, name: true, ciphertext: true, keyId: true } });
        for (const row of rows) {
          const key = ring.byId.get(row.keyId);
          if (!key) throw new Error(`secret ${row.name} is encrypted with key ${row.keyId}, which is not in the key ring: nothing was changed`);
          const { ciphertext, keyId } = encryptValue(next, row.id, decryptValue(key, row.id, row.ciphertext));
          await tx.secret.update({ where: { id: row.id }, data: { ciphertext: new Uint8Array(ciphertext), keyId } });
          from.add(row.keyId);
          count++;
        }
        if (written) {
          // the swap, still inside the transaction: a writer waiting on the lock reads the new key
          renameSync(keyFilePath(dir), path.join(dir, `secrets.key.${ring.current.id}`));
          renameSync(written, keyFilePath(dir));
          written = null;
        }
      },
      { timeout: 120_000, maxWait: 30_000 },
    );
  } catch (err) {
    if (written) rmSync(written, { force: true });
    throw err;
  }
  if (ring.source === "file") {
    // every key file no value uses any more
    const used = new Set((await db().secret.findMany({ select: { keyId: true }, distinct: ["keyId"] })).map((r) => r.keyId));
    for (const [id, file] of loadKeyRing(env, dir).leftovers) if (!used.has(id)) rmSync(file, { force: true });
  }
  await audit(null, "secret.rotate_key", next.id, { secrets: count, from: [...from], source: ring.source, by: "npm run admin" });
  return { secrets: count, from: [...from], to: next.id, source: ring.source };
}
