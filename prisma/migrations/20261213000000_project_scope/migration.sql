-- A project's scope (issue 19, points 1 and 2): the targets its runs may touch, as the rules text
-- of runner/src/scope (allow, exclude, services), validated before it is stored; null = unscoped,
-- the project behaves as before. The two flags are recorded and shown; the network does not enforce
-- them yet.
ALTER TABLE "Project" ADD COLUMN "scope" JSONB;
ALTER TABLE "Project" ADD COLUMN "requireEnforcement" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "Project" ADD COLUMN "allowHostNetwork" BOOLEAN NOT NULL DEFAULT false;
