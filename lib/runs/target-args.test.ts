import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManifestFunction } from "../../runner/src/index.ts";
import { AppError } from "../errors.ts";
import { argField, ARGS_FIELD, checkArgs, checkArgSizes, formFieldErrors, withFieldErrors } from "./target-args.ts";

const caps = { fieldBytes: 100, totalBytes: 250 };
const fn = {
  kind: "mode",
  name: "greet",
  qualified: "greet",
  params: [
    { name: "name", type: "str", required: true, default: null },
    { name: "times", type: "int", required: false, default: 1 },
  ],
} as unknown as ManifestFunction;

const refused = (code: string, fieldErrors: Record<string, RegExp>) => (e: unknown) => {
  assert.ok(e instanceof AppError, String(e));
  assert.equal(e.code, code);
  assert.deepEqual(Object.keys(e.fieldErrors ?? {}).sort(), Object.keys(fieldErrors).sort());
  for (const [k, re] of Object.entries(fieldErrors)) assert.match(e.fieldErrors?.[k] ?? "", re, k);
  return true;
};

test("argument field errors are keyed args.<parameter>, args for all of them", () => {
  assert.equal(argField("port"), "args.port");
  assert.equal(ARGS_FIELD, "args");
});

test("sizes and shape first: an object within the caps, else too_large naming the field or the total", () => {
  assert.deepEqual(checkArgSizes({ name: "x" }, caps), { name: "x" });
  for (const bad of [null, "x", [1], 3]) assert.throws(() => checkArgSizes(bad, caps), refused("validation", { args: /expected an object/ }));
  assert.throws(() => checkArgSizes({ name: "x".repeat(200), times: 1 }, caps), refused("too_large", { "args.name": /too large: \d+ bytes, at most 100 per field/ }));
  assert.throws(() => checkArgSizes({ name: "x".repeat(200) }, caps), (e: unknown) => e instanceof AppError && e.message === "argument name is too large");
  assert.throws(() => checkArgSizes({ a: "x".repeat(90), b: "x".repeat(90), c: "x".repeat(90) }, caps), refused("too_large", { args: /at most 250 in all/ }));
  assert.throws(() => checkArgSizes({ _: "x".repeat(200) }, caps), refused("too_large", { "args._": /per field/ }), "a parameter called _ is a field");
});

test("values are checked by the runner's validateArgs, every error at once, keyed args.<parameter>", () => {
  assert.deepEqual(checkArgs(fn, { name: "ann", times: "3" }), { name: "ann", times: 3 });
  assert.throws(() => checkArgs(fn, { times: "2.5", extra: 1 }), refused("validation", { "args.name": /required/, "args.times": /whole number/, "args.extra": /unknown parameter/ }));
});

test("the run form shows an argument's error under its parameter; where no field shows them, the message names them", () => {
  assert.deepEqual(formFieldErrors({ "args.port": "is required", args: "too large", device: "offline" }), { port: "is required", args: "too large", device: "offline" });
  assert.deepEqual(formFieldErrors(undefined), {});
  assert.equal(withFieldErrors("check the highlighted fields", { "args.name": "unknown parameter" }), "check the highlighted fields; args.name: unknown parameter");
  assert.equal(withFieldErrors("not found"), "not found");
});
