import assert from "node:assert/strict";
import { test } from "node:test";
import { TerminalOutputFilter } from "./terminal-filter.ts";

const run = (...chunks: string[]) => {
  const f = new TerminalOutputFilter();
  return { text: chunks.map((c) => f.push(Buffer.from(c))).join(""), dropped: f.dropped };
};

test("colours, cursor movement and plain text pass", () => {
  const s = "\x1b[1;32muid=65534(nobody)\x1b[0m\r\n\x1b[2J\x1b[H$ ";
  assert.equal(run(s).text, s);
});

test("OSC, DCS, SOS, PM and APC strings are dropped, with BEL or ST", () => {
  const cases = [
    "\x1b]0;evil title\x07",
    "\x1b]52;c;ZWNobyBwd25lZA==\x07", // clipboard write
    "\x1b]8;;https://example.invalid/\x1b\\link\x1b]8;;\x1b\\",
    "\x1bP$qm\x1b\\", // DECRQSS
    "\x1bXsos\x1b\\",
    "\x1b^pm\x1b\\",
    "\x1b_apc\x1b\\",
    "\u009d0;c1 title\u009c",
    "\u0090dcs\u009c",
  ];
  for (const c of cases) {
    const r = run(`a${c}b`);
    assert.equal(r.text, c.includes("link") ? "alinkb" : "ab", JSON.stringify(c));
    assert.ok(r.dropped >= 1);
  }
});

test("a sequence split across chunks, anywhere, is still dropped", () => {
  const whole = "x\x1b]52;c;aGk=\x1b\\y";
  for (let i = 1; i < whole.length; i++) assert.equal(run(whole.slice(0, i), whole.slice(i)).text, "xy", `split at ${i}`);
  // a multi-byte character split across chunks survives
  const f = new TerminalOutputFilter();
  const bytes = Buffer.from("é→");
  assert.equal(f.push(bytes.subarray(0, 1)) + f.push(bytes.subarray(1)), "é→");
});

test("an unterminated string is given up after a bound, its text dropped", () => {
  // a terminal would hold all of it: here the first 4096 characters after the introducer go, then output resumes
  const r = run("a\x1b]0;" + "x".repeat(5000) + "b");
  assert.equal(r.text, "a" + "x".repeat(5000 + 2 - 4097) + "b");
});
