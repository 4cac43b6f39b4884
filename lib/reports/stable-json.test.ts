import assert from "node:assert/strict";
import { test } from "node:test";
import { stableJson } from "./stable-json.ts";

test("keys sorted at every level, arrays kept in order", () => {
  assert.equal(stableJson({ b: 1, a: { d: [3, 1, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[3,1,{"y":2,"z":1}]},"b":1}');
  assert.equal(stableJson({ a: 1, b: 2 }), stableJson({ b: 2, a: 1 }));
});

test("what JSON cannot carry is written as its JSON form, never a crash", () => {
  assert.equal(stableJson({ d: new Date("2026-12-07T00:00:00Z"), n: 10n, inf: Infinity, u: undefined, arr: [undefined] }), '{"arr":[null],"d":"2026-12-07T00:00:00.000Z","inf":null,"n":"10"}');
  class Odd {
    toString() {
      return "odd";
    }
  }
  assert.equal(stableJson({ o: new Odd() }), '{"o":"odd"}');
  assert.equal(stableJson(Object.assign(Object.create(null), { k: "v" })), '{"k":"v"}');
});

test("a document nested past the bound is refused", () => {
  let deep: unknown = 1;
  for (let i = 0; i < 300; i++) deep = [deep];
  assert.throws(() => stableJson(deep), /nested deeper/);
});
