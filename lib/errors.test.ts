import { test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { invalidFields, zodFieldErrors } from "./errors.ts";

test("invalidFields names every field in its message and keeps each one's own", () => {
  const e = invalidFields({ "args.port": "expected an integer", cron: "minute 99: out of range" });
  assert.equal(e.code, "validation");
  assert.equal(e.message, "invalid args.port, cron");
  assert.deepEqual(e.fieldErrors, { "args.port": "expected an integer", cron: "minute 99: out of range" });
  assert.equal(invalidFields({ _: "expected an object" }).message, "invalid request");
});

test("zodFieldErrors: a field's first problem under its path; a strict object's extra keys each under its own name", () => {
  const schema = z.object({ a: z.number(), inner: z.object({ b: z.string() }).strict() }).strict();
  const r = schema.safeParse({ a: "x", inner: { b: "ok", c: 1 }, d: true, e: null });
  assert.ok(!r.success);
  assert.deepEqual(zodFieldErrors(r.error), {
    a: "Invalid input: expected number, received string",
    "inner.c": "is not a field of this request",
    d: "is not a field of this request",
    e: "is not a field of this request",
  });
  const top = z.string().safeParse(1);
  assert.ok(!top.success);
  assert.deepEqual(Object.keys(zodFieldErrors(top.error)), ["_"]);
});
