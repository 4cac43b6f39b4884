-- Debug terminals (issue 21, point 3): a shell into a running task's container, relayed through
-- the database so the browser and the worker may reach different hub processes. A session row,
-- and its bytes as numbered frames each way (input: browser → worker, output: worker → browser),
-- trimmed as they are acknowledged (input) or fall out of the scrollback (output).

-- "pause before entry": the run's tool tasks wait for a debugger before their entry
ALTER TABLE "Run" ADD COLUMN "debugPause" BOOLEAN NOT NULL DEFAULT false;

CREATE TYPE "DebugState" AS ENUM ('pending', 'open', 'ended');
CREATE TYPE "DebugDirection" AS ENUM ('in', 'out');

CREATE TABLE "DebugSession" (
  "id" TEXT NOT NULL,
  "runId" TEXT NOT NULL,
  "task" INTEGER NOT NULL,
  "userId" TEXT NOT NULL,
  "workerInstance" TEXT NOT NULL,
  "state" "DebugState" NOT NULL DEFAULT 'pending',
  "cols" INTEGER NOT NULL,
  "rows" INTEGER NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "orderedAt" TIMESTAMP(3),
  "openedAt" TIMESTAMP(3),
  "endedAt" TIMESTAMP(3),
  "endReason" TEXT,
  "lastActivityAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "paused" BOOLEAN NOT NULL DEFAULT false,
  "inSeq" INTEGER NOT NULL DEFAULT 0,
  "inAcked" INTEGER NOT NULL DEFAULT 0,
  "outSeq" INTEGER NOT NULL DEFAULT 0,
  "bytesIn" BIGINT NOT NULL DEFAULT 0,
  "bytesOut" BIGINT NOT NULL DEFAULT 0,
  "outWindowAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "outWindowBytes" INTEGER NOT NULL DEFAULT 0,
  CONSTRAINT "DebugSession_pkey" PRIMARY KEY ("id"),
  CONSTRAINT "DebugSession_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT "DebugSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "DebugSession_workerInstance_state_idx" ON "DebugSession"("workerInstance", "state");
CREATE INDEX "DebugSession_runId_task_state_idx" ON "DebugSession"("runId", "task", "state");
CREATE INDEX "DebugSession_state_lastActivityAt_idx" ON "DebugSession"("state", "lastActivityAt");

CREATE TABLE "DebugFrame" (
  "sessionId" TEXT NOT NULL,
  "dir" "DebugDirection" NOT NULL,
  "seq" INTEGER NOT NULL,
  -- input: {"kind": "data"|"resize"|"continue", "cols"?, "rows"?}; output: {}
  "meta" JSONB NOT NULL DEFAULT '{}',
  "data" BYTEA NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT "DebugFrame_pkey" PRIMARY KEY ("sessionId", "dir", "seq"),
  CONSTRAINT "DebugFrame_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "DebugSession"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
