-- Accounts a team can trust (issue 23): expiring, scoped API tokens; TOTP two-factor sign-in with
-- recovery codes; invites that fix the e-mail; sign-up by invitation on a fresh hub.

-- API tokens: an expiry, the scopes they carry (read, run, publish, admin) and optionally the one
-- namespace they publish into and read private packages of. Tokens made before had neither: they
-- keep working with every scope their owner could use, for 90 days from now, and their owners get
-- a notice on Settings → API tokens (migrationNotice) until they dismiss it or renew the token.
ALTER TABLE "ApiToken" ADD COLUMN "expiresAt" TIMESTAMP(3);
ALTER TABLE "ApiToken" ADD COLUMN "scopes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "ApiToken" ADD COLUMN "namespace" TEXT;
ALTER TABLE "ApiToken" ADD COLUMN "migrationNotice" BOOLEAN NOT NULL DEFAULT false;
UPDATE "ApiToken" t SET
  "expiresAt" = CURRENT_TIMESTAMP + INTERVAL '90 days',
  "scopes" = CASE WHEN u."role" = 'admin' THEN ARRAY['read', 'run', 'publish', 'admin'] ELSE ARRAY['read', 'run', 'publish'] END,
  "migrationNotice" = true
FROM "User" u WHERE u."id" = t."userId";
ALTER TABLE "ApiToken" ALTER COLUMN "expiresAt" SET NOT NULL;
ALTER TABLE "ApiToken" ALTER COLUMN "scopes" DROP DEFAULT;

-- TOTP (RFC 6238): the secret, encrypted with a key derived from the hub's auth secret; it is set
-- (pending) when enrolment starts and in force once totpEnabledAt is set. totpLastStep refuses a
-- code used once already (replay within its 30-second window).
ALTER TABLE "User" ADD COLUMN "totpSecret" TEXT;
ALTER TABLE "User" ADD COLUMN "totpEnabledAt" TIMESTAMP(3);
ALTER TABLE "User" ADD COLUMN "totpLastStep" INTEGER;

-- Recovery codes: ten per enrolment, shown once, stored as sha256, each usable once.
CREATE TABLE "RecoveryCode" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "usedAt" TIMESTAMP(3),
    CONSTRAINT "RecoveryCode_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "RecoveryCode_userId_hash_key" ON "RecoveryCode"("userId", "hash");
ALTER TABLE "RecoveryCode" ADD CONSTRAINT "RecoveryCode_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- An invite is for one e-mail address (invites made before stay usable by whoever holds them).
ALTER TABLE "Invite" ADD COLUMN "email" TEXT;

-- A fresh hub signs up by invitation (lib/platform/settings.ts defaults signUpMode to "invite");
-- a hub that has accounts already keeps the mode it had, which was "open" unless an admin chose.
UPDATE "HubSettings" SET "data" = jsonb_set("data", '{signUpMode}', '"open"')
WHERE NOT ("data" ? 'signUpMode') AND EXISTS (SELECT 1 FROM "User");
INSERT INTO "HubSettings" ("id", "data", "updatedAt")
SELECT 1, '{"signUpMode": "open"}'::jsonb, CURRENT_TIMESTAMP
WHERE EXISTS (SELECT 1 FROM "User") AND NOT EXISTS (SELECT 1 FROM "HubSettings" WHERE "id" = 1);
