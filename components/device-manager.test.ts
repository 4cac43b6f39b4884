import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { enrolmentCommand } from "./device-manager.tsx";

const TOKEN = "ldv_" + "x".repeat(43);

test("the enrolment command, run by a shell, writes the token to a file only its user may read and points the agent at it", () => {
  const cmd = enrolmentCommand("https://hub.example", "laptop", TOKEN);
  assert.equal(cmd.includes("\n"), false, "one line to paste");
  assert.doesNotMatch(cmd.split("&&")[1], /ldv_/, "the token is not on the agent's command line");
  const home = mkdtempSync(path.join(tmpdir(), "lev-enrol-"));
  try {
    // the agent part replaced by printing what it would be given
    const written = cmd.replace(/ && LEV_URL=.*$/, "");
    execFileSync("bash", ["-c", written], { env: { ...process.env, HOME: home } });
    const file = path.join(home, ".lev-agent-laptop.token");
    assert.equal(readFileSync(file, "utf8"), `${TOKEN}\n`);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.match(cmd, /LEV_URL=https:\/\/hub\.example lev agent --token-file ~\/\.lev-agent-laptop\.token$/);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
