-- The durable run queue (issue 8): runs wait in pg-boss (schema "pgboss", created by pg-boss
-- itself) and are taken by workers that register with a credential; the hub records which
-- worker process (instance) holds each run, so a lost process's runs can be ended.

-- claimed by a worker, its containers not started yet
ALTER TYPE "RunStatus" ADD VALUE IF NOT EXISTS 'starting' AFTER 'queued';

CREATE TYPE "WorkerState" AS ENUM ('online', 'draining', 'lost', 'stopped');

CREATE TABLE "WorkerCredential" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdBy" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    "lastUsedAt" TIMESTAMP(3),
    CONSTRAINT "WorkerCredential_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "WorkerCredential_tokenHash_key" ON "WorkerCredential"("tokenHash");

CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "labels" JSONB NOT NULL,
    "capacity" INTEGER NOT NULL,
    "version" TEXT NOT NULL,
    "engineHost" TEXT NOT NULL,
    "engineVersion" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "instance" TEXT NOT NULL,
    "state" "WorkerState" NOT NULL DEFAULT 'online',
    "registeredAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Worker_instance_key" ON "Worker"("instance");
CREATE INDEX "Worker_state_lastSeenAt_idx" ON "Worker"("state", "lastSeenAt");
ALTER TABLE "Worker" ADD CONSTRAINT "Worker_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "WorkerCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Run"
    ADD COLUMN "jobId" TEXT,
    ADD COLUMN "queue" TEXT,
    ADD COLUMN "queuedAt" TIMESTAMP(3),
    ADD COLUMN "workerId" TEXT,
    ADD COLUMN "workerInstance" TEXT,
    ADD COLUMN "claimedAt" TIMESTAMP(3),
    ADD COLUMN "attempt" INTEGER NOT NULL DEFAULT 1,
    ADD COLUMN "cancelRequestedAt" TIMESTAMP(3),
    ADD COLUMN "cancelReason" TEXT,
    -- the highest event seq of the worker's report applied (each applied once, in order)
    ADD COLUMN "reportedSeq" INTEGER NOT NULL DEFAULT 0,
    -- log lines the worker reported for this run (RunLog keeps the first MAX_LOG_ROWS)
    ADD COLUMN "logLines" INTEGER NOT NULL DEFAULT 0;
ALTER TABLE "Run" ADD CONSTRAINT "Run_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Worker"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Run_workerInstance_idx" ON "Run"("workerInstance");
CREATE INDEX "Run_queue_status_queuedAt_idx" ON "Run"("queue", "status", "queuedAt");
