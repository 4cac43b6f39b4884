-- The catalog's search document: one row per package that has a latest version, derived from
-- that version (immutable) and the package's names. PostgreSQL searches, counts facets and pages
-- over it; the hub never loads every package. A trigger on "Package" keeps it current, so every
-- path that sets the latest version (publish, scripts, direct inserts) maintains it.

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE "PackageSearch" (
    "packageId" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    -- the package's name, beside the document so one bitmap scan covers text and name matches
    "name" TEXT NOT NULL,
    -- what a package card shows without reading the manifest
    "desc" TEXT NOT NULL,
    "tags" TEXT[] NOT NULL,
    "attck" TEXT[] NOT NULL,
    "blackarch" TEXT[] NOT NULL,
    "kinds" TEXT[] NOT NULL,
    "functions" INTEGER NOT NULL,
    -- weights: names A, tags and descriptions B, docstrings (functions, params, tools) and categories C
    "document" TSVECTOR NOT NULL,
    CONSTRAINT "PackageSearch_pkey" PRIMARY KEY ("packageId"),
    CONSTRAINT "PackageSearch_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "PackageSearch_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "PackageVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- the document lives out of line and uncompressed (TOAST): counting facets reads a heap of small
-- rows, and a matched document is read without decompressing it
ALTER TABLE "PackageSearch" ALTER COLUMN "document" SET STORAGE EXTERNAL;
ALTER TABLE "PackageSearch" SET (toast_tuple_target = 128);

CREATE INDEX "PackageSearch_document_idx" ON "PackageSearch" USING GIN ("document");
-- fuzzy and substring matches on the package name ("nmp" finds nmap, "map" finds nmap)
CREATE INDEX "PackageSearch_name_trgm_idx" ON "PackageSearch" USING GIN ("name" gin_trgm_ops);
-- "Recently published": newest first
CREATE INDEX "Package_updatedAt_idx" ON "Package" ("updatedAt" DESC);

-- names split at dots, dashes and underscores, so `nmap_python` is found by `nmap` and by `python`
CREATE FUNCTION "levhub_search_words"(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(t, '') || ' ' || regexp_replace(coalesce(t, ''), '[^[:alnum:]]+', ' ', 'g')
$$;

CREATE FUNCTION "levhub_package_search_refresh"(pkg TEXT) RETURNS VOID LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "PackageSearch" WHERE "packageId" = pkg;
  INSERT INTO "PackageSearch" ("packageId", "versionId", "name", "desc", "tags", "attck", "blackarch", "kinds", "functions", "document")
  SELECT p."id", v."id", p."name",
    coalesce(nullif(v."manifest"->>'desc', ''), (SELECT e."desc" FROM "Export" e WHERE e."versionId" = v."id" AND e."desc" <> '' ORDER BY e."qualified" LIMIT 1), ''),
    x.tags, x.attck, x.blackarch,
    array_remove(ARRAY[CASE WHEN x.modes > 0 THEN 'tool' END, CASE WHEN x.workflows > 0 THEN 'workflow' END], NULL),
    x.functions,
    setweight(to_tsvector('simple', "levhub_search_words"(n."name" || '.' || p."name")), 'A')
    || setweight(to_tsvector('simple', left(
         array_to_string(x.tags, ' ') || ' ' || coalesce(v."manifest"->>'desc', '') || ' ' || "levhub_search_words"(x.qualified) || ' ' || x.descs,
         200000)), 'B')
    || setweight(to_tsvector('simple', left(
         x.docs || ' ' || x.params || ' ' || v."searchText" || ' ' || array_to_string(x.attck || x.blackarch, ' '),
         400000)), 'C')
  FROM "Package" p
  JOIN "Namespace" n ON n."id" = p."namespaceId"
  JOIN "PackageVersion" v ON v."id" = p."latestVersionId"
  CROSS JOIN LATERAL (
    SELECT
      coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM "Export" e, unnest(e."tags") t WHERE e."versionId" = v."id"), '{}') AS tags,
      coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM "Export" e, unnest(e."attck") t WHERE e."versionId" = v."id"), '{}') AS attck,
      coalesce((SELECT array_agg(DISTINCT t ORDER BY t) FROM "Export" e, unnest(e."blackarch") t WHERE e."versionId" = v."id"), '{}') AS blackarch,
      (SELECT count(*) FROM "Export" e WHERE e."versionId" = v."id" AND e."kind" = 'mode') AS modes,
      (SELECT count(*) FROM "Export" e WHERE e."versionId" = v."id" AND e."kind" = 'workflow') AS workflows,
      (SELECT count(*)::int FROM "Export" e WHERE e."versionId" = v."id") AS functions,
      coalesce((SELECT string_agg(e."qualified", ' ') FROM "Export" e WHERE e."versionId" = v."id"), '') AS qualified,
      coalesce((SELECT string_agg(e."desc", ' ') FROM "Export" e WHERE e."versionId" = v."id"), '') AS descs,
      coalesce((SELECT string_agg(e."doc", ' ') FROM "Export" e WHERE e."versionId" = v."id"), '') AS docs,
      coalesce((SELECT string_agg(d #>> '{}', ' ') FROM jsonb_path_query(v."manifest", '$.modes[*].params[*].desc ? (@.type() == "string")') AS j(d)), '')
        || ' ' ||
      coalesce((SELECT string_agg(d #>> '{}', ' ') FROM jsonb_path_query(v."manifest", '$.workflows[*].params[*].desc ? (@.type() == "string")') AS j(d)), '') AS params
  ) x
  WHERE p."id" = pkg;
END
$$;

CREATE FUNCTION "levhub_package_search_trigger"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "levhub_package_search_refresh"(NEW."id");
  RETURN NULL;
END
$$;

CREATE TRIGGER "Package_search" AFTER INSERT OR UPDATE OF "latestVersionId", "name", "namespaceId" ON "Package"
  FOR EACH ROW EXECUTE FUNCTION "levhub_package_search_trigger"();

SELECT "levhub_package_search_refresh"("id") FROM "Package" WHERE "latestVersionId" IS NOT NULL;
