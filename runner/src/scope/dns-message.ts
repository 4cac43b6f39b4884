/**
 * The few DNS messages a run's responder (dns-responder.ts) handles, parsed and built by hand:
 * pure, capped, and strict, since every byte comes from a container. A query is one question of
 * class IN; anything malformed is dropped (no answer at all), anything well formed but not an
 * A/AAAA query gets an error code (NOTIMP for other opcodes, REFUSED for other types or classes).
 */

/** what a query may be; larger ones are dropped (a question is at most 12 + 255 + 4 bytes, EDNS adds little) */
export const MAX_QUERY_BYTES = 512;
/** compression pointers followed in one name; a loop runs into this */
const MAX_POINTER_JUMPS = 16;
const MAX_NAME_BYTES = 255;

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
export type Rcode = (typeof RCODE)[keyof typeof RCODE];
export const QTYPE = { A: 1, AAAA: 28 } as const;
const CLASS_IN = 1;

export interface Question {
  /** lower case, without the trailing dot; "" for the root */
  name: string;
  /** the labels as sent (their case echoed back, as resolvers with 0x20 randomisation expect) */
  labels: string[];
  type: number;
  class: number;
}

export type ParsedQuery =
  | { kind: "drop"; why: string }
  /** a well-formed query that gets only an error code */
  | { kind: "error"; id: number; rd: boolean; rcode: Rcode; question: Question | null }
  | { kind: "query"; id: number; rd: boolean; question: Question & { type: (typeof QTYPE)[keyof typeof QTYPE] } };

/** a name at `offset`: its labels and where the question goes on after it, or why not */
function readName(msg: Uint8Array, offset: number): { labels: string[]; next: number } | string {
  const labels: string[] = [];
  let pos = offset;
  let next = -1;
  let jumps = 0;
  let bytes = 1;
  for (;;) {
    if (pos >= msg.length) return "a name runs past the message";
    const len = msg[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= msg.length) return "a truncated compression pointer";
      const target = ((len & 0x3f) << 8) | msg[pos + 1]!;
      // only backwards: a pointer at or after itself could loop without ever repeating a jump count
      if (target >= pos) return "a compression pointer that does not point back";
      if (++jumps > MAX_POINTER_JUMPS) return "too many compression pointers";
      if (next < 0) next = pos + 2;
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) return "a reserved label type";
    if (len === 0) return { labels, next: next < 0 ? pos + 1 : next };
    if (pos + 1 + len > msg.length) return "a label runs past the message";
    bytes += len + 1;
    if (bytes > MAX_NAME_BYTES) return "a name longer than 255 bytes";
    const label = Buffer.from(msg.subarray(pos + 1, pos + 1 + len)).toString("latin1");
    labels.push(label);
    pos += 1 + len;
  }
}

/** One datagram (or TCP message without its length prefix) from a container. */
export function parseQuery(msg: Uint8Array): ParsedQuery {
  if (msg.length < 12) return { kind: "drop", why: "shorter than a header" };
  if (msg.length > MAX_QUERY_BYTES) return { kind: "drop", why: "oversize" };
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  const id = view.getUint16(0);
  const flags = view.getUint16(2);
  if (flags & 0x8000) return { kind: "drop", why: "a response, not a query" };
  const rd = (flags & 0x0100) !== 0;
  const opcode = (flags >> 11) & 0x0f;
  const qd = view.getUint16(4);
  const an = view.getUint16(6);
  const ns = view.getUint16(8);
  if (qd !== 1 || an !== 0 || ns !== 0) return { kind: "drop", why: "not exactly one question" };
  const name = readName(msg, 12);
  if (typeof name === "string") return { kind: "drop", why: name };
  if (name.next + 4 > msg.length) return { kind: "drop", why: "a truncated question" };
  const question: Question = {
    labels: name.labels,
    name: name.labels.join(".").toLowerCase(),
    type: view.getUint16(name.next),
    class: view.getUint16(name.next + 2),
  };
  if (opcode !== 0) return { kind: "error", id, rd, rcode: RCODE.NOTIMP, question };
  if (question.class !== CLASS_IN || (question.type !== QTYPE.A && question.type !== QTYPE.AAAA)) return { kind: "error", id, rd, rcode: RCODE.REFUSED, question };
  return { kind: "query", id, rd, question: question as Question & { type: 1 | 28 } };
}

export interface Answer {
  /** an IPv4 address for A, an IPv6 address for AAAA */
  address: string;
  ttl: number;
}

function encodeName(labels: string[]): Buffer {
  const parts = labels.map((l) => {
    const b = Buffer.from(l, "latin1");
    return Buffer.concat([Buffer.from([b.length]), b]);
  });
  return Buffer.concat([...parts, Buffer.from([0])]);
}

function ipv4Bytes(a: string): Buffer {
  const parts = a.split(".").map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${a}`);
  return Buffer.from(parts);
}

function ipv6Bytes(a: string): Buffer {
  let text = a;
  const tail: number[] = [];
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = text.slice(0, -v4[1]!.length) + "0:0";
  }
  const [head, rest] = text.split("::") as [string, string | undefined];
  const groups = (s: string) => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
  const h = groups(head);
  const r = rest === undefined ? [] : groups(rest);
  const all = rest === undefined ? h : [...h, ...Array<number>(8 - h.length - r.length).fill(0), ...r];
  if (v4) all.splice(6, 2, ...tail);
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) throw new Error(`not an IPv6 address: ${a}`);
  const out = Buffer.alloc(16);
  all.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  return out;
}

/**
 * The response to a query: the question echoed, the answers (each as a record of the question's
 * type, its name a pointer to the question's), and the code. RA is set: the responder recurses.
 */
export function buildResponse(q: { id: number; rd: boolean; question: Question | null }, rcode: Rcode, answers: Answer[] = []): Buffer {
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  header.writeUInt16BE(0x8000 | (q.rd ? 0x0100 : 0) | 0x0080 | rcode, 2);
  header.writeUInt16BE(q.question ? 1 : 0, 4);
  header.writeUInt16BE(q.question ? answers.length : 0, 6);
  if (!q.question) return header;
  const question = Buffer.alloc(4);
  question.writeUInt16BE(q.question.type, 0);
  question.writeUInt16BE(q.question.class, 2);
  const records = answers.map((a) => {
    const data = q.question!.type === QTYPE.AAAA ? ipv6Bytes(a.address) : ipv4Bytes(a.address);
    const rr = Buffer.alloc(12);
    rr.writeUInt16BE(0xc00c, 0);
    rr.writeUInt16BE(q.question!.type, 2);
    rr.writeUInt16BE(CLASS_IN, 4);
    rr.writeUInt32BE(Math.max(0, Math.min(0x7fffffff, Math.floor(a.ttl))), 6);
    rr.writeUInt16BE(data.length, 10);
    return Buffer.concat([rr, data]);
  });
  return Buffer.concat([header, encodeName(q.question.labels), question, ...records]);
}
