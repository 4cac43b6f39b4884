import { randomBytes, scrypt as scryptCb, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { hash as argon2Hash, verify as argon2Verify, type Options as Argon2Options } from "@node-rs/argon2";

/**
 * Passwords are stored as argon2id PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`) with
 * OWASP's parameters. Hashes of older hubs (`scrypt$N$r$p$salt$hash`) still verify and are
 * rewritten at the next sign-in (see `needsRehash`). Both run on libuv's thread pool, never on the
 * event loop.
 */

// @node-rs/argon2 exports Algorithm as a const enum, which isolated modules cannot read: 2 = Argon2id
const ARGON2ID = 2 as Argon2Options["algorithm"];
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const ARGON2_OPTIONS: Argon2Options = { algorithm: ARGON2ID, ...ARGON2_PARAMS, outputLen: 32 };
const CURRENT_PREFIX = `$argon2id$v=19$m=${ARGON2_PARAMS.memoryCost},t=${ARGON2_PARAMS.timeCost},p=${ARGON2_PARAMS.parallelism}$`;

/** Verified against when an account does not exist, so the answer takes as long either way. */
export const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$dqokYgBr6fVN+Snr4Ts2sA$sLwwXjx8OAGUnCCcPeMd/kA/EbWM6RXrcgOYodXqdoE";

// generous bounds for hashes someone else's hub might have written; beyond them a stored hash is refused
const SCRYPT_MAX_N = 2 ** 20;
const SCRYPT_MAX_R = 32;

const scrypt = (password: string, salt: Buffer, keylen: number, opts: ScryptOptions) =>
  new Promise<Buffer>((resolve, reject) => scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))));

export async function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  if (stored.startsWith("$argon2")) {
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false; // a malformed stored hash matches nothing
    }
  }
  if (stored.startsWith("scrypt$")) return verifyScrypt(password, stored);
  return false;
}

/** Whether a hash that just verified should be replaced by one with the current algorithm and parameters. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(CURRENT_PREFIX);
}

/** The format of hubs before argon2id; kept so their users can still sign in (once). */
async function verifyScrypt(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6) return false;
  const [n, r, p] = parts.slice(1, 4).map(Number);
  if (!Number.isInteger(n) || n < 2 || n > SCRYPT_MAX_N || (n & (n - 1)) !== 0) return false;
  if (!Number.isInteger(r) || r < 1 || r > SCRYPT_MAX_R || !Number.isInteger(p) || p < 1 || p > 16) return false;
  const salt = Buffer.from(parts[4], "base64");
  const expected = Buffer.from(parts[5], "base64");
  if (expected.length < 16 || expected.length > 64) return false;
  const key = await scrypt(password, salt, expected.length, { N: n, r, p, maxmem: 256 * n * r });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** Writes a hash in the old scrypt format; only tests use it, to stand for an account of an older hub. */
export async function legacyScryptHash(password: string, N = 16_384): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
  return `scrypt$${N}$8$1$${salt.toString("base64")}$${key.toString("base64")}`;
}
