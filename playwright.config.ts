import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PORT = Number(process.env.E2E_PORT ?? 3100);
const BASE_URL = `http://127.0.0.1:${PORT}`;
// Every run of the suite starts from an empty hub: its own data directory (database, uploads).
const DATA_DIR = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), "levhub-e2e-"));
// specs read the hub's files (the admin bootstrap token) from it; workers inherit it, so they agree
process.env.E2E_DATA_DIR = DATA_DIR;

export default defineConfig({
  testDir: "e2e",
  testMatch: "*.spec.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 180_000,
  expect: { timeout: 20_000 },
  reporter: process.env.CI ? [["list"], ["html", { open: "never" }]] : [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: BASE_URL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 860 },
    actionTimeout: 20_000,
    navigationTimeout: 60_000,
    launchOptions: {
      // Debian's Chromium: no browser download is possible on these machines
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic", "--no-first-run", "--disable-component-update", "--disable-sync"],
    },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: "node --conditions=react-server --import tsx scripts/start.ts",
    url: `${BASE_URL}/`,
    reuseExistingServer: false,
    // setup, migrations, the build and publishing the examples all happen before the hub answers
    timeout: 900_000,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      LEVHUB_DATA_DIR: DATA_DIR,
      PORT: String(PORT),
      HOST: "127.0.0.1",
      NEXTAUTH_URL: BASE_URL,
      // every API answer is checked against its route's declared response schema (a mismatch is a 500)
      LEVHUB_CHECK_RESPONSES: "1",
    },
  },
});
