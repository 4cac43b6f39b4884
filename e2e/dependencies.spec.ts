import { expect, test } from "@playwright/test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { signInAsAdmin, signInOrUp, type Account } from "./support/accounts.ts";
import { tarGz } from "./support/archive.ts";

// Packages that build on packages. An admin reviews the bundled workflow-only example
// (levhub.recon, which imports the nmap and hello examples) and marks it official; the catalog's
// official filter finds it. A user publishes a workflow-only package of their own that imports
// the hello example: both package pages show the dependency, and a run from its form succeeds
// with the dependency's tool storing its document. The only scan target: a network namespace the
// spec creates (the greeter's "host" is a word it greets, nothing connects to it).

const ERIN: Account = { name: "erin", email: "erin@example.test", password: "erin's long passphrase" };

/** `erin.greeter`: one workflow, no tool of its own; it imports `lev.levhub.hello`. */
async function greeterArchive(ns: string): Promise<string> {
  const files = [
    {
      path: "pyproject.toml",
      content: `[project]
name = "lev.${ns}.greeter"
version = "1.0.0"
description = "Greets a host with the hello example's tool"
dependencies = ["levrt", "lev.levhub.hello>=0.1,<1"]
`,
    },
    {
      path: `lev/${ns}/greeter/__init__.py`,
      content: `"""greeter: a workflow that imports a published tool instead of writing one."""
from levrt import annot, ctx
from levrt.annot.cats import Attck, BlackArch

from lev.levhub.hello import greet


@annot.meta(
    desc="Greet a host with levhub.hello's tool",
    params=[annot.Param("host", "who to greet", holder="127.0.0.1")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello", "dependencies"],
)
async def welcome(host: str):
    """
    Runs \`greet.hello\` of the package levhub.hello and stores what it said.
    \`\`\`
    await welcome("127.0.0.1")
    \`\`\`
    """
    doc = await (await greet.hello(host)).get()
    ctx.set(host=host, said=doc["greeting"])


__lev__ = annot.meta([welcome], desc="Greets hosts through the hello example", tags=["dependencies"])
`,
    },
  ].map((f) => ({ path: `${ns}.greeter/${f.path}`, content: Buffer.from(f.content) }));
  const file = join(mkdtempSync(join(tmpdir(), "levhub-e2e-deps-")), `${ns}.greeter-1.0.0.tar.gz`);
  writeFileSync(file, await tarGz(files));
  return file;
}

test("an admin marks the workflow-only example official, and the catalog's official filter shows it", async ({ page, browser }) => {
  await signInAsAdmin(page);
  await page.goto("/p/levhub/recon");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("levhub.recon");
  const mark = page.getByRole("region", { name: "Official mark" });
  await expect(mark).toContainText("Not reviewed");
  await mark.getByRole("button", { name: "Mark official" }).click();
  await expect(mark).toContainText(/Official · reviewed by e2eadmin on \d{4}-\d\d-\d\d/);
  await expect(mark.getByRole("button", { name: "Remove official mark" })).toBeVisible();

  // anyone browsing: the filter, its count, the badge
  const guest = await browser.newPage();
  await guest.goto("/browse");
  const curation = guest.getByRole("region", { name: "Curation" });
  await expect(curation.getByRole("link", { name: /Official/ })).toContainText("1");
  await curation.getByRole("link", { name: /Official/ }).click();
  await expect(guest).toHaveURL(/official=true/);
  await expect(guest.getByRole("heading", { level: 1 })).toHaveText("1 package");
  const card = guest.getByRole("article", { name: "levhub.recon" });
  await expect(card).toContainText("official");
  await expect(guest.getByRole("article", { name: "levhub.hello" })).toHaveCount(0);
  await guest.goto("/p/levhub/recon");
  await expect(guest.getByRole("region", { name: "Official mark" })).toContainText("reviewed by e2eadmin");
  await expect(guest.getByRole("button", { name: /official/i })).toHaveCount(0);
  await guest.close();
});

test("a user publishes a workflow-only package that imports the hello example and runs it from its form", async ({ page }) => {
  await signInOrUp(page, ERIN);
  await page.goto("/upload");
  await page.getByLabel("Package archive").setInputFiles(await greeterArchive(ERIN.name));
  await page.getByRole("button", { name: "Upload" }).click();
  await expect(page.getByRole("status", { name: "Upload succeeded" })).toBeVisible({ timeout: 120_000 });

  await page.goto(`/p/${ERIN.name}/greeter`);
  await expect(page.getByRole("list", { name: "Depends on" })).toContainText("levhub.hello");
  await page.goto("/p/levhub/hello");
  await expect(page.getByRole("list", { name: "Used by" })).toContainText(`${ERIN.name}.greeter`);

  await page.goto(`/p/${ERIN.name}/greeter/run/welcome`);
  await page.getByLabel(/^host/).fill("127.0.0.1");
  await page.getByRole("button", { name: "Start run" }).click();
  await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 120_000 });
  const docs = page.getByRole("region", { name: "Stored documents" });
  // the dependency's tool stored its greeting; the workflow stored what it was told
  await expect(docs).toContainText('"greeting": "hello, 127.0.0.1"', { timeout: 30_000 });
  await expect(docs).toContainText('"said": "hello, 127.0.0.1"');
});

test("the example workflow runs nmap and hello from their own packages, nmap with its own grant", async ({ page }) => {
  const target = await createNetnsTarget();
  try {
    await signInOrUp(page, ERIN);
    await page.goto("/p/levhub/recon/run/sweep_and_greet");
    await page.getByLabel(/^ip/).fill(target.ip);
    await page.getByLabel(/^limit/).fill("2");
    await page.getByRole("button", { name: "Start run" }).click();
    await expect(page.getByRole("status", { name: "Run status" })).toHaveText("succeeded", { timeout: 180_000 });
    const docs = page.getByRole("region", { name: "Stored documents" });
    await expect(docs).toContainText("szczecin/nmap_python.alive@1.0", { timeout: 30_000 });
    await expect(docs).toContainText('"greetings": [');
    await expect(docs).toContainText(`hello, ${target.ip}`);
  } finally {
    await target.close();
  }
});
