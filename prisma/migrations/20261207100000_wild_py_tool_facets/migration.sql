-- A mode inherits its tool module's categories and tags unless it declares its own, per family
-- (lib/packages/exports.ts, functionFacets): the usual Leviathan idiom puts them on the tool's
-- `__lev__` only. Export rows are derived once, at upload, and the catalog reads only them; rows
-- written before this rule are completed here from their version's manifest (the manifests already
-- held each tool's `cats` and `tags`), and every package's search document is rebuilt.

CREATE TEMP TABLE "_attck" (key TEXT) ON COMMIT DROP;
INSERT INTO "_attck" VALUES
  ('Reconnaissance'), ('ResourceDevelopment'), ('InitialAccess'), ('Execution'), ('Persistence'),
  ('PrivilegeEscalation'), ('DefenseEvasion'), ('CredentialAccess'), ('Discovery'),
  ('LateralMovement'), ('Collection'), ('CommandandControl'), ('Exfiltration'), ('Impact'),
  ('NetworkEffects'), ('RemoteServiceEffects');
CREATE TEMP TABLE "_blackarch" (key TEXT) ON COMMIT DROP;
INSERT INTO "_blackarch" VALUES
  ('webapp'), ('fuzzer'), ('scanner'), ('proxy'), ('windows'), ('dos'), ('disassembler'),
  ('cracker'), ('voip'), ('exploitation'), ('recon'), ('spoof'), ('forensic'), ('crypto'),
  ('backdoor'), ('networking'), ('misc'), ('defensive'), ('wireless'), ('automation'), ('sniffer'),
  ('binary'), ('packer'), ('reversing'), ('mobile'), ('malware'), ('code-audit'), ('social'),
  ('honeypot'), ('hardware'), ('fingerprint'), ('decompiler'), ('config'), ('debugger'),
  ('firmware'), ('bluetooth'), ('database'), ('automobile'), ('nfc'), ('tunnel'), ('drone'),
  ('unpacker'), ('radio'), ('keylogger'), ('stego'), ('anti-forensic'), ('ids'), ('gpu');

CREATE FUNCTION "pg_temp"."levhub_squash"(t TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT lower(regexp_replace(coalesce(t, ''), '[^A-Za-z0-9]', '', 'g'))
$$;

CREATE FUNCTION "pg_temp"."levhub_json_array"(j JSONB) RETURNS JSONB LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN jsonb_typeof(j) = 'array' THEN j ELSE '[]'::jsonb END
$$;

WITH modes AS (
  SELECT e."id", t.tool, m.mode
  FROM "Export" e
  JOIN "PackageVersion" v ON v."id" = e."versionId"
  CROSS JOIN LATERAL jsonb_array_elements(pg_temp.levhub_json_array(v."manifest"->'tools')) AS t(tool)
  CROSS JOIN LATERAL jsonb_array_elements(pg_temp.levhub_json_array(t.tool->'modes')) AS m(mode)
  WHERE e."tool" IS NOT NULL AND t.tool->>'name' = e."tool" AND m.mode->>'qualified' = e."qualified"
)
UPDATE "Export" e SET
  "attck" = CASE WHEN jsonb_array_length(pg_temp.levhub_json_array(modes.mode->'cats'->'attck')) > 0 THEN e."attck" ELSE ARRAY(
    SELECT DISTINCT k FROM unnest(e."attck" || ARRAY(
      SELECT a.key FROM jsonb_array_elements(pg_temp.levhub_json_array(modes.tool->'cats'->'attck')) AS c(cat)
      JOIN "_attck" a ON pg_temp.levhub_squash(a.key) = pg_temp.levhub_squash(c.cat->>'key'))) AS k ORDER BY k) END,
  "blackarch" = CASE WHEN jsonb_array_length(pg_temp.levhub_json_array(modes.mode->'cats'->'blackarch')) > 0 THEN e."blackarch" ELSE ARRAY(
    SELECT DISTINCT k FROM unnest(e."blackarch" || ARRAY(
      SELECT b.key FROM jsonb_array_elements(pg_temp.levhub_json_array(modes.tool->'cats'->'blackarch')) AS c(cat)
      JOIN "_blackarch" b ON pg_temp.levhub_squash(b.key) = pg_temp.levhub_squash(c.cat->>'key'))) AS k ORDER BY k) END,
  "tags" = CASE WHEN jsonb_array_length(pg_temp.levhub_json_array(modes.mode->'tags')) > 0 THEN e."tags" ELSE ARRAY(
    SELECT DISTINCT k FROM unnest(e."tags" || ARRAY(
      SELECT lower(t.tag #>> '{}') FROM jsonb_array_elements(pg_temp.levhub_json_array(modes.tool->'tags')) AS t(tag)
      WHERE jsonb_typeof(t.tag) = 'string')) AS k ORDER BY k) END
FROM modes
WHERE modes."id" = e."id";

SELECT "levhub_package_search_refresh"("id") FROM "Package" WHERE "latestVersionId" IS NOT NULL;
