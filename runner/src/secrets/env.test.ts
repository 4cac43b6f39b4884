import assert from "node:assert/strict";
import { test } from "node:test";
import { ChannelReplyError } from "../channel/channel.ts";
import type { RunRefs } from "../refs.ts";
import { forwardSecrets, secretToken, tokenSecretId } from "./env.ts";

const ID = "shodan-key-0123456789";
const OTHER = "wpscan-key-0123456789";
const refs: RunRefs = { [ID]: { kind: "secret", name: "shodan", value: "the-shodan-value" } };
const cr = (over: Partial<{ env: string[]; cmd: string[]; files: Record<string, { b64: string } | { path: string }> }>) => ({ env: [], cmd: [], files: {}, ...over });
const refusal = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ChannelReplyError);
    assert.equal(e.type, "InvalidRequest");
    return e.message;
  }
  assert.fail("not refused");
};

test("a token as a whole env value is replaced by the value, and recorded by variable", () => {
  const out = forwardSecrets(cr({ env: [`API_KEY=${secretToken(ID)}`, "MODE=fast", "EMPTY="] }), refs);
  assert.deepEqual(out.env, ["API_KEY=the-shodan-value", "MODE=fast", "EMPTY="]);
  assert.deepEqual(out.forwarded, { [ID]: "API_KEY" });
  assert.deepEqual(forwardSecrets(cr({ env: ["A=b"] }), {}), { env: ["A=b"], forwarded: {} });
  assert.equal(tokenSecretId(secretToken(ID)), ID);
  assert.equal(tokenSecretId(` ${secretToken(ID)}`), null);
});

test("only this run's secrets: a token naming another is refused, so package code cannot pull one by name", () => {
  assert.match(refusal(() => forwardSecrets(cr({ env: [`K=${secretToken(OTHER)}`] }), refs)), /env K: secret 'wpscan-key-0123456789' is not one of this run's secrets/);
  // a file reference's id is no secret
  const files: RunRefs = { [OTHER]: { kind: "file", path: "/srv/blob", name: "f", size: 1, sha256: "a".repeat(64) } };
  assert.match(refusal(() => forwardSecrets(cr({ env: [`K=${secretToken(OTHER)}`] }), files)), /not one of this run's secrets/);
});

test("a secret anywhere but a whole env value is refused, however it is written", () => {
  const token = secretToken(ID);
  const handleJson = JSON.stringify({ $lev: "secret", id: ID, name: "shodan" }, null, 1);
  for (const [what, c] of [
    ["part of an env value", cr({ env: [`AUTH=Bearer ${token}`] })],
    ["its id in an env value", cr({ env: [`AUTH=${ID}`] })],
    ["a handle's JSON in env", cr({ env: [`CONF=${handleJson}`] })],
    ["another run's token in env", cr({ env: [`K=x${secretToken(OTHER)}`] })],
    ["a command line", cr({ cmd: ["--key", token] })],
    ["a command line, by id", cr({ cmd: [`--key=${ID}`] })],
    ["a file's content", cr({ files: { "/etc/key": { b64: Buffer.from(`key: ${token}`).toString("base64") } } })],
    ["a file holding the handle's JSON", cr({ files: { "/etc/c.json": { b64: Buffer.from(handleJson).toString("base64") } } })],
  ] as const) {
    assert.match(refusal(() => forwardSecrets(c, refs)), /secret/, what);
  }
  assert.match(refusal(() => forwardSecrets(cr({ cmd: ["a", secretToken(ID)] }), refs)), /^cmd\[1\]: a secret cannot go on a command line/);
  // a package file (path) is the package's own: not read here
  assert.deepEqual(forwardSecrets(cr({ files: { "/x": { path: "data/x" } } }), refs).env, []);
});
