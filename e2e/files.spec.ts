import { expect, test } from "@playwright/test";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createApiToken, signInOrUp, type Account } from "./support/accounts.ts";
import { fixtureFiles, tarGz } from "./support/archive.ts";

// File parameters end to end (issue 20). A user uploads, through the upload form, a package whose
// mode takes a `levrt.File`, mounts it and stores its line count and sha256 (e2e/fixtures/lines).
// Its page lists introspection's warning about a misspelt annot.Param. The run form uploads the
// chosen file first and starts the run with a reference to it; the stored document has the right
// count and hash, the run page names the file, and "Edit and re-run" shows it as the current file.
// Then `lev run … --param f=@file --wait` does the same from the command line. No network tool.

const FIONA: Account = { name: "fiona", email: "fiona@example.test", password: "fiona's long passphrase" };
const dir = mkdtempSync(join(tmpdir(), "levhub-e2e-files-"));

function linesFile(name: string, lines: number): { path: string; content: string; sha256: string } {
  const content = Array.from({ length: lines }, (_, i) => `line ${i + 1} of ${name}`).join("\n") + "\n";
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, content, sha256: createHash("sha256").update(content).digest("hex") };
}

async function linesArchive(): Promise<string> {
  const files = fixtureFiles(join(process.cwd(), "e2e", "fixtures", "lines"), FIONA.name).map((f) => ({ ...f, path: `${FIONA.name}.lines/${f.path}` }));
  const file = join(dir, "lines-0.1.0.tar.gz");
  writeFileSync(file, await tarGz(files));
  return file;
}

test("a package with a File parameter: its warning on its page, a run with a file chosen in the form, and again with lev run --param f=@file", async ({ page, baseURL }) => {
  test.setTimeout(600_000);
  await signInOrUp(page, FIONA);
  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(await linesArchive());
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 180_000 });

  // the package page lists what introspection warned about: where, and what
  await page.goto(`/p/${FIONA.name}/lines`);
  const warnings = page.getByRole("list", { name: "Warnings" });
  await expect(warnings).toContainText("count");
  await expect(warnings).toContainText("annot.Param('fiel') names no parameter of count(f)");

  // the form: the file is uploaded as soon as it is chosen, then the run starts with a reference to it
  const seven = linesFile("seven lines.txt", 7);
  await page.goto(`/p/${FIONA.name}/lines/run/count`);
  await page.locator("#field-f").setInputFiles(seven.path);
  const chosen = page.getByRole("status", { name: "File for f" });
  await expect(chosen).toContainText(`Uploaded: seven lines.txt (${seven.content.length} bytes)`);
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 180_000 });
  const docs = page.getByRole("region", { name: "Stored documents" });
  await expect(docs).toContainText('"lines": 7', { timeout: 30_000 });
  await expect(docs).toContainText(`"sha256": "${seven.sha256}"`);
  await expect(docs).toContainText('"name": "seven lines.txt"');
  await expect(page.locator('[aria-label="Arguments"]')).toContainText(`f=file seven lines.txt (${seven.content.length} bytes)`);
  const runUrl = page.url();

  // "Edit and re-run" starts from the same file
  await page.getByRole("link", { name: /Edit and re-run/ }).click();
  await expect(page.getByRole("status", { name: "File for f" })).toContainText(`Current file: seven lines.txt (${seven.content.length} bytes)`);
  await page.goto(runUrl);

  // the command line: the file is uploaded first, then the run gets its reference
  const twelve = linesFile("twelve.txt", 12);
  const env = { ...process.env, LEV_URL: baseURL!, LEV_TOKEN: await createApiToken(page, "files-cli"), XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "lev-cli-")) };
  const lev = (...args: string[]) => promisify(execFile)(process.execPath, ["runner/cli/lev.mjs", ...args], { env, timeout: 240_000 });
  const out = await lev("run", `${FIONA.name}.lines.count`, "--param", `f=@${twelve.path}`, "--wait", "--json");
  expect(out.stderr).toMatch(/uploaded twelve\.txt \(\d+ bytes\) as file [A-Za-z0-9_-]{24}/);
  const run = JSON.parse(out.stdout) as { id: string; status: string; args: Record<string, { $lev: string; id: string }> };
  expect(run.status).toBe("succeeded");
  expect(run.args.f.$lev).toBe("file");
  const documents = JSON.parse((await lev("results", run.id, "--format", "json")).stdout) as { coll: string; doc: Record<string, unknown> }[];
  expect(documents).toEqual([expect.objectContaining({ coll: `${FIONA.name}/lines.count`, doc: expect.objectContaining({ given: true, name: "twelve.txt", lines: 12, sha256: twelve.sha256 }) })]);
  await page.goto(`/runs/${run.id}`);
  await expect(page.locator('[aria-label="Arguments"]')).toContainText("f=file twelve.txt");

  // the hub knows the file by the id the run's arguments hold, with its content's hash
  const file = await page.request.get(`/api/files/${run.args.f.id}`);
  expect(file.status()).toBe(200);
  expect(((await file.json()) as { sha256: string }).sha256).toBe(twelve.sha256);
});
