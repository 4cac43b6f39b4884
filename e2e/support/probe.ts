import { expect, request as playwrightRequest, type APIRequestContext, type Browser, type Page } from "@playwright/test";
import { join } from "node:path";
import { createApiToken, type Account } from "./accounts.ts";
import { fixtureFiles, tarGz } from "./archive.ts";

/**
 * Real entities for specs that visit pages with parameters: an account's private probe package
 * (e2e/fixtures/probe-fixed), a finished run of it and a saved scan, made over the HTTP API with a
 * token of that account, as a client would.
 */
const FIXTURES = join(process.cwd(), "e2e", "fixtures");

/** An API client signed with a new token of whoever `page` is signed in as. */
export async function apiFor(page: Page, baseURL: string, name: string): Promise<APIRequestContext> {
  const token = await createApiToken(page, name);
  return playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
}

/** The account's probe package, private; published once (a server kept from an earlier pass has it already). */
export function publishProbe(api: APIRequestContext, owner: Account): Promise<{ versionId: string }> {
  return publishFixture(api, owner, "probe-fixed", "probe");
}

/** A package of e2e/fixtures/<fixture> (named `<owner>.<name>`), private; published once. */
export async function publishFixture(api: APIRequestContext, owner: Account, fixture: string, name: string): Promise<{ versionId: string }> {
  const archive = await tarGz(fixtureFiles(join(FIXTURES, fixture), owner.name));
  const res = await api.post("/api/packages", { multipart: { file: { name: `${name}.tar.gz`, mimeType: "application/gzip", buffer: archive }, private: "true" } });
  expect([201, 409], await res.text()).toContain(res.status());
  const detail = (await (await api.get(`/api/packages/${owner.name}/${name}`)).json()) as { current: { id: string } };
  return { versionId: detail.current.id };
}

/** A run of the probe's `echo`, once it has ended (it must have succeeded). */
export async function finishedProbeRun(api: APIRequestContext, owner: Account, message = "hello"): Promise<{ id: string; number: number }> {
  const started = await api.post("/api/runs", { data: { package: `${owner.name}.probe`, function: "echo", args: { message } } });
  expect(started.status()).toBe(201);
  const run = (await started.json()) as { id: string; number: number };
  await expect.poll(async () => ((await (await api.get(`/api/runs/${run.id}`)).json()) as { status: string }).status, { timeout: 120_000 }).toBe("succeeded");
  return run;
}

/** A saved scan of the probe named `name` (made once), its id. */
export async function probeScan(api: APIRequestContext, owner: Account, name: string): Promise<string> {
  const made = await api.post("/api/scans", { data: { name, package: `${owner.name}.probe`, function: "echo", args: { message: "scanned" }, cron: "0 3 * * *", timezone: "Europe/Warsaw" } });
  expect([201, 409]).toContain(made.status());
  const scans = (await (await api.get("/api/scans?all=false")).json()) as { id: string; name: string }[];
  const id = scans.find((s) => s.name === name)?.id;
  expect(id, `scan ${name}`).toBeTruthy();
  return id!;
}

/** A signed-in browser state saved to a file, for contexts of any viewport. */
export async function signedInState(browser: Browser, file: string, signIn: (page: Page) => Promise<void>): Promise<string> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page);
  await context.storageState({ path: file });
  await context.close();
  return file;
}
