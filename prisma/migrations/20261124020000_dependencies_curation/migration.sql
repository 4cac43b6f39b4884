-- Packages that build on packages (pinned dependencies) and curation ("official").
ALTER TABLE "Package" ADD COLUMN "officialAt" TIMESTAMP(3);
ALTER TABLE "Package" ADD COLUMN "officialById" TEXT;
ALTER TABLE "Package" ADD CONSTRAINT "Package_officialById_fkey" FOREIGN KEY ("officialById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "VersionDependency" (
    "versionId" TEXT NOT NULL,
    "dependencyId" TEXT NOT NULL,
    "requirement" TEXT NOT NULL,
    CONSTRAINT "VersionDependency_pkey" PRIMARY KEY ("versionId","dependencyId")
);
CREATE INDEX "VersionDependency_dependencyId_idx" ON "VersionDependency"("dependencyId");
ALTER TABLE "VersionDependency" ADD CONSTRAINT "VersionDependency_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "PackageVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "VersionDependency" ADD CONSTRAINT "VersionDependency_dependencyId_fkey" FOREIGN KEY ("dependencyId") REFERENCES "PackageVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
