-- My devices (issue 10): a user's own machine runs that user's runs. A device is a worker whose
-- credential belongs to one user ("ownerId"; null = a hub worker). Its registrations are Worker
-- rows like any worker's; a run sent to it names it ("Run"."deviceId") and waits in the device's
-- own pg-boss queue, which only that device's instances fetch.

ALTER TABLE "WorkerCredential" ADD COLUMN "ownerId" TEXT;
ALTER TABLE "WorkerCredential" ADD CONSTRAINT "WorkerCredential_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
CREATE INDEX "WorkerCredential_ownerId_idx" ON "WorkerCredential"("ownerId");

CREATE TABLE "Device" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMP(3),
    CONSTRAINT "Device_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Device_credentialId_key" ON "Device"("credentialId");
CREATE UNIQUE INDEX "Device_ownerId_name_key" ON "Device"("ownerId", "name");
ALTER TABLE "Device" ADD CONSTRAINT "Device_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Device" ADD CONSTRAINT "Device_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "WorkerCredential"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Run" ADD COLUMN "deviceId" TEXT;
ALTER TABLE "Run" ADD CONSTRAINT "Run_deviceId_fkey" FOREIGN KEY ("deviceId") REFERENCES "Device"("id") ON DELETE SET NULL ON UPDATE CASCADE;
CREATE INDEX "Run_deviceId_status_idx" ON "Run"("deviceId", "status");
