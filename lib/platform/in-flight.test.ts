import { test } from "node:test";
import assert from "node:assert/strict";
import { InFlight } from "./in-flight.ts";

test("a key takes places up to its limit; a release gives one back once; idle keys are forgotten", () => {
  const f = new InFlight();
  const a1 = f.take("a", 2);
  const a2 = f.take("a", 2);
  assert.ok(a1 && a2);
  assert.equal(f.take("a", 2), null, "the third at once is refused");
  assert.ok(f.take("b", 1), "another key has its own count");
  assert.equal(f.take("b", 1), null);
  a1();
  a1();
  assert.equal(f.count("a"), 1, "a second release of the same place changes nothing");
  const a3 = f.take("a", 2);
  assert.ok(a3);
  assert.equal(f.take("a", 2), null);
  a2();
  a3!();
  assert.equal(f.count("a"), 0);
  assert.equal(f.size, 1, "only b is still under way");
  assert.equal(f.take("c", 0), null, "a limit of 0 admits nothing");
});
