import { expect, test, type APIRequestContext, type Browser, type BrowserContext } from "@playwright/test";
import { request as playwrightRequest } from "@playwright/test";
import http from "node:http";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiToken, E2E_ADMIN, signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { actionExports, pageFiles, routeMethods, surfaceDiff } from "./support/app-surface.ts";
import { fixtureFiles, tarGz } from "./support/archive.ts";
import { ACTIONS, PAGES, ROLES, ROUTES, SCOPED_CALLERS, scopeOutcome, type Caller, type Fixtures, type PageOutcome, type Role, type RouteOutcome, type RouteRequest } from "./support/authz-matrix.ts";

// The authorization matrix against the real server: every page and every route method, as each
// role. Runs after hub.spec.ts on the same server; it makes accounts of its own (an owner,
// another user) and signs in as the e2e admin (support/accounts.ts: created with the bootstrap
// token if no earlier spec spent it).

const ROOT = process.cwd();
const PROBE = join(ROOT, "e2e", "fixtures", "probe-fixed");
const OWNER: Account = { name: "authzowner", email: "authz-owner@example.test", password: "owner's long password" };
const OPERATOR: Account = { name: "authzoperator", email: "authz-operator@example.test", password: "operator's long password" };
const VIEWER: Account = { name: "authzviewer", email: "authz-viewer@example.test", password: "viewer's long password" };
const OTHER: Account = { name: "authzother", email: "authz-other@example.test", password: "other's long password" };
const PROJECT = "authz-team";
type SignedIn = Exclude<Role, "anonymous">;

const storage = new Map<SignedIn, string>();
/** each role's token with every scope it may have, and the scoped callers' tokens of one scope each */
const tokens = new Map<Exclude<Caller, "anonymous">, string>();
let fx: Fixtures;

/** The owner's probe package at `version`, as a .tar.gz. */
async function probeArchive(version: string): Promise<Buffer> {
  const files = fixtureFiles(PROBE, OWNER.name).map((f) =>
    f.path === "pyproject.toml" ? { ...f, content: Buffer.from(f.content.toString("utf8").replace(/^version = .*$/m, `version = "${version}"`)) } : f,
  );
  return tarGz(files);
}

async function api(baseURL: string, role: Caller): Promise<APIRequestContext> {
  const token = role === "anonymous" ? undefined : tokens.get(role);
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: token ? { authorization: `Bearer ${token}` } : {} });
}

async function contextFor(browser: Browser, role: Role): Promise<BrowserContext> {
  return browser.newContext(role === "anonymous" ? {} : { storageState: storage.get(role) });
}

test.beforeAll(async ({ browser, baseURL }, info) => {
  info.setTimeout(300_000);
  const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-authz-"));
  const accounts: [SignedIn, (page: import("@playwright/test").Page) => Promise<void>][] = [
    ["admin", signInAsAdmin],
    ["owner", (page) => signInOrUp(page, OWNER)],
    ["operator", (page) => signInOrUp(page, OPERATOR)],
    ["viewer", (page) => signInOrUp(page, VIEWER)],
    ["other", (page) => signInOrUp(page, OTHER)],
  ];
  for (const [role, signIn] of accounts) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page);
    tokens.set(role, await createApiToken(page, `authz-${role}`, role === "admin" ? ["read", "run", "publish", "admin"] : undefined));
    for (const c of SCOPED_CALLERS.filter((c) => c.role === role)) tokens.set(c.key, await createApiToken(page, `authz-${c.key}`, [c.scope]));
    const file = join(dir, `${role}.json`);
    await context.storageState({ path: file });
    storage.set(role, file);
    await context.close();
  }
  const admin = await api(baseURL!, "admin");
  const me = (await (await admin.get("/api/me")).json()) as { user: { username: string; role: string } };
  expect(me.user.role, `the bootstrap token was spent by an account other than ${E2E_ADMIN.email}`).toBe("admin");

  // the owner publishes a private package and runs it once, over the HTTP API
  const owner = await api(baseURL!, "owner");
  const published = await owner.post("/api/packages", {
    multipart: { file: { name: "probe.tar.gz", mimeType: "application/gzip", buffer: await probeArchive("0.1.0") }, private: "true" },
  });
  expect([201, 409]).toContain(published.status());
  const detail = (await (await owner.get(`/api/packages/${OWNER.name}/probe`)).json()) as { current: { id: string }; private: boolean };
  expect(detail.private).toBe(true);
  // the owner's team project with an operator and a viewer (a server kept from an earlier pass has them)
  const made = await owner.post("/api/projects", { data: { slug: PROJECT, name: "Authz team", client: "Authz" } });
  expect([201, 409]).toContain(made.status());
  for (const [who, role] of [
    [OPERATOR, "operator"],
    [VIEWER, "viewer"],
  ] as const) {
    const added = await owner.post(`/api/projects/${PROJECT}/members`, { data: { username: who.name, role } });
    expect([201, 409]).toContain(added.status());
  }
  // its run and scan are of the public example, which members may run
  const hello = { package: "levhub.hello", function: "greet.hello", args: { name: "authz" }, project: PROJECT };
  const started = await owner.post("/api/runs", { data: hello });
  expect(started.status()).toBe(201);
  const run = (await started.json()) as { id: string };
  await expect.poll(async () => ((await (await owner.get(`/api/runs/${run.id}`)).json()) as { status: string }).status, { timeout: 120_000 }).toBe("succeeded");
  const scanned = await owner.post("/api/scans", { data: { ...hello, name: "authz fixture", cron: "0 3 * * *" } });
  expect([201, 409]).toContain(scanned.status());
  const scans = (await (await owner.get(`/api/scans?project=${PROJECT}`)).json()) as { id: string; name: string }[];
  const scanId = scans.find((s) => s.name === "authz fixture")?.id;
  expect(scanId).toBeTruthy();
  const invited = await owner.post(`/api/projects/${PROJECT}/invites`, { data: { email: "authz-invitee@example.test", role: "viewer" } });
  expect(invited.status()).toBe(201);
  const inviteToken = ((await invited.json()) as { path: string }).path.split("/").pop()!;
  // a file the owner gave the team project (issue 20): its operators may use it, its viewers and strangers find none
  const uploaded = await owner.post("/api/files", { multipart: { file: { name: "authz.txt", mimeType: "text/plain", buffer: Buffer.from("one line\n") }, project: PROJECT } });
  expect(uploaded.status()).toBe(201);
  const fileId = ((await uploaded.json()) as { id: string }).id;
  fx = {
    owner: OWNER.name,
    operator: OPERATOR.name,
    viewer: VIEWER.name,
    other: OTHER.name,
    admin: me.user.username,
    packageName: "probe",
    fn: "echo",
    versionId: detail.current.id,
    project: PROJECT,
    runId: run.id,
    scanId: scanId!,
    inviteToken,
    fileId,
  };
  await admin.dispose();
  await owner.dispose();
});

test("the matrix has an entry for every page, route method and server action on disk, and no other", () => {
  const problems = [
    ...surfaceDiff("page", pageFiles(ROOT), Object.keys(PAGES)),
    ...surfaceDiff("route method", routeMethods(ROOT), Object.keys(ROUTES)),
    ...surfaceDiff("server action", actionExports(ROOT), Object.keys(ACTIONS)),
  ];
  expect(problems).toEqual([]);
});

async function pageOutcome(context: BrowserContext, path: string): Promise<string> {
  const page = await context.newPage();
  try {
    const res = await page.goto(path);
    const status = res?.status() ?? 0;
    const url = new URL(page.url());
    const asked = new URL(path, url);
    if (status === 404) return "404";
    if (url.pathname === "/signin" && asked.pathname !== "/signin") return "signin";
    if (url.pathname !== asked.pathname) return "redirect";
    return status === 200 ? "ok" : `status ${status}`;
  } finally {
    await page.close();
  }
}

test("every page answers each role as the matrix says", async ({ browser }) => {
  test.setTimeout(300_000);
  const mismatches: string[] = [];
  for (const role of ROLES) {
    const context = await contextFor(browser, role);
    for (const [file, entry] of Object.entries(PAGES)) {
      if (!existsSync(join(ROOT, file))) continue; // reported by the coverage test
      const got = await pageOutcome(context, entry.path(fx));
      const want: PageOutcome = entry.expect[role];
      if (got !== want) mismatches.push(`${file} (${entry.path(fx)}) as ${role}: ${got}, expected ${want}`);
    }
    await context.close();
  }
  expect(mismatches).toEqual([]);
});

/** A request's multipart fields as Playwright sends them: the private package's archive, or a small file with text fields. */
async function multipartOf(req: RouteRequest): Promise<Record<string, string | { name: string; mimeType: string; buffer: Buffer }> | undefined> {
  const m = req.multipart;
  if (!m) return undefined;
  if ("archiveVersion" in m) return { file: { name: "probe.tar.gz", mimeType: "application/gzip", buffer: await probeArchive(m.archiveVersion) }, ...(m.private ? { private: "true" } : {}) };
  return { [m.file.field]: { name: m.file.name, mimeType: "text/plain", buffer: Buffer.from(m.file.content) }, ...(m.fields ?? {}) };
}

const matches = (status: number, want: RouteOutcome) => (typeof want === "number" ? status === want : Math.floor(status / 100) === Number(want[0]));

test("every route method answers each role as the matrix says", async ({ baseURL }) => {
  test.setTimeout(300_000);
  const mismatches: string[] = [];
  for (const role of ROLES) {
    const client = await api(baseURL!, role);
    for (const [key, entry] of Object.entries(ROUTES)) {
      const [method, file] = key.split(" ");
      if (!existsSync(join(ROOT, file))) continue; // reported by the coverage test
      const req = entry.request(fx, role);
      const multipart = await multipartOf(req);
      const res = await client.fetch(req.path, { method, maxRedirects: 0, failOnStatusCode: false, ...(req.json !== undefined ? { data: req.json } : {}), ...(multipart ? { multipart } : {}) });
      const want = entry.expect[role];
      if (!matches(res.status(), want)) mismatches.push(`${key} (${req.path}) as ${role}: ${res.status()}, expected ${want}`);
      else if (res.status() >= 400) {
        // every refusal is the one JSON error shape
        const body = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
        if (!body?.error?.code || !body.error.message) mismatches.push(`${key} as ${role}: ${res.status()} without the JSON error shape`);
      }
    }
    await client.dispose();
  }
  expect(mismatches).toEqual([]);
});

test("every route method answers a token of each single scope as the matrix's scope column says; a missing scope is named", async ({ baseURL }) => {
  test.setTimeout(300_000);
  const mismatches: string[] = [];
  for (const caller of SCOPED_CALLERS) {
    const client = await api(baseURL!, caller.key);
    for (const [key, entry] of Object.entries(ROUTES)) {
      const [method, file] = key.split(" ");
      if (!existsSync(join(ROOT, file))) continue;
      const req = entry.request(fx, caller.key);
      const multipart = await multipartOf(req);
      const res = await client.fetch(req.path, { method, maxRedirects: 0, failOnStatusCode: false, ...(req.json !== undefined ? { data: req.json } : {}), ...(multipart ? { multipart } : {}) });
      const want = scopeOutcome(entry, caller);
      if (!matches(res.status(), want)) mismatches.push(`${key} (${req.path}) with only '${caller.scope}': ${res.status()}, expected ${want}`);
      else if (want === 403 && entry.expect[caller.role] !== 403) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        if (!body?.error?.message?.includes(`'${entry.scope}' scope`)) mismatches.push(`${key} with only '${caller.scope}': 403 without naming the '${entry.scope}' scope (${body?.error?.message})`);
      }
    }
    await client.dispose();
  }
  expect(mismatches).toEqual([]);
});

test("lists and searches leave out a private package for those who may not see it", async ({ baseURL }) => {
  const seen: Record<string, boolean> = {};
  for (const role of ROLES) {
    const client = await api(baseURL!, role);
    const found = (await (await client.get(`/api/packages?q=probe&pageSize=100`)).json()) as { items: { fullName: string }[] };
    seen[role] = found.items.some((p) => p.fullName === `${OWNER.name}.probe`);
    await client.dispose();
  }
  // a project membership shares no package
  expect(seen).toEqual({ anonymous: false, owner: true, operator: false, viewer: false, other: false, admin: true });
});

/**
 * A POST whose body is streamed in chunks with no Content-Length: the server must answer once it
 * has read past its cap, long before the client is done. Resolves with the status and how many
 * body bytes the client had handed to the socket when the answer came.
 */
async function chunkedPost(url: string, headers: Record<string, string>, head: Buffer, totalBytes: number): Promise<{ status: number; body: string; sentBytes: number }> {
  // the server closes the connection after its early answer; a reset can reach the client before
  // the answer is read (it then sees EPIPE/ECONNRESET, not the 413): that transport race is tried again
  for (let attempt = 1; ; attempt++) {
    try {
      return await chunkedPostOnce(url, headers, head, totalBytes);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (attempt >= 3 || (code !== "EPIPE" && code !== "ECONNRESET")) throw err;
    }
  }
}

function chunkedPostOnce(url: string, headers: Record<string, string>, head: Buffer, totalBytes: number): Promise<{ status: number; body: string; sentBytes: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "transfer-encoding": "chunked" } });
    let sent = 0;
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const sentBytes = sent;
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => {
        resolve({ status: res.statusCode ?? 0, body, sentBytes });
        req.destroy();
      });
    });
    req.on("error", (err) => {
      if (!answered) reject(err);
    });
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    req.write(head);
    sent += head.length;
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

/** A POST that declares `length` bytes, sends 16 and waits: the answer must not wait for the rest. */
function postDeclaringMore(url: string, headers: Record<string, string>, length: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", headers: { ...headers, "content-length": String(length) } });
    const timer = setTimeout(() => reject(new Error("no answer within 10 s: the server waited for the declared body")), 10_000);
    req.on("response", (res) => {
      clearTimeout(timer);
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.write(Buffer.alloc(16));
  });
}

test("request bodies are capped: a chunked upload past the limit gets 413 early and publishes nothing; so does a JSON body", async ({ baseURL }) => {
  const ownerToken = tokens.get("owner")!;
  const boundary = "authzboundary";
  const archive = await probeArchive("0.9.0");
  const head = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="probe.tar.gz"\r\ncontent-type: application/gzip\r\n\r\n`),
    archive,
  ]);
  // 256 MiB offered with no Content-Length; the cap is the 20 MiB archive limit + 1 MiB
  const upload = await chunkedPost(`${baseURL}/api/packages`, { authorization: `Bearer ${ownerToken}`, "content-type": `multipart/form-data; boundary=${boundary}` }, head, 256 * 1024 * 1024);
  expect(upload.status).toBe(413);
  expect(JSON.parse(upload.body).error.code).toBe("too_large");
  expect(upload.sentBytes).toBeLessThan(96 * 1024 * 1024);
  console.log(`chunked upload: 413 after the client had handed ${(upload.sentBytes / 1048576).toFixed(1)} MiB of 256 MiB to the socket`);

  const owner = await api(baseURL!, "owner");
  expect((await owner.get(`/api/packages/${OWNER.name}/probe?version=0.9.0`)).status()).toBe(404);

  // a declared length past the cap is refused at once: the client has sent 16 bytes of its 64 MiB
  const declared = await postDeclaringMore(`${baseURL}/api/packages`, { authorization: `Bearer ${ownerToken}`, "content-type": `multipart/form-data; boundary=${boundary}` }, 64 * 1024 * 1024);
  expect(declared).toBe(413);

  // JSON: far past the run arguments' cap, both with a length and chunked; no run starts
  const runCount = async () => ((await (await owner.get("/api/runs?pageSize=1")).json()) as { total: number }).total;
  const runsBefore = await runCount();
  const big = { package: `${OWNER.name}.probe`, function: "echo", args: { message: "x".repeat(2 * 1024 * 1024) } };
  const json = await owner.post("/api/runs", { data: big, failOnStatusCode: false });
  expect(json.status()).toBe(413);
  expect((await json.json()).error.code).toBe("too_large");
  const chunkedJson = await chunkedPost(`${baseURL}/api/runs`, { authorization: `Bearer ${ownerToken}`, "content-type": "application/json" }, Buffer.from('{"package":"x","function":"y","args":{"message":"'), 8 * 1024 * 1024);
  expect(chunkedJson.status).toBe(413);
  // and next-auth's form posts are capped too
  const signIn = await owner.post("/api/auth/callback/credentials", { form: { email: "a@b.test", password: "x".repeat(256 * 1024) }, failOnStatusCode: false, maxRedirects: 0 });
  expect(signIn.status()).toBe(413);
  expect(await runCount()).toBe(runsBefore);
  await owner.dispose();
});
