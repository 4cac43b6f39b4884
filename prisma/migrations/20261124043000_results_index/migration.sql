-- The results index: a copy of every stored result document beside MongoDB (which stays the
-- Leviathan contract store), so the results browser filters, pages, exports and charts with
-- PostgreSQL indexes instead of FerretDB scans. Written by lib/results/indexing-store.ts, repaired
-- from MongoDB by reindexRun().
CREATE TABLE "ResultDocument" (
    "id" BIGSERIAL NOT NULL,
    "coll" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "function" TEXT NOT NULL,
    "job" INTEGER NOT NULL,
    "task" INTEGER NOT NULL,
    "storedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "bytes" INTEGER NOT NULL,
    "doc" JSONB NOT NULL,

    CONSTRAINT "ResultDocument_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "ResultDocument_coll_job_task_key" ON "ResultDocument"("coll", "job", "task");
-- keyset pages: a collection (admins), a viewer's part of a collection, a run
CREATE INDEX "ResultDocument_coll_id_idx" ON "ResultDocument"("coll", "id");
CREATE INDEX "ResultDocument_ownerId_coll_id_idx" ON "ResultDocument"("ownerId", "coll", "id");
CREATE INDEX "ResultDocument_runId_id_idx" ON "ResultDocument"("runId", "id");
CREATE INDEX "ResultDocument_ownerId_id_idx" ON "ResultDocument"("ownerId", "id");
-- field queries: equality hints (`doc @> …`) use it
CREATE INDEX "ResultDocument_doc_idx" ON "ResultDocument" USING GIN ("doc" jsonb_path_ops);

ALTER TABLE "ResultDocument" ADD CONSTRAINT "ResultDocument_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Document counts per (owner, collection), kept with the index so the collection tree never
-- counts a million rows.
CREATE TABLE "ResultCollection" (
    "ownerId" TEXT NOT NULL,
    "coll" TEXT NOT NULL,
    "documents" BIGINT NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "lastAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ResultCollection_pkey" PRIMARY KEY ("ownerId", "coll")
);

CREATE INDEX "ResultCollection_coll_idx" ON "ResultCollection"("coll");
