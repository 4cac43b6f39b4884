-- File parameters (issue 20, point 1): a file a user gives a run's `levrt.File` parameter is
-- uploaded first ("FileUpload": a random id run arguments reference, never the content's hash)
-- and kept as a content-addressed blob in the hub's data directory. Runs and saved scans record
-- the files their arguments reference ("RunFile", "ScanFile"); a referenced upload cannot be
-- deleted (RESTRICT), and lib/files/collect.ts removes the others once past their grace period.

CREATE TABLE "FileUpload" (
    "id" TEXT NOT NULL,
    "ownerId" TEXT,
    "projectId" TEXT,
    "name" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FileUpload_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "FileUpload_sha256_idx" ON "FileUpload"("sha256");
CREATE INDEX "FileUpload_ownerId_createdAt_idx" ON "FileUpload"("ownerId", "createdAt");
CREATE INDEX "FileUpload_projectId_idx" ON "FileUpload"("projectId");
CREATE INDEX "FileUpload_createdAt_idx" ON "FileUpload"("createdAt");
ALTER TABLE "FileUpload" ADD CONSTRAINT "FileUpload_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "FileUpload" ADD CONSTRAINT "FileUpload_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "RunFile" (
    "runId" TEXT NOT NULL,
    "fileId" TEXT NOT NULL,
    CONSTRAINT "RunFile_pkey" PRIMARY KEY ("runId", "fileId")
);
CREATE INDEX "RunFile_fileId_idx" ON "RunFile"("fileId");
ALTER TABLE "RunFile" ADD CONSTRAINT "RunFile_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RunFile" ADD CONSTRAINT "RunFile_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "FileUpload"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TABLE "ScanFile" (
    "scanId" TEXT NOT NULL,
    "fileId" TEXT NOT NULL,
    CONSTRAINT "ScanFile_pkey" PRIMARY KEY ("scanId", "fileId")
);
CREATE INDEX "ScanFile_fileId_idx" ON "ScanFile"("fileId");
ALTER TABLE "ScanFile" ADD CONSTRAINT "ScanFile_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "SavedScan"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ScanFile" ADD CONSTRAINT "ScanFile_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "FileUpload"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
