/**
 * The API keeps its word: Schemathesis (pinned in scripts/setup.sh) fuzzes every operation of
 * `/api/openapi.json` on the hub under test, once as a client with an API token and once as a
 * browser with a session cookie, and fails on any 500, any answer the document does not describe
 * (status, content type, body schema, `Allow` on 405), a valid request refused or an invalid one
 * accepted. Bounded by e2e/fuzz/schemathesis.toml (seed, examples, wall clock).
 */
import { expect, test } from "@playwright/test";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiToken, signInOrUp, type Account } from "./support/accounts.ts";

const FUZZER: Account = { name: "fuzzer", email: "fuzzer@example.test", password: "the fuzzer's passphrase" };

/** One Schemathesis run with this header on every request; its output when it found anything. */
function fuzz(baseURL: string, header: string): { status: number | null; output: string } {
  const reports = mkdtempSync(join(tmpdir(), "levhub-fuzz-"));
  const r = spawnSync(
    "python3",
    ["-m", "schemathesis.cli", "--config-file", "e2e/fuzz/schemathesis.toml", "run", `${baseURL}/api/openapi.json`, "--checks", "all",
      // a worker's event batch is a deep union of storable JSON: generating it filters many examples, which is no finding
      "--suppress-health-check", "filter_too_much",
      "-H", header, "--no-color", "--report", "junit", "--report-dir", reports],
    { encoding: "utf8", timeout: 400_000, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PYTHONUNBUFFERED: "1" } },
  );
  const output = `${r.stdout ?? ""}\n${r.stderr ?? ""}`.replaceAll(header.split(/[ =]/).pop() ?? "", "<secret>");
  // the secret never lands in a test report; what was found comes first, so a cut log still names it
  return { status: r.status, output: `${failures(output)}\n${output.slice(-12_000)}${readReport(reports)}` };
}

/** Schemathesis's FAILURES section (each finding with its operation and a curl line), at most 16 KB. */
function failures(output: string): string {
  const start = output.lastIndexOf("FAILURES ===");
  if (start < 0) return "";
  const end = output.indexOf("WARNINGS", start);
  return output.slice(start, end < 0 ? undefined : end).slice(0, 16_000);
}

function readReport(dir: string): string {
  try {
    return `\n(junit report in ${dir}: ${readFileSync(join(dir, "junit.xml"), "utf8").length} bytes)`;
  } catch {
    return "";
  }
}

test("Schemathesis finds nothing, with an API token and with a browser session", async ({ page, baseURL }) => {
  test.setTimeout(900_000);
  await signInOrUp(page, FUZZER);
  const token = await createApiToken(page, "fuzzer", ["read", "run", "publish"]);
  const session = (await page.context().cookies()).find((c) => c.name === "next-auth.session-token");
  expect(session, "signed in with a session cookie").toBeTruthy();
  for (const [who, header] of [
    ["an API token", `Authorization: Bearer ${token}`],
    ["a session", `Cookie: next-auth.session-token=${session!.value}`],
  ] as const) {
    const { status, output } = fuzz(baseURL!, header);
    expect(status, `Schemathesis with ${who}:\n${output}`).toBe(0);
  }
});
