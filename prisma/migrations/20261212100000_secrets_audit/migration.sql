-- Project secrets (issue 18, point 3): values a project's runs use without seeing them, encrypted
-- at rest (AES-256-GCM, the key outside the database), and whether a project lets them reach
-- users' devices. The audit page (point 4) filters events by project, actor and action, newest
-- first by id: an index for each.

ALTER TABLE "Project" ADD COLUMN IF NOT EXISTS "secretsOnDevices" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE IF NOT EXISTS "Secret" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "roles" "ProjectRole"[] NOT NULL,
    "ciphertext" BYTEA NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    CONSTRAINT "Secret_pkey" PRIMARY KEY ("id"),
    -- nonce (12) + at least one byte + tag (16)
    CONSTRAINT "Secret_ciphertext_check" CHECK (octet_length("ciphertext") > 28)
);
CREATE UNIQUE INDEX IF NOT EXISTS "Secret_projectId_name_key" ON "Secret"("projectId", "name");
ALTER TABLE "Secret" DROP CONSTRAINT IF EXISTS "Secret_projectId_fkey";
ALTER TABLE "Secret" ADD CONSTRAINT "Secret_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Secret" DROP CONSTRAINT IF EXISTS "Secret_createdById_fkey";
ALTER TABLE "Secret" ADD CONSTRAINT "Secret_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE INDEX IF NOT EXISTS "AuditEvent_projectId_id_idx" ON "AuditEvent"("projectId", "id");
CREATE INDEX IF NOT EXISTS "AuditEvent_actorId_id_idx" ON "AuditEvent"("actorId", "id");
CREATE INDEX IF NOT EXISTS "AuditEvent_action_id_idx" ON "AuditEvent"("action", "id");
