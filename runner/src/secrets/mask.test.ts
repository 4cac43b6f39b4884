/**
 * The masker against a corpus of the ways a tool prints a secret: plainly, JSON-escaped, URL-encoded,
 * hex, base64 and base64url at every alignment inside longer text, split across lines (base64 wrapped,
 * a value in pieces), in documents, and the near misses that must stay as they are.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { maskLabel, MIN_PARTIAL_CHARS, SecretMasker, secretForms } from "./mask.ts";

const VALUE = "sk_live_7Hq2ZpX9mR4tLw8Vb3Nc";
const M = maskLabel("shodan");
const masker = new SecretMasker([{ name: "shodan", value: VALUE }]);

/** Everything a stream lets out, fed line by line and ended. */
function stream(lines: string[], m = masker): string[] {
  const out: string[] = [];
  const w = m.lines((l) => out.push(l));
  for (const l of lines) w.push(l);
  w.end();
  return out;
}

/** No trace of the value in any form, in any joined output. */
function assertClean(text: string, value = VALUE) {
  const joined = text.replace(/\n/g, "");
  for (const form of secretForms(value)) {
    assert.ok(!joined.includes(form), `'${form}' survived in: ${text}`);
  }
}

test("plain, inside text, several times, at the edges", () => {
  assert.equal(masker.text(VALUE), M);
  assert.equal(masker.text(`key=${VALUE}; again ${VALUE}!`), `key=${M}; again ${M}!`);
  assert.equal(masker.text(`${VALUE}${VALUE}`), M, "touching occurrences are one mask");
  assert.equal(masker.text("nothing to see"), "nothing to see");
});

test("encoded forms: JSON, URL, hex, base64 and base64url at every alignment", () => {
  const odd = 'p@ss "w0rd"\\ é ✓ with spaces';
  const m = new SecretMasker([{ name: "odd", value: odd }]);
  const L = maskLabel("odd");
  assert.equal(m.text(JSON.stringify({ k: odd })), `{"k":"${L}"}`);
  // Python's json.dumps escapes every non-ASCII character
  const pyJson = JSON.stringify(odd).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  assert.equal(m.text(`{"k": ${pyJson}}`), `{"k": "${L}"}`);
  assert.equal(m.text(`GET /?key=${encodeURIComponent(odd)}&x=1`), `GET /?key=${L}&x=1`);
  const bytes = Buffer.from(odd);
  assert.equal(m.text(bytes.toString("hex")), L);
  assert.equal(m.text(bytes.toString("hex").toUpperCase()), L);
  for (const prefix of ["", "a", "ab", "abc", "Authorization: "]) {
    for (const enc of ["base64", "base64url"] as const) {
      const text = Buffer.from(`${prefix}${odd}!tail`).toString(enc);
      const out = m.text(text);
      assert.ok(out.includes(L), `${enc} after '${prefix}': ${out}`);
      assertClean(out, odd);
    }
  }
});

test("split across lines: base64 wrapped at any width, a value printed in pieces", () => {
  const b64 = Buffer.from(`token: ${VALUE}\n`).toString("base64");
  for (const width of [4, 7, 10, 19, 76]) {
    const lines = b64.match(new RegExp(`.{1,${width}}`, "g"))!;
    const out = stream(["before", ...lines, "after"]);
    assert.equal(out.length, lines.length + 2, "one line out per line in");
    assert.equal(out[0], "before");
    assert.equal(out.at(-1), "after");
    assertClean(out.join("\n"));
  }
  const pieces = ["part one: " + VALUE.slice(0, 9), VALUE.slice(9, 20), VALUE.slice(20) + " end"];
  const out = stream(pieces);
  assert.deepEqual(out, [`part one: ${M}`, M, `${M} end`]);
});

test("a line is held while it ends with a secret's beginning; released, a long enough beginning is masked", () => {
  const out: string[] = [];
  const w = masker.lines((l) => out.push(l));
  w.push(`ends with ${VALUE.slice(0, 10)}`);
  assert.equal(w.holding, true);
  assert.deepEqual(out, []);
  w.push("an unrelated line");
  assert.deepEqual(out, [`ends with ${VALUE.slice(0, 10)}`, "an unrelated line"], "the rest did not follow: nothing was a secret");
  w.push(`again ${VALUE.slice(0, 12)}`);
  w.release();
  assert.deepEqual(out.at(-1), `again ${M}`, "let out without a next line: the beginning is masked");
  // the rest following after the release is masked too: the window remembers what it let out
  w.push(`${VALUE.slice(12)} rest`);
  assert.equal(out.at(-1), `${M} rest`);
  w.end();
  // a short beginning (under MIN_PARTIAL_CHARS) is ordinary text
  const short = VALUE.slice(0, MIN_PARTIAL_CHARS - 1);
  assert.deepEqual(stream([`x ${short}`]), [`x ${short}`]);
});

test("near misses stay as they are", () => {
  for (const text of [VALUE.slice(1), VALUE.slice(0, -1), VALUE.toLowerCase(), VALUE.split("").reverse().join(""), "sk_live_"]) {
    assert.equal(masker.text(`[${text}]`), `[${text}]`);
  }
});

test("several secrets, overlapping and multi-line values", () => {
  const m = new SecretMasker([
    { name: "a", value: "alpha-secret-0001" },
    { name: "b", value: "beta-secret-00002" },
    { name: "pem", value: "-----BEGIN KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEF\nAASCBKcwggSjAgEAAoIBAQC7\n-----END KEY-----" },
  ]);
  assert.equal(m.text("alpha-secret-0001 and beta-secret-00002"), `${maskLabel("a")} and ${maskLabel("b")}`);
  const out = stream(["-----BEGIN KEY-----", "MIIEvQIBADANBgkqhkiG9w0BAQEF", "AASCBKcwggSjAgEAAoIBAQC7", "-----END KEY-----"], m);
  assert.ok(out.every((l) => l.includes(maskLabel("pem"))), out.join("\n"));
  assert.equal(m.text("only MIIEvQIBADANBgkqhkiG9w0BAQEF here"), `only ${maskLabel("pem")} here`, "each long line of the value on its own");
});

test("documents: every string and key, a secret split across consecutive strings, structure kept", () => {
  const doc = {
    plain: VALUE,
    nested: { list: ["x", `Bearer ${VALUE}`, 3, null, true], [`k_${VALUE}`]: 1 },
    pieces: [VALUE.slice(0, 14), VALUE.slice(14)],
    b64: Buffer.from(JSON.stringify({ key: VALUE })).toString("base64"),
    n: 42,
  };
  const out = masker.json(doc);
  assertClean(JSON.stringify(out));
  assert.equal(out.plain, M);
  assert.deepEqual(out.nested.list, ["x", `Bearer ${M}`, 3, null, true]);
  assert.deepEqual(Object.keys(out.nested), ["list", `k_${M}`]);
  assert.deepEqual(out.pieces, [M, M]);
  assert.equal(out.n, 42);
  assert.equal(new SecretMasker([]).json(doc), doc, "no secrets: the same object");
});

test("forms: every encoding of a value is looked for, none shorter than 4 characters", () => {
  const forms = secretForms(VALUE);
  assert.ok(forms.includes(VALUE));
  assert.ok(forms.includes(Buffer.from(VALUE).toString("hex")));
  assert.ok(forms.every((f) => f.length >= 4));
  assert.equal(new Set(forms).size, forms.length);
});
