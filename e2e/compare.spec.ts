import { expect, test } from "@playwright/test";
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createApiToken, signInOrUp, type Account } from "./support/accounts.ts";
import { createNetnsTarget } from "../lib/testing/netns-target.ts";
import { scanTarget } from "./support/nmap.ts";
import { SHOTS } from "./support/screenshots.ts";

// What changed between two scans. A user runs the nmap example's port scan of a target over 30
// ports twice; between the runs the spec opens a listener on one of them. The comparison (from
// the run page's "since the previous run" line) shows that port as ONE change: an item new at
// hosts[ip=T].ports[port=P,protocol=tcp]; nmap's OS guesses are left out, as the package declares,
// until the user takes them off the ignore list. The only target: a network namespace the spec creates.

const FRANK: Account = { name: "frank", email: "frank@example.test", password: "frank's long passphrase" };

test("a port opened between two nmap scans of a target shows as one change", async ({ page }) => {
  test.setTimeout(400_000);
  await signInOrUp(page, FRANK);
  const target = await createNetnsTarget();
  try {
    const ip = target.ip;
    // 30 ports nothing listens on (the kernel's pick, released at once): nmap folds closed ones
    // into a count (more than 25), so an opened port is a new item
    const port = await target.open();
    await target.shut(port);
    const ports = `${port}-${Math.min(port + 29, 65535)}`;
    const first = await scanTarget(page.request, ip, ports);
    await target.open(port);
    const second = await scanTarget(page.request, ip, ports);

    await page.goto(`/runs/${second.id}`);
    const since = page.getByLabel("Since the previous run");
    await expect(since).toContainText(/\d+ new, \d+ gone.* since the previous run/);
    await since.getByRole("link", { name: /since the previous run/ }).click();
    await expect(page).toHaveURL(new RegExp(`/compare\\?a=${first.id}&b=${second.id}`));
    await expect(page.getByRole("heading", { name: /What changed in nmap\.port_os/ })).toBeVisible();

    const section = page.getByRole("region", { name: "Collection szczecin/nmap_python.port_os@1.0" });
    await expect(section).toContainText("Matched by key: target, hosts[].ip, hosts[].ports[].port");
    const table = section.getByRole("table", { name: `Changes in target=${ip}` });
    const rows = table.locator("tbody tr").filter({ hasText: `ports[port=${port},protocol=tcp]` });
    await expect(rows).toHaveCount(1);
    await expect(rows.first()).toHaveAttribute("data-op", "added");
    await expect(rows.first().getByRole("cell").nth(1)).toHaveText(`hosts[ip=${ip}].ports[port=${port},protocol=tcp]`);
    await expect(rows.first()).toContainText('"state":"open"');
    await page.screenshot({ path: join(SHOTS, "compare.png"), fullPage: true });

    // the fields the package ignores (nmap's OS guesses): removed from the list, they are compared again
    const ignored = page.getByRole("region", { name: "Ignored fields" });
    await expect(ignored).toContainText("hosts[].os");
    await expect(ignored).toContainText("declared by the package");
    await expect(section).toContainText("Left out: hosts[].os");
    await ignored.getByRole("link", { name: "Compare hosts[].os again" }).click();
    await expect(page).toHaveURL(/&ignore=$/);
    await expect(ignored).toContainText("chosen for this comparison");
    await expect(section).not.toContainText("Left out");
    // added back through the form, kept in the address
    await ignored.getByLabel("Ignore a field").fill("hosts[].os");
    await ignored.getByRole("button", { name: "Ignore", exact: true }).click();
    await expect(page).toHaveURL(/&ignore=hosts%5B%5D\.os$/);
    await expect(section).toContainText("Left out: hosts[].os");
    // a bad path is refused beside the field and changes nothing
    await ignored.getByLabel("Ignore a field").fill("hosts[]");
    await ignored.getByRole("button", { name: "Ignore", exact: true }).click();
    await expect(ignored.getByRole("alert")).toContainText("ignored field 'hosts[]'");
    await expect(section).toContainText("Left out: hosts[].os");

    // the same comparison through the API, as `lev diff --previous` asks for it
    const api = await page.request.get(`/api/runs/compare?b=${second.id}&previous=true`);
    expect(api.status()).toBe(200);
    const body = (await api.json()) as { a: { id: string }; diff: { collections: { changed: { changes: { op: string; path: string }[] }[] }[] } };
    expect(body.a.id).toBe(first.id);
    const portChanges = body.diff.collections.flatMap((c) => c.changed.flatMap((d) => d.changes)).filter((c) => c.path.includes(`port=${port},`));
    expect(portChanges).toEqual([{ op: "added", path: `hosts[ip=${ip}].ports[port=${port},protocol=tcp]`, after: expect.objectContaining({ port, state: "open" }) }]);

    // and through the CLI, with an API token: `lev diff --previous` and `lev results`
    const env = { ...process.env, LEV_URL: new URL(page.url()).origin, LEV_TOKEN: await createApiToken(page, "compare-cli"), XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "lev-cli-")) };
    const lev = (...args: string[]) => promisify(execFile)("node", ["runner/cli/lev.mjs", ...args], { env, timeout: 60_000 });
    const diff = await lev("diff", second.id, "--previous");
    console.log(`$ lev diff ${second.id} --previous\n${diff.stdout}`);
    expect(diff.stdout).toContain(`run #${first.number} → run #${second.number}`);
    expect(diff.stdout).toContain(`+ hosts[ip=${ip}].ports[port=${port},protocol=tcp]`);
    // --ignore replaces the package's list, through the API's ignore=
    const noisy = await lev("diff", second.id, "--previous", "--ignore", "hosts[].status");
    expect(noisy.stdout).toContain("ignoring hosts[].status)");
    const everything = await page.request.get(`/api/runs/compare?b=${second.id}&previous=true&ignore=`);
    const ignoredNothing = (await everything.json()) as { ignore: { fields: string[]; chosen: boolean }; diff: { collections: { ignored: string[] }[] } };
    expect(ignoredNothing.ignore).toEqual({ fields: [], chosen: true });
    expect(ignoredNothing.diff.collections.map((c) => c.ignored)).toEqual([[]]);
    const refused = await page.request.get(`/api/runs/compare?b=${second.id}&previous=true&ignore=${encodeURIComponent("hosts[]")}`);
    expect(refused.status()).toBe(422);
    const results = await lev("results", second.id, "--format", "ndjson");
    const lines = results.stdout.trim().split("\n").map((l) => JSON.parse(l) as { run: string; coll: string; doc: { target?: string } });
    expect(lines.map((l) => [l.run, l.coll, l.doc.target])).toContainEqual([second.id, "szczecin/nmap_python.port_os@1.0", ip]);
  } finally {
    await target.close();
  }
});
