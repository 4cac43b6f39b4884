import { z } from "zod";
import { fileRefSchema, type FileRef } from "../refs.ts";

/** What a workflow may ask for: everything from the Python side is untrusted and parsed here. */
const envEntry = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*=/, "env entries look like KEY=value");
const absPath = z
  .string()
  .min(2)
  .refine((p) => p.startsWith("/") && !p.split("/").includes(".."), "container paths must be absolute, without '..'");
const fileSource = z.union([
  z.object({ b64: z.string() }).strict(),
  z.object({ path: z.string().min(1) }).strict(),
  // a file the user gave the run (`levrt.File`): one of the run's `refs`, mounted as stored
  fileRefSchema,
]);
const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonValue), z.record(z.string(), jsonValue)]),
);

export const entrySpecSchema = z
  .object({
    builder: z
      .object({
        module: z.string().regex(/^[A-Za-z_][\w.]*$/, "module must be a dotted Python name"),
        qualname: z.string().regex(/^[A-Za-z_][\w.]*$/, "qualname must be a dotted Python name"),
        args: z.array(jsonValue),
        kwargs: z.record(z.string(), jsonValue),
        direct: z.boolean().optional(),
      })
      .strict(),
    path: z.array(z.string()),
  })
  .strict();

export interface CrSpec {
  image: string;
  schema: string;
  host: boolean;
  cmd: string[];
  env: string[];
  files: Record<string, { b64: string } | { path: string } | FileRef>;
  links: Record<string, string>;
  ports: number[];
  services: Record<string, CrSpec>;
  caps: string[];
  timeout: number | null;
  /** `Cr(offline=True)`: no network at all (networkOf refuses it with host, links, ports or services) */
  offline?: boolean;
  entry: z.infer<typeof entrySpecSchema> | null;
  /**
   * `ns.name` of the package whose code built this Cr (a dependency's mode called by the
   * workflow); null: the run's own package. Decides where `files=` paths resolve and, once
   * verified, whose grant applies.
   */
  package: string | null;
}

const hostName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/, "not a valid host name");

export const crSpecSchema: z.ZodType<CrSpec> = z.lazy(() =>
  z
    .object({
      image: z.string().min(1).max(256),
      schema: z
        .string()
        .min(1)
        .max(200)
        .refine((s) => !s.includes("|") && !s.includes("$") && !s.includes("\0"), "schema may not contain '|' or '$'"),
      host: z.boolean().default(false),
      cmd: z.array(z.string()).default([]),
      env: z.array(envEntry).default([]),
      files: z.record(absPath, fileSource).default({}),
      links: z.record(hostName, hostName).default({}),
      ports: z.array(z.number().int().min(1).max(65535)).default([]),
      services: z.record(hostName, crSpecSchema).default({}),
      caps: z.array(z.string().regex(/^[A-Z_]+$/)).default([]),
      timeout: z.number().positive().nullable().default(null),
      offline: z.boolean().optional(),
      entry: entrySpecSchema.nullable().default(null),
      package: z
        .string()
        .regex(/^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/i, "package is 'ns.name'")
        .nullable()
        .default(null),
    })
    .strict(),
);

export const nsSchema = z
  .array(z.string().min(1).max(64).regex(/^[^|$\0]+$/, "namespace parts may not contain '|' or '$'"))
  .max(16);

export const startRequest = z.object({ cr: crSpecSchema, ns: nsSchema.default([]) });
export const taskRequest = z.object({ task: z.number().int().min(1) });
export const signalRequest = z.object({
  task: z.number().int().min(1),
  signal: z
    .string()
    .regex(/^(SIG)?[A-Z0-9]+$/)
    .default("SIGINT"),
});
export const findOneRequest = z.object({
  coll: z.string().min(1),
  task: z.number().int().min(0),
  query: z.record(z.string(), z.unknown()).nullable().default(null),
  projection: z.record(z.string(), z.unknown()).nullable().default(null),
});
export const findRequest = z.object({ coll: z.string().min(1) });
export const setRequest = z.object({ ns: nsSchema.default([]), fields: z.record(z.string(), z.unknown()) });

export function collectionName(ns: string[], schema: string): string {
  return [...ns, schema].join("|");
}

export function formatZodError(err: z.ZodError): string {
  return err.issues.map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`).join("; ");
}
