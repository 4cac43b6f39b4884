-- A run's log is capped in bytes as well as in lines (lib/runs/report-limits.ts): the bytes kept,
-- and how many reported lines were not kept (the log is the beginning of what was reported).
ALTER TABLE "Run" ADD COLUMN "logBytes" BIGINT NOT NULL DEFAULT 0;
ALTER TABLE "Run" ADD COLUMN "logDropped" INTEGER NOT NULL DEFAULT 0;
