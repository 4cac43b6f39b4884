import assert from "node:assert/strict";
import { test } from "node:test";
import { excludedFromArchive } from "./files.ts";

test("no archive holds a secrets key: the key file (lib/platform/secrets-key.ts, SECRETS_KEY_FILE), a rotation's leftovers, and the other kept-apart files stay out", () => {
  for (const name of ["secrets.key", "secrets.key.k-0123abcd", "nextauth-secret", "pg", "pg-password", "images"]) assert.equal(excludedFromArchive(name), true, name);
  for (const name of ["packages", "uploads", "secrets.keys", "my-secrets.key", "bootstrap-token"]) assert.equal(excludedFromArchive(name), false, name);
});
