import assert from "node:assert/strict";
import { test } from "node:test";
import { buildResponse, parseQuery, MAX_QUERY_BYTES, QTYPE, RCODE } from "./dns-message.ts";

const name = (n: string) => Buffer.concat([...n.split(".").filter(Boolean).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
function query(n: string | Buffer, type = 1, opts: { id?: number; flags?: number; qd?: number; an?: number; cls?: number } = {}): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(opts.id ?? 0x1234, 0);
  h.writeUInt16BE(opts.flags ?? 0x0100, 2);
  h.writeUInt16BE(opts.qd ?? 1, 4);
  h.writeUInt16BE(opts.an ?? 0, 6);
  const q = Buffer.alloc(4);
  q.writeUInt16BE(type, 0);
  q.writeUInt16BE(opts.cls ?? 1, 2);
  return Buffer.concat([h, typeof n === "string" ? name(n) : n, q]);
}

test("an A query: id, RD, the name lower-cased, its labels as sent", () => {
  const p = parseQuery(query("Target.Example.COM"));
  assert.equal(p.kind, "query");
  if (p.kind !== "query") return;
  assert.equal(p.id, 0x1234);
  assert.equal(p.rd, true);
  assert.equal(p.question.name, "target.example.com");
  assert.deepEqual(p.question.labels, ["Target", "Example", "COM"]);
  assert.equal(p.question.type, QTYPE.A);
  const aaaa = parseQuery(query("x.example", 28));
  assert.equal(aaaa.kind === "query" && aaaa.question.type, QTYPE.AAAA);
});

test("well formed but not A/AAAA: REFUSED; another opcode: NOTIMP; another class: REFUSED", () => {
  const mx = parseQuery(query("example.com", 15));
  assert.equal(mx.kind === "error" && mx.rcode, RCODE.REFUSED);
  const any = parseQuery(query("example.com", 255));
  assert.equal(any.kind === "error" && any.rcode, RCODE.REFUSED);
  const chaos = parseQuery(query("version.bind", 16, { cls: 3 }));
  assert.equal(chaos.kind === "error" && chaos.rcode, RCODE.REFUSED);
  const update = parseQuery(query("example.com", 1, { flags: 5 << 11 }));
  assert.equal(update.kind === "error" && update.rcode, RCODE.NOTIMP);
});

test("malformed or hostile: dropped, never answered", () => {
  const drops: [string, Buffer][] = [
    ["empty", Buffer.alloc(0)],
    ["a header only, short", Buffer.alloc(11)],
    ["a response", query("example.com", 1, { flags: 0x8100 })],
    ["two questions", query("example.com", 1, { qd: 2 })],
    ["no question", query("example.com", 1, { qd: 0 })],
    ["answers in a query", query("example.com", 1, { an: 1 })],
    ["truncated question", query("example.com").subarray(0, 12 + 13 + 2)],
    ["truncated label", Buffer.concat([query("a").subarray(0, 12), Buffer.from([10, 0x61, 0x62])])],
    ["oversize", Buffer.concat([query("example.com"), Buffer.alloc(MAX_QUERY_BYTES)])],
    ["a pointer to itself", query(Buffer.from([0xc0, 12]))],
    ["a pointer forwards", query(Buffer.from([0xc0, 14, 0]))],
    ["a truncated pointer", Buffer.concat([query("a").subarray(0, 12), Buffer.from([0xc0])])],
    ["a reserved label type", query(Buffer.from([0x40, 0]))],
    ["a name over 255 bytes", query(Array.from({ length: 5 }, () => "a".repeat(63)).join("."))],
  ];
  for (const [why, msg] of drops) assert.equal(parseQuery(msg).kind, "drop", why);
});

test("a compression loop (two pointers to each other, backwards in turn) is cut off, not followed forever", () => {
  // header, then at 12: pointer to 14; at 14: pointer to 12 (the second points back, the first forward → dropped)
  const loop = Buffer.concat([query("a").subarray(0, 12), Buffer.from([0xc0, 14, 0xc0, 12]), Buffer.from([0, 1, 0, 1])]);
  assert.equal(parseQuery(loop).kind, "drop");
  // pointers must point back, and nothing precedes a query's only name: any pointer there is refused
  assert.equal(parseQuery(query(Buffer.from([0xc0, 0]))).kind, "drop");
});

test("a name at the 255-byte limit parses", () => {
  const long = [..."abc"].map((c) => c.repeat(63)).join(".") + "." + "d".repeat(61);
  assert.equal(parseQuery(query(long)).kind, "query");
});

test("responses: the question echoed with its case, answers as pointers to it, TTL capped, codes", () => {
  const p = parseQuery(query("Target.Example", 1, { id: 7 }));
  assert.ok(p.kind === "query");
  const r = buildResponse(p, RCODE.NOERROR, [{ address: "10.231.0.5", ttl: 60 }, { address: "10.231.0.6", ttl: 1e12 }]);
  assert.equal(r.readUInt16BE(0), 7);
  assert.equal(r.readUInt16BE(2), 0x8180);
  assert.equal(r.readUInt16BE(4), 1);
  assert.equal(r.readUInt16BE(6), 2);
  const qEnd = 12 + name("Target.Example").length + 4;
  assert.equal(r.subarray(13, 19).toString(), "Target");
  assert.equal(r.readUInt16BE(qEnd), 0xc00c);
  assert.equal(r.readUInt32BE(qEnd + 6), 60);
  assert.deepEqual([...r.subarray(qEnd + 12, qEnd + 16)], [10, 231, 0, 5]);
  assert.equal(r.readUInt32BE(qEnd + 16 + 6), 0x7fffffff);
  assert.equal(r.length, qEnd + 2 * 16);

  const p6 = parseQuery(query("v6.example", 28));
  assert.ok(p6.kind === "query");
  const r6 = buildResponse(p6, RCODE.NOERROR, [{ address: "2001:db8::5", ttl: 5 }]);
  assert.equal(r6.subarray(-16).toString("hex"), "20010db8000000000000000000000005");
  const mapped = buildResponse(p6, RCODE.NOERROR, [{ address: "::ffff:10.0.0.1", ttl: 5 }]);
  assert.equal(mapped.subarray(-16).toString("hex"), "00000000000000000000ffff0a000001");

  const nx = buildResponse(p, RCODE.NXDOMAIN);
  assert.equal(nx.readUInt16BE(2) & 0x0f, RCODE.NXDOMAIN);
  assert.equal(nx.readUInt16BE(6), 0);
  assert.throws(() => buildResponse(p, RCODE.NOERROR, [{ address: "not-an-address", ttl: 1 }]));
});

test("a response to an error without a question is a bare header", () => {
  const r = buildResponse({ id: 1, rd: false, question: null }, RCODE.FORMERR);
  assert.equal(r.length, 12);
  assert.equal(r.readUInt16BE(2), 0x8081);
});
