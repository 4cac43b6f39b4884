/**
 * How a project secret's value is encrypted at rest: AES-256-GCM with a random 96-bit nonce per
 * value and the secret's id as associated data (a ciphertext copied onto another secret's row
 * does not decrypt), stored as nonce ‖ ciphertext ‖ tag beside the id of the key that made it.
 * Pure: the key comes from the key ring (secrets-key.ts).
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto";

export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface SecretKey {
  /** a digest of the key, never the key: stored with each value */
  id: string;
  key: Buffer;
}

/** The id a key is known by: 16 hex digits of a digest that reveals nothing of the key. */
export function keyIdOf(key: Buffer): string {
  return createHash("sha256").update("levhub secrets key\0").update(key).digest("hex").slice(0, 16);
}

export function secretKey(key: Buffer): SecretKey {
  if (key.length !== KEY_BYTES) throw new Error(`a secrets key is ${KEY_BYTES} bytes, not ${key.length}`);
  return { id: keyIdOf(key), key };
}

const aad = (secretId: string) => Buffer.from(`levhub secret ${secretId}`, "utf8");

export function encryptValue(k: SecretKey, secretId: string, value: string): { ciphertext: Buffer; keyId: string } {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", k.key, nonce);
  cipher.setAAD(aad(secretId));
  const data = Buffer.concat([cipher.update(value, "utf8"), cipher.final()]);
  return { ciphertext: Buffer.concat([nonce, data, cipher.getAuthTag()]), keyId: k.id };
}

/** The value, or an Error when the bytes were not made by this key for this secret. */
export function decryptValue(k: SecretKey, secretId: string, ciphertext: Uint8Array): string {
  const buf = Buffer.from(ciphertext);
  if (buf.length <= NONCE_BYTES + TAG_BYTES) throw new Error("the stored value is too short to be a ciphertext");
  const decipher = createDecipheriv("aes-256-gcm", k.key, buf.subarray(0, NONCE_BYTES));
  decipher.setAAD(aad(secretId));
  decipher.setAuthTag(buf.subarray(buf.length - TAG_BYTES));
  return Buffer.concat([decipher.update(buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES)), decipher.final()]).toString("utf8");
}
