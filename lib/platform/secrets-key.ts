import "server-only";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "./config.ts";
import { KEY_BYTES, secretKey, type SecretKey } from "./secret-cipher.ts";

/**
 * The key project secrets are encrypted with, kept outside the database: `LEVHUB_SECRETS_KEY`
 * (base64 of 32 bytes; `LEVHUB_SECRETS_KEY_PREVIOUS` may name the one before, for decrypting only),
 * or the file `<data dir>/secrets.key` (mode 0600), created at first use. A key rotation
 * (lib/secrets/rotate.ts) leaves the key it replaced as `secrets.key.<key id>` until no value uses
 * it; every such file is part of the ring, so a rotation cut short loses nothing.
 */

export const SECRETS_KEY_FILE = "secrets.key";
export const KEY_ENV = "LEVHUB_SECRETS_KEY";
export const PREVIOUS_KEY_ENV = "LEVHUB_SECRETS_KEY_PREVIOUS";
const LEFTOVER = /^secrets\.key\.([0-9a-f]{16})$/;

export interface KeyRing {
  /** the key new values are encrypted with */
  current: SecretKey;
  /** every key values may be encrypted with, by id */
  byId: Map<string, SecretKey>;
  source: "environment" | "file";
  /** the key files beside the current one (a rotation's leftovers), by key id */
  leftovers: Map<string, string>;
}

export function keyFilePath(dir = dataDir()): string {
  return path.join(dir, SECRETS_KEY_FILE);
}

function fromBase64(text: string, what: string): SecretKey {
  const key = Buffer.from(text.trim(), "base64");
  if (key.length !== KEY_BYTES) throw new Error(`${what} must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32); it holds ${key.length} bytes`);
  return secretKey(key);
}

/** A new random key, as a key file or the environment variable holds it. */
export function newKeyText(): string {
  return randomBytes(KEY_BYTES).toString("base64");
}

/** Reads (creating it at first use) the key file of `dir`: only its owner may read it. */
function readKeyFile(file: string, create: boolean): SecretKey {
  if (create) {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    try {
      writeFileSync(file, newKeyText() + "\n", { mode: 0o600, flag: "wx" });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
  }
  if ((statSync(file).mode & 0o077) !== 0) {
    // a key others on the machine may read is no key: take it back to its owner
    chmodSync(file, 0o600);
    console.error(`[levhub] ${file} was readable by others; it is 0600 now`);
  }
  return fromBase64(readFileSync(file, "utf8"), file);
}

/** The key ring as the environment and the data directory hold it now. */
export function loadKeyRing(env: Record<string, string | undefined> = process.env, dir = dataDir()): KeyRing {
  const byId = new Map<string, SecretKey>();
  const leftovers = new Map<string, string>();
  if (env[KEY_ENV]) {
    const current = fromBase64(env[KEY_ENV], KEY_ENV);
    byId.set(current.id, current);
    if (env[PREVIOUS_KEY_ENV]) {
      const previous = fromBase64(env[PREVIOUS_KEY_ENV], PREVIOUS_KEY_ENV);
      byId.set(previous.id, previous);
    }
    return { current, byId, source: "environment", leftovers };
  }
  const current = readKeyFile(keyFilePath(dir), true);
  byId.set(current.id, current);
  for (const name of readdirSync(dir)) {
    const m = LEFTOVER.exec(name);
    if (!m || m[1] === current.id) continue;
    const file = path.join(dir, name);
    const k = readKeyFile(file, false);
    byId.set(k.id, k);
    leftovers.set(k.id, file);
  }
  return { current, byId, source: "file", leftovers };
}

const g = globalThis as typeof globalThis & { __levhubKeyRing?: KeyRing };

/** The process's key ring (read once; `fresh` reads it again, e.g. after another process rotated the key). */
export function keyRing(opts: { fresh?: boolean } = {}): KeyRing {
  if (opts.fresh || !g.__levhubKeyRing) g.__levhubKeyRing = loadKeyRing();
  return g.__levhubKeyRing;
}

/** The key a value was encrypted with, reading the ring again once when it is not known (a rotation elsewhere). */
export function keyById(id: string): SecretKey | null {
  return keyRing().byId.get(id) ?? keyRing({ fresh: true }).byId.get(id) ?? null;
}
