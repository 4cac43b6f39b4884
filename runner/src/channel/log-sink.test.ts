import assert from "node:assert/strict";
import { test } from "node:test";
import { formatBytes, HOLD_MS, LineSplitter, LogSink } from "./log-sink.ts";
import { maskLabel, SecretMasker } from "../secrets/mask.ts";
import type { LogLine } from "../types.ts";

function sink(limits = { taskLogBytes: 1024, logLineBytes: 16 }) {
  const lines: LogLine[] = [];
  return { s: new LogSink(limits, (l) => lines.push(l), () => "t"), lines, text: () => lines.map((l) => l.line) };
}

test("lines are split across chunks, CR stripped, the rest flushed at the end", () => {
  const { s, text } = sink();
  s.output(1, "stdout", Buffer.from("ab"));
  s.output(1, "stdout", Buffer.from("c\r\nde\n\nf"));
  s.output(1, "stderr", Buffer.from("err"));
  assert.deepEqual(text(), ["abc", "de", ""]);
  s.flush(1);
  assert.deepEqual(text(), ["abc", "de", "", "f", "err"]);
});

test("a long line is cut with a marker and the rest up to its newline dropped", () => {
  const { s, lines, text } = sink();
  s.output(2, "stdout", Buffer.from("0123456789"));
  s.output(2, "stdout", Buffer.from("ABCDEFGHIJ"));
  s.output(2, "stdout", Buffer.from("KLMNOP"));
  s.output(2, "stdout", Buffer.from("QRST\nnext\n"));
  assert.equal(text().length, 2);
  assert.match(text()[0], /^0123456789ABCDEF … \[line cut at 16 bytes; the rest of it was dropped\]$/);
  assert.equal(text()[1], "next");
  assert.equal(lines[0].stream, "stdout");
});

test("a line of exactly the limit is not cut", () => {
  const { s, text } = sink();
  s.output(1, "stdout", Buffer.from("0123456789ABCDEF"));
  s.output(1, "stdout", Buffer.from("\nx\n"));
  assert.deepEqual(text(), ["0123456789ABCDEF", "x"]);
});

test("beyond the task's byte budget: one notice, later lines dropped, other tasks unaffected", () => {
  const { s, lines, text } = sink({ taskLogBytes: 10, logLineBytes: 100 });
  s.output(3, "stdout", Buffer.from("aaaa\nbbbb\ncccc\ndddd\n"));
  s.output(3, "stderr", Buffer.from("more\n"));
  s.output(4, "stdout", Buffer.from("ok\n"));
  assert.deepEqual(text(), ["aaaa", "bbbb", "… further output of task 3 dropped (over 10 bytes)", "ok"]);
  assert.equal(lines[2].stream, "system");
});

test("a 300 MB line without a newline is bounded in memory and linear in time", () => {
  const { s, text } = sink({ taskLogBytes: 4 * 1024 * 1024, logLineBytes: 16 * 1024 });
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  const rss = process.memoryUsage().rss;
  const t0 = Date.now();
  for (let i = 0; i < (300 * 1024 * 1024) / chunk.length; i++) s.output(1, "stdout", chunk);
  s.output(1, "stdout", Buffer.from("\nafter\n"));
  assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
  assert.ok(process.memoryUsage().rss - rss < 64 * 1024 * 1024);
  assert.equal(text().length, 2);
  assert.match(text()[0], /^x{16384} … \[line cut at 16 KiB/);
  assert.equal(text()[1], "after");
});

test("the splitter keeps no reference to a large chunk for a short partial line", () => {
  const out: string[] = [];
  const sp = new LineSplitter(8, (l, cut) => out.push(l.toString() + (cut ? "!" : "")));
  sp.write(Buffer.from("12345678901\nab"));
  sp.write(Buffer.from("c\n"));
  sp.end();
  assert.deepEqual(out, ["12345678!", "abc"]);
});

test("formatBytes", () => {
  assert.equal(formatBytes(4 * 1024 * 1024), "4 MiB");
  assert.equal(formatBytes(20.5 * 1024 * 1024), "20.5 MiB");
  assert.equal(formatBytes(16 * 1024), "16 KiB");
  assert.equal(formatBytes(10), "10 bytes");
});

test("a system line is the run's unless it is about the runner's own machinery (internal)", () => {
  const { s, lines } = sink();
  s.system(0, "task 1 could not start: PolicyDenied");
  s.system(0, "checking that joe.net builds this Cr (planner)", { internal: true });
  assert.deepEqual(lines, [
    { task: 0, stream: "system", line: "task 1 could not start: PolicyDenied", at: "t" },
    { task: 0, stream: "system", line: "checking that joe.net builds this Cr (planner)", at: "t", internal: true },
  ]);
});

test("with secrets: each stream masked through its own window, held lines out with the next line, the stream's end or the hold time", async () => {
  const value = "k3y-Va1ue-0123456789";
  const M = maskLabel("api");
  const lines: LogLine[] = [];
  const s = new LogSink({ taskLogBytes: 4096, logLineBytes: 1000 }, (l) => lines.push(l), () => "t", new SecretMasker([{ name: "api", value }]));
  const text = () => lines.map((l) => `${l.task}/${l.stream}: ${l.line}`);
  s.output(1, "stdout", Buffer.from(`key=${value}\nfirst half ${value.slice(0, 10)}\n`));
  s.output(1, "stderr", Buffer.from("err line\n"));
  assert.deepEqual(text(), [`1/stdout: key=${M}`, "1/stderr: err line"], "the half is held; the other stream is not");
  s.output(1, "stdout", Buffer.from(`${value.slice(10)} second half\n`));
  assert.deepEqual(text().slice(2), [`1/stdout: first half ${M}`, `1/stdout: ${M} second half`]);
  s.output(2, "stdout", Buffer.from(`ends ${value.slice(0, 8)}`));
  s.flush(2);
  assert.equal(text().at(-1), `2/stdout: ends ${M}`, "the stream ended: its held beginning is masked");
  s.output(3, "stdout", Buffer.from(`waits ${value.slice(0, 9)}\n`));
  assert.equal(lines.filter((l) => l.task === 3).length, 0);
  await new Promise((r) => setTimeout(r, HOLD_MS + 200));
  assert.equal(text().at(-1), `3/stdout: waits ${M}`, "let out after the hold time, masked");
  s.system(0, `could not start: ${value}`);
  assert.equal(text().at(-1), `0/system: could not start: ${M}`);
  assert.doesNotMatch(text().join("\n"), new RegExp(value.slice(0, 8)));
});
