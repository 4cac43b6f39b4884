/**
 * Generates a catalog in PostgreSQL directly (INSERT … SELECT over generate_series, never uploads):
 * namespaces, packages each with one published version and its exports, a manifest like
 * introspection writes, some private packages owned by a given user and some marked official.
 * The search document comes from the catalog's own trigger, as at publish.
 *
 * Words are spread the way a real catalog spreads them: a name word is in about 3% of the
 * packages, a docstring word in about 5%; each package uses a handful of them, two tactics and
 * two categories.
 */
import type pg from "pg";

export interface CatalogShape {
  packages: number;
  functionsPerPackage: number;
  namespaces: number;
  /** packages i with i % privateEvery === 0 are private, in namespace 0, owned by `privateOwnerId` */
  privateEvery: number;
  officialEvery: number;
}

export const BENCH_CATALOG: CatalogShape = { packages: 10_000, functionsPerPackage: 10, namespaces: 100, privateEvery: 20, officialEvery: 97 };

/** Words of package names (two per name, so each is in about 2/60 of the packages). */
export const NAME_WORDS = [
  "nmap", "masscan", "hello", "amass", "httpx", "nuclei", "ffuf", "gobuster", "sqlmap", "hydra", "nikto", "wpscan",
  "dnsx", "subfinder", "naabu", "katana", "gau", "waybackurls", "arjun", "dalfox", "feroxbuster", "whatweb", "wafw00f", "sslyze",
  "testssl", "enum4linux", "smbmap", "crackmapexec", "kerbrute", "ldapsearch", "snmpwalk", "onesixtyone", "ike", "sipvicious", "rustscan", "zmap",
  "shodan", "censys", "theharvester", "recon", "spiderfoot", "photon", "hakrawler", "gospider", "paramspider", "linkfinder", "secretfinder", "trufflehog",
  "gitleaks", "aquatone", "eyewitness", "gowitness", "dirsearch", "wfuzz", "medusa", "patator", "responder", "bloodhound", "impacket", "evilwinrm",
];
/** Words of descriptions and docstrings (each package uses four of them). */
export const DOC_WORDS = [
  "subdomain", "enumeration", "port", "scanning", "service", "fingerprint", "banner", "grabbing", "directory", "bruteforce", "credential", "spraying",
  "vulnerability", "template", "certificate", "transparency", "passive", "active", "crawl", "endpoint", "parameter", "discovery", "screenshot", "technology",
  "firewall", "detection", "cipher", "suite", "protocol", "handshake", "kerberos", "ticket", "ldap", "query", "share", "listing",
  "password", "hash", "cracking", "wordlist", "mutation", "fuzzing", "injection", "payload", "reflection", "xss", "redirect", "cors",
  "header", "cookie", "session", "token", "secret", "leak", "repository", "history", "archive", "snapshot", "dns", "resolver",
  "zone", "transfer", "wildcard", "takeover", "cloud", "bucket", "storage", "metadata", "asn", "netblock", "geolocation", "whois",
  "email", "harvest", "social", "profile", "smb", "relay", "hosts", "range",
];
const TACTICS = ["Reconnaissance", "Discovery", "CredentialAccess", "Collection", "InitialAccess", "LateralMovement"];
const CATEGORIES = ["scanner", "recon", "fuzzer", "cracker", "networking", "webapp", "misc"];

const arr = (xs: string[]) => `ARRAY[${xs.map((x) => `'${x}'`).join(",")}]`;
const nameWord = (i: string) => `(${arr(NAME_WORDS)})[1 + (${i}) % ${NAME_WORDS.length}]`;
const docWord = (i: string) => `(${arr(DOC_WORDS)})[1 + (${i}) % ${DOC_WORDS.length}]`;
// the four docstring words of package i: two pairs of neighbours in the list
const pkgWord = (i: string, f: string) => docWord(`CASE (${f}) % 4 WHEN 0 THEN ${i} * 37 WHEN 1 THEN ${i} * 37 + 1 WHEN 2 THEN ${i} * 53 + 7 ELSE ${i} * 53 + 8 END`);

/** Inserts the catalog in one transaction; returns how many packages and functions it holds. */
export async function seedCatalog(sql: pg.Pool, shape: CatalogShape, privateOwnerId: string): Promise<{ packages: number; functions: number }> {
  const c = await sql.connect();
  try {
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO "Namespace" ("id", "name", "ownerId")
       SELECT 'bns' || i, 'bench' || lpad(i::text, 3, '0'), CASE WHEN i = 0 THEN $2 END FROM generate_series(0, $1 - 1) i`,
      [shape.namespaces, privateOwnerId],
    );
    await c.query(
      `INSERT INTO "Package" ("id", "namespaceId", "name", "private", "createdAt", "updatedAt", "officialAt")
       SELECT 'bpk' || i,
              'bns' || CASE WHEN i % $2 = 0 THEN 0 ELSE 1 + i % ($3 - 1) END,
              ${nameWord("i")} || '_' || ${nameWord(`i / ${NAME_WORDS.length} + 17`)} || '_' || i,
              i % $2 = 0,
              now() - make_interval(mins => $1 - i), now() - make_interval(mins => $1 - i),
              CASE WHEN i % $4 = 0 THEN now() END
       FROM generate_series(0, $1 - 1) i`,
      [shape.packages, shape.privateEvery, shape.namespaces, shape.officialEvery],
    );
    await c.query(
      `INSERT INTO "PackageVersion" ("id", "packageId", "version", "manifest", "dir", "searchText", "createdAt")
       SELECT 'bpv' || i, 'bpk' || i, '1.0.' || (i % 7),
              jsonb_build_object(
                'desc', initcap(${nameWord("i")}) || ' toolkit: ' || ${pkgWord("i", "0")} || ' and ' || ${pkgWord("i", "2")},
                'doc', 'Generated package ' || i || ' for the hub benchmark.',
                'tags', jsonb_build_array(${pkgWord("i", "1")}),
                'modes', (SELECT jsonb_agg(jsonb_build_object('name', 'f' || f, 'qualified', 'tool' || f || '.f' || f,
                            'params', jsonb_build_array(jsonb_build_object('name', 'target', 'desc', 'the ' || ${pkgWord("i", "f + 3")} || ' target'))))
                          FROM generate_series(1, $2) f)),
              '/nonexistent/bench/' || i,
              lower(${nameWord("i")} || ' toolkit generated package ' || i),
              now() - make_interval(mins => $1 - i)
       FROM generate_series(0, $1 - 1) i`,
      [shape.packages, shape.functionsPerPackage],
    );
    await c.query(
      `INSERT INTO "Export" ("id", "versionId", "kind", "qualified", "name", "tool", "desc", "doc", "tags", "attck", "blackarch")
       SELECT 'bex' || i || '_' || f, 'bpv' || i,
              (CASE WHEN f = 1 AND i % 5 = 0 THEN 'workflow' ELSE 'mode' END)::"ExportKind",
              'tool' || f || '.f' || f, 'f' || f, 'tool' || f,
              initcap(${pkgWord("i", "f")}) || ' ' || ${pkgWord("i", "f + 1")} || ' step',
              'Runs a ' || ${pkgWord("i", "f + 2")} || ' pass over the target and stores what it finds about ' || ${pkgWord("i", "f + 3")} || '. '
                || 'Results land in a collection per task; arguments are checked before the container starts.',
              ARRAY[${pkgWord("i", "1")}, ${pkgWord("i", "f")}],
              ARRAY[(${arr(TACTICS)})[1 + (i + f % 2) % ${TACTICS.length}]],
              ARRAY[(${arr(CATEGORIES)})[1 + (i * 3 + f % 2) % ${CATEGORIES.length}]]
       FROM generate_series(0, $1 - 1) i, generate_series(1, $2) f`,
      [shape.packages, shape.functionsPerPackage],
    );
    // setting the latest version is what the catalog's trigger reacts to
    await c.query(`UPDATE "Package" SET "latestVersionId" = 'bpv' || substr("id", 4) WHERE "id" LIKE 'bpk%'`);
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    c.release();
  }
  await sql.query(`VACUUM ANALYZE "Package", "PackageSearch", "Export", "Namespace", "PackageVersion"`);
  const r = await sql.query<{ p: number; f: number }>(`SELECT (SELECT count(*)::int FROM "PackageSearch") p, (SELECT count(*)::int FROM "Export") f`);
  return { packages: r.rows[0].p, functions: r.rows[0].f };
}
