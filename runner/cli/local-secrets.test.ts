import assert from "node:assert/strict";
import { test } from "node:test";
import type { ManifestParam } from "../src/manifest/introspect.ts";
import { ParamValidationError } from "../src/manifest/params.ts";
import { runRefsSchema } from "../src/refs.ts";
import { localSecretArgs } from "./local-secrets.ts";

const param = (name: string, type: string): ManifestParam => ({ name, type, required: false, default: null, desc: null, holder: null });
const params = [param("key", "secret"), param("maybe", "Optional[secret]"), param("q", "str")];

test("--param key=env:NAME reads the variable and passes a reference; other parameters are left alone", () => {
  const { args, refs } = localSecretArgs(params, { key: "env:SHODAN_KEY", q: "env:literal" }, { SHODAN_KEY: "the-shodan-value" });
  const [id] = Object.keys(refs);
  assert.deepEqual(args, { key: { $lev: "secret", id }, q: "env:literal" });
  assert.deepEqual(refs[id], { kind: "secret", name: "SHODAN_KEY", value: "the-shodan-value" });
  assert.equal(runRefsSchema.safeParse(refs).success, true);
});

test("a value on the command line, a missing variable or a bad name is a parameter error", () => {
  const errors = (raw: Record<string, unknown>, env: Record<string, string> = {}) => {
    try {
      localSecretArgs(params, raw, env);
    } catch (e) {
      if (e instanceof ParamValidationError) return e.errors;
    }
    return {};
  };
  assert.match(errors({ key: "sk_live_value" }).key ?? "", /name the environment variable holding it/);
  assert.match(errors({ key: "env:NOPE" }).key ?? "", /NOPE is not set/);
  assert.match(errors({ key: "env:1BAD" }).key ?? "", /name the environment variable/);
  assert.match(errors({ maybe: ["env:A", "env:B"] }, { A: "x", B: "y" }).maybe ?? "", /name the environment variable/);
});
