-- Saved scans: a named run configuration (package, function, arguments), optionally on a cron
-- schedule; runs record what started them and, when a scan did, which one.
CREATE TYPE "RunTrigger" AS ENUM ('manual', 'schedule', 'rerun');

CREATE TABLE "SavedScan" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "versionId" TEXT,
    "function" TEXT NOT NULL,
    "args" JSONB NOT NULL,
    "cron" TEXT,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" TIMESTAMP(3),
    "lastRunAt" TIMESTAMP(3),
    "lastError" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SavedScan_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "SavedScan_ownerId_name_key" ON "SavedScan"("ownerId", "name");
CREATE INDEX "SavedScan_enabled_nextRunAt_idx" ON "SavedScan"("enabled", "nextRunAt");
CREATE INDEX "SavedScan_packageId_idx" ON "SavedScan"("packageId");
ALTER TABLE "SavedScan" ADD CONSTRAINT "SavedScan_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SavedScan" ADD CONSTRAINT "SavedScan_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SavedScan" ADD CONSTRAINT "SavedScan_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "PackageVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Run" ADD COLUMN "scanId" TEXT;
ALTER TABLE "Run" ADD COLUMN "trigger" "RunTrigger" NOT NULL DEFAULT 'manual';
CREATE INDEX "Run_scanId_createdAt_idx" ON "Run"("scanId", "createdAt");
ALTER TABLE "Run" ADD CONSTRAINT "Run_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "SavedScan"("id") ON DELETE SET NULL ON UPDATE CASCADE;
