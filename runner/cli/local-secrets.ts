/**
 * `lev exec … --param key=env:SHODAN_KEY`: a value for a secret parameter (`levrt.Secret`), given
 * locally by naming the environment variable that holds it, so the value is never on a command
 * line. The run gets a fresh random reference to it (RunSpec.refs), as a hub's run does, and the
 * runner masks it in everything the run prints and stores.
 */
import type { ManifestParam } from "../src/manifest/introspect.ts";
import { ParamValidationError, type ParamErrors } from "../src/manifest/params.ts";
import { newRefId, REF_KEY, type RunSecret } from "../src/refs.ts";
import { SECRET_LIMITS, SECRET_NAME_PATTERN } from "../src/secrets/limits.ts";

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The base type of a parameter (`Optional[secret]` → `secret`). */
const baseType = (p: ManifestParam) => p.type.replace(/^Optional\[(.+)\]$/, "$1");

/**
 * The arguments with each secret parameter's `env:NAME` read from `env` and replaced by a
 * reference, and the run's secret references. A secret parameter given anything else is a
 * parameter error (a value on the command line would be in the shell's history).
 */
export function localSecretArgs(
  params: ManifestParam[],
  raw: Record<string, unknown>,
  env: Record<string, string | undefined> = process.env,
): { args: Record<string, unknown>; refs: Record<string, RunSecret> } {
  const args: Record<string, unknown> = { ...raw };
  const refs: Record<string, RunSecret> = {};
  const errors: ParamErrors = {};
  for (const p of params) {
    if (baseType(p) !== "secret" || raw[p.name] === undefined) continue;
    const v = raw[p.name];
    const name = typeof v === "string" && v.startsWith("env:") ? v.slice(4) : "";
    if (!ENV_NAME.test(name)) {
      errors[p.name] = `is a secret: name the environment variable holding it, --param ${p.name}=env:VARIABLE (never the value itself)`;
      continue;
    }
    const value = env[name];
    if (!value) {
      errors[p.name] = `the environment variable ${name} is not set`;
      continue;
    }
    if (value.length > SECRET_LIMITS.valueChars) {
      errors[p.name] = `${name} holds more than ${SECRET_LIMITS.valueChars} characters`;
      continue;
    }
    const id = newRefId();
    refs[id] = { kind: "secret", name: SECRET_NAME_PATTERN.test(name) ? name : p.name, value };
    args[p.name] = { [REF_KEY]: "secret", id };
  }
  if (Object.keys(errors).length) throw new ParamValidationError(errors);
  return { args, refs };
}
