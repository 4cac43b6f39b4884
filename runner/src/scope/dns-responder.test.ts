import assert from "node:assert/strict";
import { Resolver } from "node:dns/promises";
import net from "node:net";
import { test } from "node:test";
import { DnsResponder, staticUpstream, ANSWER_GRACE_SECONDS, MIN_ANSWER_TTL } from "./dns-responder.ts";
import { parseQuery, RCODE } from "./dns-message.ts";
import { compileScope } from "./rules.ts";
import type { PortRange } from "./parse.ts";

const scope = compileScope({ allow: ["target.test", "*.lab.test", "web.test 443"], exclude: ["secret.lab.test"], services: [] });
const upstream = staticUpstream({
  "target.test": ["10.231.0.5", "2001:db8::5"],
  "a.lab.test": ["10.231.0.6"],
  "secret.lab.test": ["10.231.0.7"],
  "web.test": ["10.231.0.8"],
  "outside.test": ["10.99.0.1"],
  "broken.lab.test": ["not-an-address"],
}, 1);

async function withResponder(fn: (r: DnsResponder, client: Resolver, allowed: [string[], PortRange[] | undefined, number][]) => Promise<void>, allowFails = false) {
  const allowed: [string[], PortRange[] | undefined, number][] = [];
  const r = await DnsResponder.start({
    host: "127.0.0.1",
    port: 0,
    scope,
    upstream,
    allow: async (a, p, s) => {
      if (allowFails) throw new Error("nft refused");
      allowed.push([a, p, s]);
    },
  });
  const client = new Resolver({ timeout: 1000, tries: 1 });
  client.setServers([`127.0.0.1:${r.port}`]);
  try {
    await fn(r, client, allowed);
  } finally {
    await r.close();
  }
}

const code = (p: Promise<unknown>) => p.then(() => "answered", (e: { code?: string }) => e.code);

test("in-scope names answered through a real client, each address allowed before the answer, TTL raised to the minimum", () =>
  withResponder(async (_r, client, allowed) => {
    assert.deepEqual(await client.resolve4("target.test", { ttl: true }), [{ address: "10.231.0.5", ttl: MIN_ANSWER_TTL }]);
    assert.deepEqual(await client.resolve6("Target.TEST"), ["2001:db8::5"]);
    assert.deepEqual(await client.resolve4("a.lab.test"), ["10.231.0.6"]);
    assert.deepEqual(await client.resolve4("web.test"), ["10.231.0.8"]);
    assert.deepEqual(allowed, [
      [["10.231.0.5"], undefined, MIN_ANSWER_TTL + ANSWER_GRACE_SECONDS],
      [["2001:db8::5"], undefined, MIN_ANSWER_TTL + ANSWER_GRACE_SECONDS],
      [["10.231.0.6"], undefined, MIN_ANSWER_TTL + ANSWER_GRACE_SECONDS],
      [["10.231.0.8"], [[443, 443]], MIN_ANSWER_TTL + ANSWER_GRACE_SECONDS],
    ]);
  }));

test("out-of-scope and excluded names refused and recorded, nothing allowed; unknown names NXDOMAIN; no AAAA: empty", () =>
  withResponder(async (r, client, allowed) => {
    assert.equal(await code(client.resolve4("outside.test")), "EREFUSED");
    assert.equal(await code(client.resolve4("outside.test")), "EREFUSED");
    assert.equal(await code(client.resolve4("secret.lab.test")), "EREFUSED");
    assert.equal(await code(client.resolve4("nothere.lab.test")), "ENOTFOUND");
    assert.equal(await code(client.resolve6("a.lab.test")), "ENODATA");
    assert.equal(await code(client.resolveMx("target.test")), "EREFUSED");
    assert.equal(await code(client.resolve4("broken.lab.test")), "ENODATA");
    assert.deepEqual(allowed, []);
    assert.deepEqual(r.blockedNames(), {
      names: [
        { name: "outside.test", reason: "out of scope", queries: 2 },
        { name: "secret.lab.test", reason: "excluded", queries: 1 },
      ],
      dropped: 0,
    });
  }));

test("an answer the rules could not take is never given: SERVFAIL", () =>
  withResponder(async (_r, client) => {
    assert.equal(await code(client.resolve4("target.test")), "ESERVFAIL");
  }, true));

test("TCP: length-prefixed queries answered on one connection; an oversize length closes it", () =>
  withResponder(async (r) => {
    const q = Buffer.from("abcd01000001000000000000067461726765740474657374000001000" + "1", "hex");
    const framed = Buffer.concat([Buffer.from([0, q.length]), q, Buffer.from([0, q.length]), q]);
    const got = await new Promise<Buffer>((resolve, reject) => {
      const s = net.connect(r.port, "127.0.0.1");
      let buf = Buffer.alloc(0);
      s.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        const one = 2 + buf.readUInt16BE(0);
        if (buf.length >= one + 2 && buf.length >= one + 2 + buf.readUInt16BE(one)) {
          s.destroy();
          resolve(buf);
        }
      });
      s.on("error", reject);
      s.write(framed);
    });
    const first = got.subarray(2, 2 + got.readUInt16BE(0));
    assert.equal(first.readUInt16BE(0), 0xabcd);
    assert.equal(first.readUInt16BE(2) & 0x0f, RCODE.NOERROR);
    assert.equal(first.readUInt16BE(6), 1);
    assert.deepEqual([...first.subarray(-4)], [10, 231, 0, 5]);
    const closed = await new Promise<boolean>((resolve) => {
      const s = net.connect(r.port, "127.0.0.1", () => s.write(Buffer.from([0xff, 0xff])));
      s.on("close", () => resolve(true));
      s.on("error", () => undefined);
    });
    assert.ok(closed);
  }));

test("malformed datagrams get no answer", () =>
  withResponder(async (r) => {
    assert.equal(await r.answer(Buffer.from([1, 2, 3])), null);
    assert.equal(parseQuery(Buffer.alloc(12)).kind, "drop");
  }));
