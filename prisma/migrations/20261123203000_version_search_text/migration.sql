-- AlterTable
ALTER TABLE "PackageVersion" ADD COLUMN "searchText" TEXT NOT NULL DEFAULT '';
