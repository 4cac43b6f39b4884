-- Projects (issue 18): runs, saved scans and results belong to a project whose members see them
-- by role (owner, operator, viewer). Every user gets a personal project (slug = user name, one
-- member: its owner), and everything that existed before moves there, so nothing changes for
-- someone who never makes a project. Access is by membership from here on: the results index is
-- re-keyed from the run's owner to the run's project.
-- It runs in one transaction (lib/platform/migrate.ts): all of it or none. Statements that can be
-- are idempotent (IF NOT EXISTS, ON CONFLICT DO NOTHING, filling only what is still empty).

DO $$ BEGIN
  CREATE TYPE "ProjectRole" AS ENUM ('owner', 'operator', 'viewer');
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

CREATE TABLE IF NOT EXISTS "Project" (
    "id" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "client" TEXT NOT NULL DEFAULT '',
    "windowStart" TIMESTAMP(3),
    "windowEnd" TIMESTAMP(3),
    "personal" BOOLEAN NOT NULL DEFAULT false,
    "personalOwnerId" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Project_pkey" PRIMARY KEY ("id"),
    -- a personal project names its one owner; a team project names none
    CONSTRAINT "Project_personal_owner_check" CHECK ("personal" = ("personalOwnerId" IS NOT NULL)),
    CONSTRAINT "Project_window_check" CHECK ("windowStart" IS NULL OR "windowEnd" IS NULL OR "windowStart" < "windowEnd")
);
CREATE UNIQUE INDEX IF NOT EXISTS "Project_slug_key" ON "Project"("slug");
CREATE UNIQUE INDEX IF NOT EXISTS "Project_personalOwnerId_key" ON "Project"("personalOwnerId");
ALTER TABLE "Project" DROP CONSTRAINT IF EXISTS "Project_personalOwnerId_fkey";
ALTER TABLE "Project" ADD CONSTRAINT "Project_personalOwnerId_fkey" FOREIGN KEY ("personalOwnerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Project" DROP CONSTRAINT IF EXISTS "Project_createdById_fkey";
ALTER TABLE "Project" ADD CONSTRAINT "Project_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE IF NOT EXISTS "ProjectMember" (
    "projectId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "ProjectRole" NOT NULL,
    "addedById" TEXT,
    "addedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProjectMember_pkey" PRIMARY KEY ("projectId", "userId")
);
CREATE INDEX IF NOT EXISTS "ProjectMember_userId_idx" ON "ProjectMember"("userId");
ALTER TABLE "ProjectMember" DROP CONSTRAINT IF EXISTS "ProjectMember_projectId_fkey";
ALTER TABLE "ProjectMember" ADD CONSTRAINT "ProjectMember_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ProjectMember" DROP CONSTRAINT IF EXISTS "ProjectMember_userId_fkey";
ALTER TABLE "ProjectMember" ADD CONSTRAINT "ProjectMember_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ProjectMember" DROP CONSTRAINT IF EXISTS "ProjectMember_addedById_fkey";
ALTER TABLE "ProjectMember" ADD CONSTRAINT "ProjectMember_addedById_fkey" FOREIGN KEY ("addedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- A membership offered to an e-mail address: a one-time link (sha256 stored), accepted by the
-- signed-in account with that address.
CREATE TABLE IF NOT EXISTS "ProjectInvite" (
    "id" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "role" "ProjectRole" NOT NULL,
    "hash" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "usedById" TEXT,
    CONSTRAINT "ProjectInvite_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX IF NOT EXISTS "ProjectInvite_hash_key" ON "ProjectInvite"("hash");
CREATE INDEX IF NOT EXISTS "ProjectInvite_projectId_idx" ON "ProjectInvite"("projectId");
ALTER TABLE "ProjectInvite" DROP CONSTRAINT IF EXISTS "ProjectInvite_projectId_fkey";
ALTER TABLE "ProjectInvite" ADD CONSTRAINT "ProjectInvite_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ProjectInvite" DROP CONSTRAINT IF EXISTS "ProjectInvite_createdById_fkey";
ALTER TABLE "ProjectInvite" ADD CONSTRAINT "ProjectInvite_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ProjectInvite" DROP CONSTRAINT IF EXISTS "ProjectInvite_usedById_fkey";
ALTER TABLE "ProjectInvite" ADD CONSTRAINT "ProjectInvite_usedById_fkey" FOREIGN KEY ("usedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Every user's personal project: the id derives from the user's, so a second pass finds it.
INSERT INTO "Project" ("id", "slug", "name", "personal", "personalOwnerId", "createdById", "createdAt", "updatedAt")
SELECT 'p' || substr(md5('personal:' || u."id"), 1, 24), u."username", u."username", true, u."id", u."id", u."createdAt", CURRENT_TIMESTAMP
  FROM "User" u
ON CONFLICT DO NOTHING;
INSERT INTO "ProjectMember" ("projectId", "userId", "role", "addedById", "addedAt")
SELECT p."id", p."personalOwnerId", 'owner', p."personalOwnerId", p."createdAt"
  FROM "Project" p WHERE p."personal"
ON CONFLICT DO NOTHING;

-- Runs: each in its owner's personal project.
ALTER TABLE "Run" ADD COLUMN IF NOT EXISTS "projectId" TEXT;
UPDATE "Run" r SET "projectId" = p."id" FROM "Project" p WHERE p."personalOwnerId" = r."ownerId" AND r."projectId" IS NULL;
ALTER TABLE "Run" ALTER COLUMN "projectId" SET NOT NULL;
ALTER TABLE "Run" DROP CONSTRAINT IF EXISTS "Run_projectId_fkey";
-- NO ACTION (checked at the statement's end): deleting a user removes their runs and their personal project together
ALTER TABLE "Run" ADD CONSTRAINT "Run_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
CREATE INDEX IF NOT EXISTS "Run_projectId_createdAt_idx" ON "Run"("projectId", "createdAt");

-- Saved scans: each in its owner's personal project; a name is unique within its project.
ALTER TABLE "SavedScan" ADD COLUMN IF NOT EXISTS "projectId" TEXT;
UPDATE "SavedScan" s SET "projectId" = p."id" FROM "Project" p WHERE p."personalOwnerId" = s."ownerId" AND s."projectId" IS NULL;
ALTER TABLE "SavedScan" ALTER COLUMN "projectId" SET NOT NULL;
ALTER TABLE "SavedScan" DROP CONSTRAINT IF EXISTS "SavedScan_projectId_fkey";
ALTER TABLE "SavedScan" ADD CONSTRAINT "SavedScan_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE NO ACTION ON UPDATE CASCADE;
DROP INDEX IF EXISTS "SavedScan_ownerId_name_key";
CREATE UNIQUE INDEX IF NOT EXISTS "SavedScan_projectId_name_key" ON "SavedScan"("projectId", "name");
CREATE INDEX IF NOT EXISTS "SavedScan_ownerId_idx" ON "SavedScan"("ownerId");

-- The results index: keyed by the run's project instead of its owner (from the run itself).
ALTER TABLE "ResultDocument" ADD COLUMN IF NOT EXISTS "projectId" TEXT;
UPDATE "ResultDocument" d SET "projectId" = r."projectId" FROM "Run" r WHERE r."id" = d."runId" AND d."projectId" IS NULL;
ALTER TABLE "ResultDocument" ALTER COLUMN "projectId" SET NOT NULL;
DROP INDEX IF EXISTS "ResultDocument_ownerId_coll_id_idx";
DROP INDEX IF EXISTS "ResultDocument_ownerId_id_idx";
ALTER TABLE "ResultDocument" DROP COLUMN IF EXISTS "ownerId";
-- keyset pages: a project's part of a collection, a project
CREATE INDEX IF NOT EXISTS "ResultDocument_projectId_coll_id_idx" ON "ResultDocument"("projectId", "coll", "id");
CREATE INDEX IF NOT EXISTS "ResultDocument_projectId_id_idx" ON "ResultDocument"("projectId", "id");

-- Collection counts per (project, collection): an owner's counts are their personal project's.
ALTER TABLE "ResultCollection" ADD COLUMN IF NOT EXISTS "projectId" TEXT;
UPDATE "ResultCollection" c SET "projectId" = p."id" FROM "Project" p WHERE p."personalOwnerId" = c."ownerId" AND c."projectId" IS NULL;
-- counts of a user who no longer exists count nothing anyone can read
DELETE FROM "ResultCollection" WHERE "projectId" IS NULL;
ALTER TABLE "ResultCollection" ALTER COLUMN "projectId" SET NOT NULL;
ALTER TABLE "ResultCollection" DROP CONSTRAINT IF EXISTS "ResultCollection_pkey";
ALTER TABLE "ResultCollection" DROP COLUMN IF EXISTS "ownerId";
ALTER TABLE "ResultCollection" ADD CONSTRAINT "ResultCollection_pkey" PRIMARY KEY ("projectId", "coll");

-- Audit rows name the project they concern (membership, settings, runs, scans).
ALTER TABLE "AuditEvent" ADD COLUMN IF NOT EXISTS "projectId" TEXT;
CREATE INDEX IF NOT EXISTS "AuditEvent_projectId_createdAt_idx" ON "AuditEvent"("projectId", "createdAt");
UPDATE "AuditEvent" a SET "projectId" = r."projectId" FROM "Run" r
 WHERE a."action" LIKE 'run.%' AND a."target" = r."id" AND a."projectId" IS NULL;
UPDATE "AuditEvent" a SET "projectId" = s."projectId" FROM "SavedScan" s
 WHERE a."action" LIKE 'scan.%' AND a."target" = s."id" AND a."projectId" IS NULL;
-- a deleted scan's rows: its owner (recorded by name on scan.delete) had it in their personal project
UPDATE "AuditEvent" a SET "projectId" = p."id" FROM "Project" p
 WHERE a."action" LIKE 'scan.%' AND a."projectId" IS NULL AND p."personal"
   AND p."slug" = (SELECT d."data"->>'owner' FROM "AuditEvent" d WHERE d."action" = 'scan.delete' AND d."target" = a."target" LIMIT 1);
