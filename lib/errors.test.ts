import { test } from "node:test";
import assert from "node:assert/strict";
import { invalidFields } from "./errors.ts";

test("invalidFields names every field in its message and keeps each one's own", () => {
  const e = invalidFields({ "args.port": "expected an integer", cron: "minute 99: out of range" });
  assert.equal(e.code, "validation");
  assert.equal(e.message, "invalid args.port, cron");
  assert.deepEqual(e.fieldErrors, { "args.port": "expected an integer", cron: "minute 99: out of range" });
  assert.equal(invalidFields({ _: "expected an object" }).message, "invalid request");
});
