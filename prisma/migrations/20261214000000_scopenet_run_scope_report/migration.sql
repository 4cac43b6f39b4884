-- What a scoped run's network did (issue 19, points 3-5): whether its worker enforced the scope,
-- and the destinations its containers were refused, as the worker last reported them
-- (runner/worker/protocol.ts scopeReportSchema: capped list, most packets first). Null: the run
-- was not scoped, or its worker reported nothing.
ALTER TABLE "Run" ADD COLUMN "scopeReport" JSONB;
