-- The catalog's generation (issue 22, point 3): one row whose number moves in the same transaction
-- as anything that changes what a search counts (the search rows, a package's visibility, latest
-- version or official mark, a namespace's owner or name). The web process keeps each search's
-- facet counts with the generation they were counted under (lib/catalog/facet-cache.ts) and
-- reuses them while it is unchanged: a row, not a sequence, so that a search sees the number and
-- the rows it counted in one snapshot (a sequence moves before the change commits).
CREATE TABLE "CatalogGeneration" (
  "id" INTEGER NOT NULL DEFAULT 1 PRIMARY KEY CHECK ("id" = 1),
  "generation" BIGINT NOT NULL DEFAULT 0
);
INSERT INTO "CatalogGeneration" ("id", "generation") VALUES (1, 0);

CREATE FUNCTION "levhub_catalog_changed"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "CatalogGeneration" SET "generation" = "generation" + 1 WHERE "id" = 1;
  RETURN NULL;
END
$$;

-- once per statement: a publish or a bulk change moves the number once
CREATE TRIGGER "PackageSearch_generation" AFTER INSERT OR UPDATE OR DELETE ON "PackageSearch"
  FOR EACH STATEMENT EXECUTE FUNCTION "levhub_catalog_changed"();
CREATE TRIGGER "PackageSearch_generation_truncate" AFTER TRUNCATE ON "PackageSearch"
  FOR EACH STATEMENT EXECUTE FUNCTION "levhub_catalog_changed"();
CREATE TRIGGER "Package_generation" AFTER INSERT OR DELETE OR UPDATE OF "private", "officialAt", "officialById", "latestVersionId", "namespaceId", "name" ON "Package"
  FOR EACH STATEMENT EXECUTE FUNCTION "levhub_catalog_changed"();
CREATE TRIGGER "Namespace_generation" AFTER DELETE OR UPDATE OF "ownerId", "name" ON "Namespace"
  FOR EACH STATEMENT EXECUTE FUNCTION "levhub_catalog_changed"();
