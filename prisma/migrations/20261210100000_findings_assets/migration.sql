-- Assets and findings (issue 17): what scans saw (hosts, services, web origins) and found, per
-- project, derived from stored documents by the mappings packages declare (annot.Assets,
-- annot.Findings; lib/findings/). Findings are kept once per (project, asset, key) with a triage
-- state whose every change is recorded; evidence keeps an excerpt and the sha256 of the value it
-- came from, so deleting documents never breaks it. Project events are an outbox the
-- notifications read. Written by lib/findings/ingest.ts and lib/events/.

CREATE TYPE "FindingSeverity" AS ENUM ('info', 'low', 'medium', 'high', 'critical');
CREATE TYPE "FindingState" AS ENUM ('new', 'confirmed', 'false_positive', 'accepted_risk', 'fixed');

CREATE TABLE "AssetHost" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "address" INET NOT NULL,
    "names" TEXT[] NOT NULL DEFAULT '{}',
    -- the names as one text, for the search's trigram index
    "namesText" TEXT NOT NULL DEFAULT '',
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "firstRunId" TEXT,
    "lastRunId" TEXT,
    CONSTRAINT "AssetHost_pkey" PRIMARY KEY ("id"),
    -- one address, no prefix: what the mapping parsed
    CONSTRAINT "AssetHost_address_check" CHECK (masklen("address") = CASE WHEN family("address") = 4 THEN 32 ELSE 128 END)
);
CREATE UNIQUE INDEX "AssetHost_projectId_address_key" ON "AssetHost"("projectId", "address");
CREATE INDEX "AssetHost_namesText_idx" ON "AssetHost" USING GIN ("namesText" gin_trgm_ops);
ALTER TABLE "AssetHost" ADD CONSTRAINT "AssetHost_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetHost" ADD CONSTRAINT "AssetHost_firstRunId_fkey" FOREIGN KEY ("firstRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "AssetHost" ADD CONSTRAINT "AssetHost_lastRunId_fkey" FOREIGN KEY ("lastRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "AssetService" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "hostId" BIGINT NOT NULL,
    "protocol" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    -- as last seen: open, open|filtered, a tool's word, or nothing said
    "state" TEXT,
    "service" TEXT,
    "product" TEXT,
    "version" TEXT,
    "search" TEXT GENERATED ALWAYS AS (lower(coalesce("service", '') || ' ' || coalesce("product", '') || ' ' || coalesce("version", ''))) STORED,
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "firstRunId" TEXT,
    "lastRunId" TEXT,
    CONSTRAINT "AssetService_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "AssetService_protocol_check" CHECK ("protocol" IN ('tcp', 'udp', 'sctp')),
    CONSTRAINT "AssetService_port_check" CHECK ("port" BETWEEN 0 AND 65535)
);
CREATE UNIQUE INDEX "AssetService_hostId_protocol_port_key" ON "AssetService"("hostId", "protocol", "port");
CREATE INDEX "AssetService_projectId_port_idx" ON "AssetService"("projectId", "port", "id");
CREATE INDEX "AssetService_projectId_id_idx" ON "AssetService"("projectId", "id");
CREATE INDEX "AssetService_search_idx" ON "AssetService" USING GIN ("search" gin_trgm_ops);
ALTER TABLE "AssetService" ADD CONSTRAINT "AssetService_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetService" ADD CONSTRAINT "AssetService_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "AssetHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetService" ADD CONSTRAINT "AssetService_firstRunId_fkey" FOREIGN KEY ("firstRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "AssetService" ADD CONSTRAINT "AssetService_lastRunId_fkey" FOREIGN KEY ("lastRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

CREATE TABLE "AssetOrigin" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "scheme" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "firstRunId" TEXT,
    "lastRunId" TEXT,
    CONSTRAINT "AssetOrigin_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "AssetOrigin_scheme_check" CHECK ("scheme" IN ('http', 'https')),
    CONSTRAINT "AssetOrigin_port_check" CHECK ("port" BETWEEN 0 AND 65535)
);
CREATE UNIQUE INDEX "AssetOrigin_projectId_scheme_host_port_key" ON "AssetOrigin"("projectId", "scheme", "host", "port");
ALTER TABLE "AssetOrigin" ADD CONSTRAINT "AssetOrigin_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetOrigin" ADD CONSTRAINT "AssetOrigin_firstRunId_fkey" FOREIGN KEY ("firstRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "AssetOrigin" ADD CONSTRAINT "AssetOrigin_lastRunId_fkey" FOREIGN KEY ("lastRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- What each run saw: one row per (run, host), (run, service) or (run, origin), with the document
-- it was in. A host's page reads its history here; "what changed" compares two runs' rows.
CREATE TABLE "AssetObservation" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "hostId" BIGINT,
    "serviceId" BIGINT,
    "originId" BIGINT,
    "coll" TEXT NOT NULL,
    "job" INTEGER NOT NULL,
    "task" INTEGER NOT NULL,
    "state" TEXT,
    "product" TEXT,
    "version" TEXT,
    "seenAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AssetObservation_pkey" PRIMARY KEY ("id"),
    -- a host, a service (with its host), or an origin
    CONSTRAINT "AssetObservation_kind_check" CHECK (
        ("originId" IS NULL AND "hostId" IS NOT NULL)
        OR ("originId" IS NOT NULL AND "hostId" IS NULL AND "serviceId" IS NULL))
);
CREATE UNIQUE INDEX "AssetObservation_run_host_key" ON "AssetObservation"("runId", "hostId") WHERE "serviceId" IS NULL AND "hostId" IS NOT NULL;
CREATE UNIQUE INDEX "AssetObservation_run_service_key" ON "AssetObservation"("runId", "serviceId") WHERE "serviceId" IS NOT NULL;
CREATE UNIQUE INDEX "AssetObservation_run_origin_key" ON "AssetObservation"("runId", "originId") WHERE "originId" IS NOT NULL;
CREATE INDEX "AssetObservation_hostId_seenAt_idx" ON "AssetObservation"("hostId", "seenAt");
CREATE INDEX "AssetObservation_originId_idx" ON "AssetObservation"("originId");
ALTER TABLE "AssetObservation" ADD CONSTRAINT "AssetObservation_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetObservation" ADD CONSTRAINT "AssetObservation_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "AssetHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetObservation" ADD CONSTRAINT "AssetObservation_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "AssetService"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "AssetObservation" ADD CONSTRAINT "AssetObservation_originId_fkey" FOREIGN KEY ("originId") REFERENCES "AssetOrigin"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "Finding" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    -- what it is about, for the dedupe key: 'h:<host id>', 's:<service id>', 'o:<origin id>', '' (the project)
    "assetRef" TEXT NOT NULL,
    "hostId" BIGINT,
    "serviceId" BIGINT,
    "originId" BIGINT,
    "key" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "severity" "FindingSeverity" NOT NULL,
    "state" "FindingState" NOT NULL DEFAULT 'new',
    "stateById" TEXT,
    "stateAt" TIMESTAMP(3) NOT NULL,
    -- the last triage note
    "note" TEXT NOT NULL DEFAULT '',
    "firstSeen" TIMESTAMP(3) NOT NULL,
    "lastSeen" TIMESTAMP(3) NOT NULL,
    "firstRunId" TEXT,
    "lastRunId" TEXT,
    -- the package that found it (`ns.name`), its function and the collection's schema
    "tool" TEXT NOT NULL,
    "function" TEXT NOT NULL,
    "schema" TEXT NOT NULL,
    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "Finding_projectId_assetRef_key_key" ON "Finding"("projectId", "assetRef", "key");
-- the findings page: worst first, keyset by id, each filter with an index of its own
CREATE INDEX "Finding_projectId_severity_id_idx" ON "Finding"("projectId", "severity" DESC, "id" DESC);
CREATE INDEX "Finding_projectId_state_severity_id_idx" ON "Finding"("projectId", "state", "severity" DESC, "id" DESC);
CREATE INDEX "Finding_projectId_tool_severity_id_idx" ON "Finding"("projectId", "tool", "severity" DESC, "id" DESC);
CREATE INDEX "Finding_hostId_idx" ON "Finding"("hostId");
CREATE INDEX "Finding_serviceId_idx" ON "Finding"("serviceId");
CREATE INDEX "Finding_originId_idx" ON "Finding"("originId");
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "AssetHost"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_serviceId_fkey" FOREIGN KEY ("serviceId") REFERENCES "AssetService"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_originId_fkey" FOREIGN KEY ("originId") REFERENCES "AssetOrigin"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_stateById_fkey" FOREIGN KEY ("stateById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_firstRunId_fkey" FOREIGN KEY ("firstRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_lastRunId_fkey" FOREIGN KEY ("lastRunId") REFERENCES "Run"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Where a run saw a finding. No foreign key to the run or its document: the proof outlives both.
CREATE TABLE "FindingEvidence" (
    "id" BIGSERIAL NOT NULL,
    "findingId" BIGINT NOT NULL,
    "runId" TEXT NOT NULL,
    "coll" TEXT NOT NULL,
    "job" INTEGER NOT NULL,
    "task" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "excerpt" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "seenAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "FindingEvidence_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "FindingEvidence_sha256_check" CHECK ("sha256" ~ '^[0-9a-f]{64}$')
);
CREATE UNIQUE INDEX "FindingEvidence_findingId_runId_coll_task_path_key" ON "FindingEvidence"("findingId", "runId", "coll", "task", "path");
CREATE INDEX "FindingEvidence_runId_idx" ON "FindingEvidence"("runId");
ALTER TABLE "FindingEvidence" ADD CONSTRAINT "FindingEvidence_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Every change of a finding's state: triage (who, note), a reopening (the run that saw it again),
-- and its creation (from NULL, by the run that found it).
CREATE TABLE "FindingStateChange" (
    "id" BIGSERIAL NOT NULL,
    "findingId" BIGINT NOT NULL,
    "projectId" TEXT NOT NULL,
    "fromState" "FindingState",
    "toState" "FindingState" NOT NULL,
    "actorId" TEXT,
    "runId" TEXT,
    "note" TEXT NOT NULL DEFAULT '',
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "FindingStateChange_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "FindingStateChange_findingId_id_idx" ON "FindingStateChange"("findingId", "id");
ALTER TABLE "FindingStateChange" ADD CONSTRAINT "FindingStateChange_findingId_fkey" FOREIGN KEY ("findingId") REFERENCES "Finding"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FindingStateChange" ADD CONSTRAINT "FindingStateChange_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Findings counted per (project, severity, state, tool), kept by the triggers below, so the
-- findings page's counts never count a million rows.
CREATE TABLE "FindingCount" (
    "projectId" TEXT NOT NULL,
    "severity" "FindingSeverity" NOT NULL,
    "state" "FindingState" NOT NULL,
    "tool" TEXT NOT NULL,
    "n" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "FindingCount_pkey" PRIMARY KEY ("projectId", "severity", "state", "tool")
);

-- Statement-level, over the rows the statement changed; a sighting that changes none of the
-- counted columns touches no counter. Counters are changed in key order, so concurrent statements
-- lock them in the same order.
CREATE FUNCTION "FindingCount_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "FindingCount" AS c ("projectId", "severity", "state", "tool", "n")
  SELECT "projectId", "severity", "state", "tool", count(*) FROM new_rows GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT ("projectId", "severity", "state", "tool") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  RETURN NULL;
END $$;

CREATE FUNCTION "FindingCount_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "FindingCount" AS c ("projectId", "severity", "state", "tool", "n")
  SELECT "projectId", "severity", "state", "tool", sum(d) FROM (
    SELECT o."projectId", o."severity", o."state", o."tool", -1 AS d FROM old_rows o JOIN new_rows n ON n."id" = o."id"
     WHERE (o."projectId", o."severity", o."state", o."tool") IS DISTINCT FROM (n."projectId", n."severity", n."state", n."tool")
    UNION ALL
    SELECT n."projectId", n."severity", n."state", n."tool", 1 FROM old_rows o JOIN new_rows n ON n."id" = o."id"
     WHERE (o."projectId", o."severity", o."state", o."tool") IS DISTINCT FROM (n."projectId", n."severity", n."state", n."tool")
  ) changed GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4
  ON CONFLICT ("projectId", "severity", "state", "tool") DO UPDATE SET "n" = c."n" + EXCLUDED."n";
  RETURN NULL;
END $$;

CREATE FUNCTION "FindingCount_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "FindingCount" c SET "n" = c."n" - g."n"
    FROM (SELECT "projectId", "severity", "state", "tool", count(*) AS "n" FROM old_rows GROUP BY 1, 2, 3, 4) g
   WHERE c."projectId" = g."projectId" AND c."severity" = g."severity" AND c."state" = g."state" AND c."tool" = g."tool";
  RETURN NULL;
END $$;

CREATE TRIGGER "Finding_count_insert" AFTER INSERT ON "Finding" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "FindingCount_insert"();
CREATE TRIGGER "Finding_count_update" AFTER UPDATE ON "Finding" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "FindingCount_update"();
CREATE TRIGGER "Finding_count_delete" AFTER DELETE ON "Finding" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "FindingCount_delete"();

-- What mapping one stored document gave (counts) and why anything in it was not mapped: the run
-- page shows it, and a document without a row here is mapped again by the repair.
CREATE TABLE "DocumentMapping" (
    "coll" TEXT NOT NULL,
    "job" INTEGER NOT NULL,
    "task" INTEGER NOT NULL,
    "runId" TEXT NOT NULL,
    "projectId" TEXT NOT NULL,
    "hosts" INTEGER NOT NULL,
    "services" INTEGER NOT NULL,
    "origins" INTEGER NOT NULL,
    "findings" INTEGER NOT NULL,
    "skipped" INTEGER NOT NULL,
    "problems" JSONB NOT NULL DEFAULT '[]',
    "mappedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DocumentMapping_pkey" PRIMARY KEY ("coll", "job", "task")
);
CREATE INDEX "DocumentMapping_runId_idx" ON "DocumentMapping"("runId");
ALTER TABLE "DocumentMapping" ADD CONSTRAINT "DocumentMapping_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The project event outbox: written in the transaction of the change it tells of (lib/events/),
-- read and marked delivered by the notifications.
CREATE TABLE "ProjectEvent" (
    "id" BIGSERIAL NOT NULL,
    "projectId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "data" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),
    CONSTRAINT "ProjectEvent_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "ProjectEvent_projectId_id_idx" ON "ProjectEvent"("projectId", "id");
CREATE INDEX "ProjectEvent_undelivered_idx" ON "ProjectEvent"("id") WHERE "deliveredAt" IS NULL;
ALTER TABLE "ProjectEvent" ADD CONSTRAINT "ProjectEvent_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A host's names as one text for the trigram index (array_to_string is not immutable, so no
-- generated column can hold it).
CREATE FUNCTION "AssetHost_names_text"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."namesText" := array_to_string(NEW."names", ' ');
  RETURN NEW;
END $$;
CREATE TRIGGER "AssetHost_names_text" BEFORE INSERT OR UPDATE OF "names" ON "AssetHost" FOR EACH ROW EXECUTE FUNCTION "AssetHost_names_text"();
