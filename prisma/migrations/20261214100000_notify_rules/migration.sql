-- Notifications (lib/notify): rules per project or per user, and one delivery per (event, rule)
-- made in the same transaction that marks the outbox event dispatched.
CREATE TYPE "NotificationChannel" AS ENUM ('webhook', 'slack', 'email');
CREATE TYPE "NotificationDeliveryStatus" AS ENUM ('pending', 'retrying', 'delivered', 'dead');

CREATE TABLE "NotificationRule" (
    "id" TEXT NOT NULL,
    -- a project rule (its owners manage it) when set; a user rule (over every project its user may read) otherwise
    "projectId" TEXT,
    -- a user rule's user; a project rule's creator
    "userId" TEXT,
    "name" TEXT NOT NULL,
    "eventTypes" TEXT[] NOT NULL,
    "minSeverity" "FindingSeverity",
    "channel" "NotificationChannel" NOT NULL,
    "url" TEXT,
    -- the webhook's signing secret, AES-256-GCM with the secrets key (lib/platform/secret-cipher.ts)
    "secretCiphertext" BYTEA,
    "secretKeyId" TEXT,
    "emails" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[],
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "NotificationRule_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "NotificationRule_scope" CHECK ("projectId" IS NOT NULL OR "userId" IS NOT NULL)
);
CREATE INDEX "NotificationRule_projectId_idx" ON "NotificationRule"("projectId");
CREATE INDEX "NotificationRule_userId_idx" ON "NotificationRule"("userId");
ALTER TABLE "NotificationRule" ADD CONSTRAINT "NotificationRule_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NotificationRule" ADD CONSTRAINT "NotificationRule_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "NotificationDelivery" (
    -- the idempotency key receivers see (X-Levhub-Delivery): the same for every attempt
    "id" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    -- null: a "send test"
    "eventId" BIGINT,
    "projectId" TEXT,
    "eventType" TEXT NOT NULL,
    "status" "NotificationDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    -- the last answer's status code and byte count; never its body
    "lastStatusCode" INTEGER,
    "lastResponseBytes" INTEGER,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    CONSTRAINT "NotificationDelivery_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "NotificationDelivery_ruleId_eventId_key" ON "NotificationDelivery"("ruleId", "eventId");
CREATE INDEX "NotificationDelivery_projectId_createdAt_idx" ON "NotificationDelivery"("projectId", "createdAt");
CREATE INDEX "NotificationDelivery_ruleId_createdAt_idx" ON "NotificationDelivery"("ruleId", "createdAt");
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "NotificationRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "ProjectEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "NotificationDelivery" ADD CONSTRAINT "NotificationDelivery_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
