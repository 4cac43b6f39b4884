/**
 * Typed references in run arguments (PROTOCOL.md, "Typed references"): a value a user gives a run
 * that is not JSON but something the hub holds (a file, a project secret), written
 * `{"$lev": "<kind>", "id": "<opaque id>"}`. The key `$lev` is reserved: a reference may only
 * stand where a parameter of that kind is, and nowhere else in a user's values. The run carries
 * what each id stands for (`RunSpec.refs`), chosen by the hub or worker, never by a user.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import { SECRET_LIMITS, secretNameSchema } from "./secrets/limits.ts";

/** The key that marks a typed reference; reserved in every user-provided value. */
export const REF_KEY = "$lev";

/** Every kind of typed reference (one closed set): a file the user gave, a project secret. */
export const TYPED_REF_KINDS = ["file", "secret"] as const;
export type TypedRefKind = (typeof TYPED_REF_KINDS)[number];

/**
 * A reference id: opaque and random (`newRefId`), owned by whoever uploaded the file; never the
 * content's sha256 (a 64-hex id is refused), so knowing a file's hash gives no way to name it.
 */
export const refIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{16,64}$/, "a reference id is 16 to 64 letters, digits, '-' or '_'")
  .refine((id) => !/^[0-9a-f]{64}$/.test(id), "a reference id is random, never a sha256");

export const typedRefSchema = z.object({ [REF_KEY]: z.enum(TYPED_REF_KINDS), id: refIdSchema }).strict();
export type TypedRef = z.infer<typeof typedRefSchema>;

/** A file reference as a `Cr(files={…})` value sends it (runner/python/levrt/_refs.py). */
export const fileRefSchema = z.object({ [REF_KEY]: z.literal("file"), id: refIdSchema }).strict();
export type FileRef = z.infer<typeof fileRefSchema>;

/** What a file reference of a run stands for: a stored blob on the Docker host, read-only. */
export const runFileSchema = z
  .object({
    kind: z.literal("file"),
    /** absolute host path of the stored blob, chosen by the hub or worker, never by a user */
    path: z.string().refine((p) => path.isAbsolute(p) && !p.includes("\0") && path.normalize(p) === p, "an absolute, normal host path"),
    /** the file's name as the user gave it (shown to the workflow as `File.name`) */
    name: z.string().min(1).max(255),
    size: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type RunFile = z.infer<typeof runFileSchema>;

/**
 * What a secret reference of a run stands for: its value, which only a tool container whose Cr
 * forwards it in `env` receives (secrets/env.ts), and its name, which the workflow sees
 * (`levrt.Secret.name`) and masks show (`••••(secret NAME)`).
 */
export const runSecretSchema = z
  .object({
    kind: z.literal("secret"),
    name: secretNameSchema,
    value: z.string().min(1).max(SECRET_LIMITS.valueChars),
  })
  .strict();
export type RunSecret = z.infer<typeof runSecretSchema>;

/** `RunSpec.refs`: every typed reference a run's arguments may use, by id. */
export const runRefsSchema = z.record(refIdSchema, z.discriminatedUnion("kind", [runFileSchema, runSecretSchema]));
export type RunRefs = z.infer<typeof runRefsSchema>;

/** The secrets among a run's references, by id. */
export function runSecrets(refs: RunRefs): Map<string, RunSecret> {
  const out = new Map<string, RunSecret>();
  for (const [id, r] of Object.entries(refs)) if (r.kind === "secret") out.set(id, r);
  return out;
}

/** A new random reference id (24 characters of base64url). */
export function newRefId(): string {
  return randomBytes(18).toString("base64url");
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Whether a value is a well-formed typed reference (of `kind`, when given). */
export function isTypedRef(value: unknown, kind?: TypedRefKind): value is TypedRef {
  const r = typedRefSchema.safeParse(value);
  return r.success && (kind === undefined || r.data[REF_KEY] === kind);
}

/** Whether `$lev` appears as a key anywhere in a value (lists and objects, at any depth). */
export function hasReservedKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasReservedKey);
  if (!isObject(value)) return false;
  return Object.hasOwn(value, REF_KEY) || Object.values(value).some(hasReservedKey);
}

/** Every typed reference in a value, at any depth, each (kind, id) once, in order of appearance. */
export function collectRefs(value: unknown): TypedRef[] {
  const out = new Map<string, TypedRef>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!isObject(v)) return;
    if (isTypedRef(v)) out.set(`${v[REF_KEY]}:${v.id}`, { [REF_KEY]: v[REF_KEY], id: v.id });
    else Object.values(v).forEach(walk);
  };
  walk(value);
  return [...out.values()];
}

/**
 * Why a run's arguments do not fit its references, or null: every `$lev` object must be a
 * well-formed reference that `refs` holds, of the same kind.
 */
export function checkArgRefs(args: Record<string, unknown>, refs: RunRefs): string | null {
  let problem: string | null = null;
  const walk = (v: unknown, where: string) => {
    if (problem) return;
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}[${i}]`));
    if (!isObject(v)) return;
    if (!Object.hasOwn(v, REF_KEY)) return Object.entries(v).forEach(([k, x]) => walk(x, `${where}.${k}`));
    if (!isTypedRef(v)) problem = `argument ${where}: a '${REF_KEY}' object that is not a valid reference`;
    else if ((Object.hasOwn(refs, v.id) ? refs[v.id].kind : undefined) !== v[REF_KEY]) problem = `argument ${where}: ${v[REF_KEY]} '${v.id}' is not one of this run's ${v[REF_KEY]}s`;
  };
  for (const [k, v] of Object.entries(args)) walk(v, k);
  return problem;
}

/**
 * The arguments as the workflow container receives them: each file reference completed with the
 * file's name and size, which `levrt.File` shows (never its path); each secret reference with the
 * secret's name only (`levrt.Secret`: never its value).
 */
export function workflowArgs(args: Record<string, unknown>, refs: RunRefs): Record<string, unknown> {
  const expand = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(expand);
    if (!isObject(v)) return v;
    if (isTypedRef(v)) {
      const r = Object.hasOwn(refs, v.id) ? refs[v.id] : undefined;
      if (r?.kind === "file" && v[REF_KEY] === "file") return { [REF_KEY]: "file", id: v.id, name: r.name, size: r.size };
      if (r?.kind === "secret" && v[REF_KEY] === "secret") return { [REF_KEY]: "secret", id: v.id, name: r.name };
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, expand(x)]));
  };
  return expand(args) as Record<string, unknown>;
}

/**
 * Kinds of typed reference whose content is the run's owner's own to see (a file they gave the
 * run). Any other kind (project secrets, and whatever joins them) is a secret: usable by the run,
 * never shown to a person, so nothing that would show it (a debug shell) is opened where it is.
 */
export const OWNERS_OWN_REF_KINDS: readonly string[] = ["file"];

/** Whether a value holds, at any depth, a `$lev` object of a kind other than the owner's own. */
export function holdsSecret(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (!isObject(value)) return false;
  if (Object.hasOwn(value, REF_KEY) && !OWNERS_OWN_REF_KINDS.includes(String(value[REF_KEY]))) return true;
  return Object.values(value).some(holdsSecret);
}
