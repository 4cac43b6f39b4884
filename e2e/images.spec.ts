import { expect, test } from "@playwright/test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { tarGz } from "./support/archive.ts";

// Images as Leviathan packages name them: Leviathan's hello world asks for alpine:latest, which a
// hub without a registry lacks; an admin aliases it to a local image on the policy page (bad
// lines are named first) and the same run succeeds.

const FRANK: Account = { name: "frank", email: "frank@example.test", password: "frank's long passphrase" };

/** Leviathan's hello world as its docs write it: a mode in `alpine:latest`, which this hub has no registry for. */
async function alpineHelloArchive(ns: string): Promise<string> {
  const files = [
    { path: "pyproject.toml", content: `[project]\nname = "lev.${ns}.alpine_hello"\nversion = "0.1.0"\n` },
    {
      path: `lev/${ns}/alpine_hello/__init__.py`,
      content: `"""Hello world, as Leviathan's guide writes it."""
import levrt
from levrt import Cr, annot, ctx


@annot.meta(desc="hello world in alpine")
def hello() -> Cr:
    """Stores a greeting."""
    @levrt.remote
    def entry():
        ctx.set(msg="hello from alpine:latest")

    return Cr("alpine:latest", entry=entry())


__lev__ = annot.meta([hello], desc="hello world in alpine")
`,
    },
  ].map((f) => ({ path: `${ns}.alpine_hello/${f.path}`, content: Buffer.from(f.content) }));
  const file = join(mkdtempSync(join(tmpdir(), "levhub-e2e-alpine-")), `${ns}.alpine_hello.tar.gz`);
  writeFileSync(file, await tarGz(files));
  return file;
}

test("an admin aliases alpine:latest to a local image on the policy page, and Leviathan's hello world runs", async ({ page, browser }) => {
  await signInOrUp(page, FRANK);
  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(await alpineHelloArchive(FRANK.name));
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 120_000 });
  const form = `/p/${FRANK.name}/alpine_hello/run/hello`;
  await page.goto(form);
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("failed", { timeout: 120_000 });
  await expect(page.getByRole("alert").first()).toContainText(/alpine:latest.*not available/i);

  const admin = await browser.newPage();
  await signInAsAdmin(admin);
  await admin.goto("/admin/policy");
  const settings = admin.getByRole("form", { name: "Policy settings" });
  // bad lines are named and nothing is saved
  await settings.getByLabel(/Image aliases/).fill("Alpine:latest = levhub/python:bookworm");
  await settings.getByLabel(/Pull from registries/).fill("http://127.0.0.1:5000");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByText(/line 1: 'Alpine:latest' is not an image reference/)).toBeVisible();
  await expect(settings.getByText(/line 1: write the registry without a scheme \('127\.0\.0\.1:5000'\)/)).toBeVisible();
  await settings.getByLabel(/Image aliases/).fill("# Leviathan's images\nalpine:latest = levhub/python:bookworm");
  await settings.getByLabel(/Pull from registries/).fill("");
  await settings.getByRole("button", { name: "Save settings" }).click();
  await expect(settings.getByRole("status")).toContainText("Saved");
  await admin.reload();
  await expect(admin.getByLabel(/Image aliases/)).toHaveValue("alpine:latest = levhub/python:bookworm");
  await admin.close();

  await page.goto(form);
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });
  await expect(page.getByRole("region", { name: "Stored documents" })).toContainText("hello from alpine:latest", { timeout: 30_000 });
});
