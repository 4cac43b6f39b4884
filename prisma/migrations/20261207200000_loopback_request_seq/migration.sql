-- Every worker request carries a sequence number (runner/worker/protocol.ts REQUEST_SEQ_HEADER),
-- admitted once per instance in the UPDATE that already records the instance as seen
-- (lib/queue/workers.ts admitRequest): the highest number admitted, and a bitmap of which of the
-- 64 numbers up to it were (bit i: requestSeq - i), so concurrent requests may arrive out of order
-- while a recorded request replayed verbatim is refused. Existing instances start from nothing.
ALTER TABLE "Worker"
  ADD COLUMN "requestSeq" BIGINT NOT NULL DEFAULT 0,
  ADD COLUMN "requestSeqWindow" BIGINT NOT NULL DEFAULT 0;
