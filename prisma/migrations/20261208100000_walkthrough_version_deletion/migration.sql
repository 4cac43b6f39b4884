-- A version its owner deleted (lib/packages/deletion.ts): the row stays for the runs that ran it
-- (their pages, arguments and stored results are kept), but it leaves the catalog, is never run,
-- depended on or fetched again, and its version number is never published again.
ALTER TABLE "PackageVersion" ADD COLUMN "deletedAt" TIMESTAMP(3);
