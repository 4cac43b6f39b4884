import type { ManifestFunction, ManifestParam } from "./introspect.ts";
import { hasReservedKey, isTypedRef, REF_KEY, TYPED_REF_KINDS, type TypedRefKind } from "../refs.ts";

export type ParamErrors = Record<string, string>;

export class ParamValidationError extends Error {
  constructor(readonly errors: ParamErrors) {
    super(Object.entries(errors).map(([k, v]) => `${k}: ${v}`).join("; "));
    this.name = "ParamValidationError";
  }
}

/** The kind of typed reference a parameter takes (manifest type `file` or `secret`, maybe Optional), or null. */
export function refKindOf(param: Pick<ManifestParam, "type">): TypedRefKind | null {
  const t = param.type.replace(/^Optional\[(.+)\]$/, "$1");
  return (TYPED_REF_KINDS as readonly string[]).includes(t) ? (t as TypedRefKind) : null;
}

const TRUE = new Set(["true", "1", "yes", "on"]);
const FALSE = new Set(["false", "0", "no", "off"]);

function itemType(type: string): string | null {
  const m = /^(?:list|List|tuple)\[(.+)\]$/.exec(type);
  return m ? m[1] : type === "list" ? "any" : null;
}

/** Converts one value (typed JSON, or text from a form or command line) to the parameter's type. */
export function coerce(param: ManifestParam, value: unknown): unknown {
  const t = param.type.replace(/^Optional\[(.+)\]$/, "$1");
  const item = itemType(t);
  if (item !== null) {
    let arr: unknown[];
    if (Array.isArray(value)) arr = value;
    else if (typeof value === "string" && value.trim().startsWith("[")) {
      try {
        arr = JSON.parse(value);
      } catch {
        throw new Error("is not a valid JSON list");
      }
      if (!Array.isArray(arr)) throw new Error("must be a list");
    } else if (typeof value === "string") arr = value.split("\n").map((s) => s.trim()).filter(Boolean);
    else throw new Error("must be a list");
    return arr.map((v, i) => {
      try {
        return coerce({ ...param, type: item }, v);
      } catch (e) {
        throw new Error(`item ${i + 1} ${(e as Error).message}`);
      }
    });
  }
  switch (t) {
    case "file":
      // a file the user gave: a reference to it (the form and API upload it first, `lev exec` stores it)
      if (isTypedRef(value, "file")) return { [REF_KEY]: "file", id: value.id };
      throw new Error("must be a file (choose one in the form, or --param name=@path)");
    case "secret": {
      // a secret of the run's project: a reference to it (the API by id; the form's picker sends it as
      // JSON text); never a value
      let v = value;
      if (typeof v === "string" && v.trim().startsWith("{")) {
        try {
          v = JSON.parse(v);
        } catch {
          // not a reference: refused below like any other text
        }
      }
      if (isTypedRef(v, "secret")) return { [REF_KEY]: "secret", id: v.id };
      throw new Error("must be one of the project's secrets (pick it in the form; the API takes {\"$lev\": \"secret\", \"id\": …}), never a value");
    }
    case "str":
      if (typeof value === "string") return value;
      if (typeof value === "number" || typeof value === "boolean") return String(value);
      throw new Error("must be text");
    case "int": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isSafeInteger(n)) throw new Error("must be a whole number");
      return n;
    }
    case "float": {
      const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
      if (typeof n !== "number" || !Number.isFinite(n)) throw new Error("must be a number");
      return n;
    }
    case "bool":
      if (typeof value === "boolean") return value;
      if (typeof value === "string" && TRUE.has(value.toLowerCase())) return true;
      if (typeof value === "string" && FALSE.has(value.toLowerCase())) return false;
      throw new Error("must be true or false");
    case "dict":
    case "Dict":
    case "dict[str, str]":
    case "dict[str, Any]": {
      let v = value;
      if (typeof v === "string") {
        try {
          v = JSON.parse(v);
        } catch {
          throw new Error("is not valid JSON");
        }
      }
      if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error("must be a JSON object");
      return v;
    }
    default:
      // untyped or exotic annotations: JSON text is parsed, anything else passes as given
      if (typeof value === "string") {
        try {
          return JSON.parse(value);
        } catch {
          return value;
        }
      }
      return value;
  }
}

/**
 * Validates raw values against a function's parameters: unknown names, missing required values
 * and wrong types are all reported at once. Returns arguments ready for the runtime.
 */
export function validateArgs(fn: ManifestFunction, raw: Record<string, unknown>): Record<string, unknown> {
  const errors: ParamErrors = {};
  const out: Record<string, unknown> = {};
  const known = new Set(fn.params.map((p) => p.name));
  for (const name of Object.keys(raw)) {
    if (!known.has(name)) {
      errors[name] = `unknown parameter; ${fn.qualified} takes ${fn.params.map((p) => p.name).join(", ") || "no parameters"}`;
    }
  }
  for (const p of fn.params) {
    const v = raw[p.name];
    if (v === undefined || v === "" || v === null) {
      if (p.required) errors[p.name] = "is required";
      continue;
    }
    try {
      out[p.name] = coerce(p, v);
    } catch (e) {
      errors[p.name] = (e as Error).message;
      continue;
    }
    // `$lev` marks references the hub resolves (files, secrets): only where a parameter takes one
    if (refKindOf(p) === null && hasReservedKey(out[p.name])) {
      delete out[p.name];
      errors[p.name] = `may not contain the key '${REF_KEY}' (it marks files and secrets)`;
    }
  }
  if (Object.keys(errors).length) throw new ParamValidationError(errors);
  return out;
}
