-- Each function's search document, stored (issue 22, point 3): a search names the functions of
-- its page's packages that match (lib/catalog/cards.ts) by testing these, instead of building a
-- tsvector for every function of the page on every request. The same words as the package's own
-- document gives them (the qualified name split at dots and dashes, the description, the
-- docstring, the tags), capped like it so that no docstring can make a publish fail.
CREATE FUNCTION "levhub_export_document"(qualified TEXT, "desc" TEXT, doc TEXT, tags TEXT[]) RETURNS TSVECTOR LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT to_tsvector('simple', left("levhub_search_words"(qualified) || ' ' || coalesce("desc", '') || ' ' || coalesce(doc, '') || ' ' || array_to_string(coalesce(tags, '{}'), ' '), 400000))
$$;

-- kept by a trigger, not a generated column: a backup's rows are restored with INSERT … SELECT *
-- (lib/backup/parts/postgres.ts), which a generated column refuses
ALTER TABLE "Export" ADD COLUMN "document" TSVECTOR;
UPDATE "Export" SET "document" = "levhub_export_document"("qualified", "desc", "doc", "tags");
ALTER TABLE "Export" ALTER COLUMN "document" SET NOT NULL;

CREATE FUNCTION "levhub_export_document_trigger"() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
  NEW."document" := "levhub_export_document"(NEW."qualified", NEW."desc", NEW."doc", NEW."tags");
  RETURN NEW;
END
$$;

CREATE TRIGGER "Export_document" BEFORE INSERT OR UPDATE OF "qualified", "desc", "doc", "tags", "document" ON "Export"
  FOR EACH ROW EXECUTE FUNCTION "levhub_export_document_trigger"();
