import "server-only";
import { db } from "../platform/db.ts";
import { decryptValue } from "../platform/secret-cipher.ts";
import { keyById } from "../platform/secrets-key.ts";
import { AppError } from "../errors.ts";

/**
 * Decrypting secrets, for the two places that need a value: a worker starting a run that binds it
 * (lib/worker/worker-secrets.ts) and the hub masking that run's output (lib/secrets/run-masker.ts).
 * Nothing else reads a value back.
 */

export interface SecretValue {
  id: string;
  name: string;
  value: string;
  projectId: string;
  secretsOnDevices: boolean;
}

/** Why a stored value cannot be read (a deleted secret, a key this hub lacks, a changed value): never retried. */
export class SecretUnavailableError extends AppError {
  constructor(message: string) {
    super("validation", message);
  }
}

/** The values of these secrets, by id; a missing secret or key refuses them all (SecretUnavailableError). */
export async function secretValues(ids: string[]): Promise<Map<string, SecretValue>> {
  if (!ids.length) return new Map();
  const rows = await db().secret.findMany({
    where: { id: { in: ids } },
    select: { id: true, name: true, ciphertext: true, keyId: true, projectId: true, project: { select: { secretsOnDevices: true } } },
  });
  const out = new Map<string, SecretValue>();
  for (const id of ids) {
    const row = rows.find((r) => r.id === id);
    if (!row) throw new SecretUnavailableError(`secret ${id} was deleted after the run was started`);
    const key = keyById(row.keyId);
    if (!key) {
      throw new SecretUnavailableError(`secret ${row.name} is encrypted with key ${row.keyId}, which this hub does not have (was LEVHUB_SECRETS_KEY or the data directory's secrets.key changed?)`);
    }
    let value: string;
    try {
      value = decryptValue(key, row.id, row.ciphertext);
    } catch {
      throw new SecretUnavailableError(`secret ${row.name} could not be decrypted: its stored value does not match its key`);
    }
    out.set(id, { id, name: row.name, value, projectId: row.projectId, secretsOnDevices: row.project.secretsOnDevices });
  }
  return out;
}
