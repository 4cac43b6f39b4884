-- A task's status becomes a closed set in the database, as a run's already is: the enum holds the
-- values of TASK_STATUSES (runner/src/status.ts). Every stored value must be one of them: a row
-- with anything else stops the migration naming the values found (nothing is guessed or dropped).

CREATE TYPE "TaskStatus" AS ENUM ('starting', 'running', 'succeeded', 'failed', 'stopped', 'cancelled', 'timed_out');

DO $$
DECLARE
  unknown TEXT;
BEGIN
  SELECT string_agg(DISTINCT quote_literal(status), ', ' ORDER BY quote_literal(status)) INTO unknown
    FROM "Task"
   WHERE status NOT IN ('starting', 'running', 'succeeded', 'failed', 'stopped', 'cancelled', 'timed_out');
  IF unknown IS NOT NULL THEN
    RAISE EXCEPTION 'Task.status holds values outside TaskStatus: %', unknown;
  END IF;
END $$;

ALTER TABLE "Task" ALTER COLUMN "status" TYPE "TaskStatus" USING "status"::"TaskStatus";
