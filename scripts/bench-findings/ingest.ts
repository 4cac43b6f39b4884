/**
 * The ingest part of bench:findings: 10,000 generated hosts in nmap port_os documents (the nmap
 * example's shape and declared mappings, lib/findings/testing.ts), each document under MongoDB's
 * 16 MiB, stored one task after another through the hub's IndexingResultStore — the store a
 * worker's results go through: MongoDB, the PostgreSQL results index, then the mapping into
 * assets and findings — until the Assets and Findings pages show all of it (their counts, their
 * first pages, the last host's page). The figure is the time from the first put to then; its
 * phases are timed apart (the store's contract, index and mapping steps wrapped). Then every
 * listing is paged to its end and its count checked against the documents (timed apart).
 *
 * Imports lib/ modules that import "server-only": run node with `--conditions=react-server`.
 */
import { BSON } from "mongodb";
import type { ResultStore, StoredMeta } from "../../runner/src/index.ts";
import { ASSET_PAGE } from "../../lib/schemas/findings.ts";
import type { Figure } from "../bench-hub/common.ts";
import { fmtSeconds, timed, type FindingsBench } from "./context.ts";

const HOSTS = Number(process.env.LEVHUB_BENCH_INGEST_HOSTS ?? 10_000);
/** hosts per document (so 5 documents of about 2 MB by default) */
const HOSTS_PER_DOCUMENT = Number(process.env.LEVHUB_BENCH_HOSTS_PER_DOCUMENT ?? 2_000);
const MAX_DOCUMENT = 16 * 1024 * 1024;
const TARGET_MS = 10_000;
const SLUG = "bench-ingest";
const CLEARTEXT = new Set(["ftp", "telnet", "exec", "login", "shell"]);

interface Port {
  port: number;
  state: string;
  service: string;
  product: string | null;
  version: string | null;
}

/** Host i's ports: three everywhere, a cleartext pair on one host in four, a closed port on one in five. */
function portsOf(i: number): Port[] {
  const ports: Port[] = [
    { port: 22, state: "open", service: "ssh", product: "OpenSSH", version: `9.${i % 7}` },
    { port: 80, state: "open", service: "http", product: "nginx", version: "1.24.0" },
    { port: 443, state: "open", service: "https", product: "nginx", version: "1.24.0" },
  ];
  if (i % 4 === 0) ports.push({ port: 21, state: "open", service: "ftp", product: "vsftpd", version: "3.0.5" }, { port: 23, state: "open", service: "telnet", product: null, version: null });
  if (i % 5 === 0) ports.push({ port: 3306, state: "closed", service: "mysql", product: null, version: null });
  return ports;
}

const address = (i: number) => `10.${100 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;

/** Document d's hosts, as the nmap example's parse_xml writes them. */
function nmapDocument(d: number) {
  const hosts = [];
  for (let i = d * HOSTS_PER_DOCUMENT; i < Math.min(HOSTS, (d + 1) * HOSTS_PER_DOCUMENT); i++) {
    hosts.push({
      ip: address(i),
      hostnames: [`h${i}.bench.test`],
      status: "up",
      ports: portsOf(i).map((p) => ({ ...p, protocol: "tcp" })),
      os: [{ name: "Linux 5.X", accuracy: 96 }],
    });
  }
  return { target: `10.100.0.0/16 part ${d + 1}`, hosts };
}

/** What the pages must list once everything is mapped: the open ports are services, the open cleartext ones findings. */
function expected() {
  let services = 0;
  let findings = 0;
  for (let i = 0; i < HOSTS; i++) {
    for (const p of portsOf(i)) {
      if (p.state !== "open") continue;
      services++;
      if (CLEARTEXT.has(p.service)) findings++;
    }
  }
  return { hosts: HOSTS, services, findings };
}

/** Pages through a keyset listing to its end; how many items it listed. */
async function pageAll(page: (after: string | undefined) => Promise<{ items: unknown[]; next: string | null }>): Promise<number> {
  let n = 0;
  let after: string | undefined;
  for (;;) {
    const p = await page(after);
    n += p.items.length;
    if (!p.next) return n;
    after = p.next;
  }
}

export async function benchIngest(ctx: FindingsBench): Promise<Figure[]> {
  const { teamProject } = await import("../../lib/testing/projects.ts");
  const projectId = await teamProject(ctx.viewer, SLUG);
  const { seedRun } = await import("../../lib/results/testing.ts");
  const run = await seedRun(ctx.viewer.id, ctx.pkg, "nmap.port_os", new Date(), projectId);
  const { PORT_OS } = await import("../../lib/findings/testing.ts");

  const documents = Math.ceil(HOSTS / HOSTS_PER_DOCUMENT);
  const generated = await timed(async () => Array.from({ length: documents }, (_, d) => nmapDocument(d)));
  const sizes = generated.value.map((doc) => BSON.calculateObjectSize(doc));
  const largest = Math.max(...sizes);
  if (largest >= MAX_DOCUMENT) throw new Error(`a generated document has ${largest} bytes: over MongoDB's 16 MiB (lower LEVHUB_BENCH_HOSTS_PER_DOCUMENT)`);
  ctx.say(`ingest: ${HOSTS} hosts in ${documents} documents (largest ${(largest / 1048576).toFixed(1)} MiB), generated in ${fmtSeconds(generated.ms)}`);

  const { MongoResultStore } = await import("../../runner/src/index.ts");
  const { IndexingResultStore } = await import("../../lib/results/indexing-store.ts");
  const { indexDocument } = await import("../../lib/results/index-writer.ts");
  const mongo = await MongoResultStore.connect(ctx.mongoUri);
  const phase = { contract: 0, index: 0, mapping: 0 };
  // the contract store and the two index steps timed where they run, the real ones underneath
  const contract: ResultStore = {
    put: async (...args) => void (phase.contract += (await timed(() => mongo.put(...args))).ms),
    merge: (...args) => mongo.merge(...args),
    findOne: (...args) => mongo.findOne(...args),
    findRun: (...args) => mongo.findRun(...args),
    nextJob: () => mongo.nextJob(),
    close: () => mongo.close(),
  };
  const failures: string[] = [];
  const { deriveStored } = await import("../../lib/results/indexing-store.ts");
  const store = new IndexingResultStore(contract, {
    write: async (...args) => void (phase.index += (await timed(() => indexDocument(...args))).ms),
    derive: async (...args) => void (phase.mapping += (await timed(() => deriveStored(...args))).ms),
    log: (msg, fields) => failures.push(`${msg} ${JSON.stringify(fields)}`),
    repairDelayMs: 3_600_000,
  });
  try {
    const meta = (task: number): StoredMeta => ({ owner: ctx.viewer.username, run: run.id, job: run.number, task, package: ctx.pkg.fullName, at: new Date() });
    const stored = await timed(async () => {
      for (const [d, doc] of generated.value.entries()) await store.put(PORT_OS, run.number, d + 1, doc, meta(d + 1));
    });
    if (failures.length) throw new Error(`storing failed (the bench measures only a clean path): ${failures.slice(0, 3).join("; ")}`);

    const { listHosts, listServices, inventoryOverview, getHost } = await import("../../lib/findings/assets.ts");
    const { listFindings } = await import("../../lib/findings/findings.ts");
    const want = expected();
    const check = (what: string, got: { hosts: number; services: number; findings: number }) => {
      if (got.hosts !== want.hosts || got.services !== want.services || got.findings !== want.findings) {
        throw new Error(`${what}: ${JSON.stringify(got)}, the documents hold ${JSON.stringify(want)}`);
      }
    };
    // browsable: what the Assets and Findings pages open with — the counts and each first page — and the last host's own page
    const shown = await timed(async () => {
      const [overview, hosts, services, findings, last] = await Promise.all([
        inventoryOverview(ctx.viewer),
        listHosts(ctx.viewer, SLUG, {}),
        listServices(ctx.viewer, SLUG, {}),
        listFindings(ctx.viewer, SLUG, {}),
        getHost(ctx.viewer, SLUG, address(HOSTS - 1)),
      ]);
      const mine = overview.find((p) => p.slug === SLUG);
      if (!hosts.items.length || !services.items.length || !findings.items.length || !last.services.length) throw new Error("a first page is empty");
      return { hosts: mine?.hosts ?? 0, services: mine?.services ?? 0, findings: Object.values(findings.counts.severity).reduce((a, b) => a + b, 0) };
    });
    check("the pages count", shown.value);
    // and every item reachable: each listing paged to its end
    const limit = ASSET_PAGE.max;
    const paged = await timed(async () => ({
      hosts: await pageAll((after) => listHosts(ctx.viewer, SLUG, { after, limit })),
      services: await pageAll((after) => listServices(ctx.viewer, SLUG, { after, limit })),
      findings: await pageAll((after) => listFindings(ctx.viewer, SLUG, { after, limit })),
    }));
    check("the pages list", paged.value);
    const total = stored.ms + shown.ms;
    const perDoc = (ms: number) => `${fmtSeconds(ms)} (${fmtSeconds(ms / documents)} a document)`;
    return [
      {
        figure: `${HOSTS} hosts (${want.services} services, ${want.findings} findings) in ${documents} documents: stored, indexed, mapped, browsable`,
        target: `≤ ${fmtSeconds(TARGET_MS)}`,
        measured: fmtSeconds(total),
        met: total <= TARGET_MS,
      },
      { figure: "  of which: MongoDB (contract store) puts", target: "—", measured: perDoc(phase.contract), met: null },
      { figure: "  of which: results index writes", target: "—", measured: perDoc(phase.index), met: null },
      { figure: "  of which: mapping into assets and findings (deriveDocument)", target: "—", measured: perDoc(phase.mapping), met: null },
      { figure: "  of which: the pages' counts and first pages, one host's page", target: "—", measured: fmtSeconds(shown.ms), met: null },
      { figure: `then: every host, service and finding paged through (${limit} a page; counts checked)`, target: "—", measured: fmtSeconds(paged.ms), met: null },
    ];
  } finally {
    await store.close();
  }
}
