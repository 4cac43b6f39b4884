import assert from "node:assert/strict";
import { test } from "node:test";
import { AppError } from "../errors.ts";
import { ExportSlots } from "./export-slots.ts";

const refused = (pattern: RegExp) => (err: unknown) => err instanceof AppError && err.code === "rate_limited" && pattern.test(err.message);

test("a user past their limit is refused naming it; others still get slots", () => {
  const slots = new ExportSlots(() => ({ connections: 4, perUser: 2 }));
  slots.take("alice");
  const second = slots.take("alice");
  assert.throws(() => slots.take("alice"), refused(/most one user may have at once \(2\)/));
  slots.take("bob");
  second();
  second(); // freeing twice frees once
  slots.take("alice");
  assert.throws(() => slots.take("alice"), refused(/\(2\)/));
  assert.equal(slots.active, 3);
});

test("the hub-wide limit refuses everyone once reached, and frees as exports end", () => {
  const slots = new ExportSlots(() => ({ connections: 2, perUser: 2 }));
  const a = slots.take("a");
  slots.take("b");
  assert.throws(() => slots.take("c"), refused(/as many exports as it can at once \(2\)/));
  a();
  slots.take("c");
  assert.equal(slots.active, 2);
});
