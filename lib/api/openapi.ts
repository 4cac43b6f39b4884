/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route declarations themselves
 * (`routeSpec(handler)`: access, summary, params/query/body zod schemas, success status and
 * type) and the file layout (`app/api/runs/[id]/route.ts` is `/api/runs/{id}`). Nothing is
 * written twice, so the document cannot drift from what the wrapper enforces.
 */
import { z } from "zod";
import { SCOPE_DESCRIPTIONS, TOKEN_SCOPES } from "../access/scopes.ts";
import { ERROR_CODES } from "../errors.ts";
import { blankIsAbsent } from "./doc-registry.ts";
import { routeSpec, type RouteSpec } from "./route.ts";

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** One route module as the registry holds it: its file (`app/api/…/route.ts`) and its exports. */
export interface RouteModule {
  file: string;
  module: Record<string, unknown>;
}

type JsonSchema = Record<string, unknown>;

/**
 * `app/api/runs/[id]/route.ts` → `/api/runs/{id}`, `app/metrics/route.ts` → `/metrics`; a
 * catch-all `[...x]` is one `{x}` (OpenAPI has no multi-segment parameter).
 */
export function pathOfRouteFile(file: string): string {
  const m = /^app(\/.+)\/route\.(ts|js)$/.exec(file);
  if (!m) throw new Error(`${file} is not an app route file`);
  return m[1].replace(/\[(?:\.\.\.)?([^\]]+)\]/g, "{$1}");
}

/**
 * The JSON Schema of a request schema as the wrapper applies it (`io: "input"`: what a client
 * sends, before coercions and transforms), or of a response schema as the handler's data leaves
 * (`io: "output"`). A parameter whose blank value counts as absent says so (lib/api/doc-registry.ts).
 */
function schemaOf(s: z.ZodType, io: "input" | "output" = "input"): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, {
    io,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (!blankIsAbsent.has(zodSchema)) return;
      // the description belongs to the parameter, not to one of its two forms
      const { description, ...inner } = jsonSchema;
      for (const key of Object.keys(jsonSchema)) delete (jsonSchema as JsonSchema)[key];
      Object.assign(jsonSchema, { ...(description === undefined ? {} : { description }), anyOf: [{ type: "string", pattern: "^\\s*$", description: "blank: the same as leaving it out" }, inner] });
    },
  }) as JsonSchema;
  return io === "input" ? storable(rest) : rest;
}

/** No string the hub takes may hold NUL (lib/platform/safe-text.ts): said of every string, key and free JSON value of a request. */
const NO_NUL = "^[^\\u0000]*$";
const STORABLE_REF = { $ref: "#/components/schemas/StorableJson" };

function storable(schema: JsonSchema): JsonSchema {
  if (Object.keys(schema).length === 0) return STORABLE_REF;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (Array.isArray(v)) out[k] = v.map((x) => (x && typeof x === "object" ? storable(x as JsonSchema) : x));
    else if (v && typeof v === "object" && k !== "const" && k !== "default" && k !== "examples") {
      // a map of named subschemas: each value is a schema; otherwise the value is one schema
      out[k] = k === "properties" || k === "$defs" || k === "patternProperties" ? Object.fromEntries(Object.entries(v).map(([n, s]) => [n, storable(s as JsonSchema)])) : storable(v as JsonSchema);
    } else out[k] = v;
  }
  const types = [out.type].flat();
  if (types.includes("string") && out.format !== "binary") {
    if (typeof out.pattern === "string") out.allOf = [...((out.allOf as JsonSchema[]) ?? []), { pattern: NO_NUL }];
    else out.pattern = NO_NUL;
  }
  if (types.includes("object") && !out.propertyNames) out.propertyNames = { pattern: NO_NUL };
  // an open object's other keys are still read for NUL (lib/api/http.ts): say so of their values too
  if (types.includes("object") && out.additionalProperties === undefined) out.additionalProperties = STORABLE_REF;
  return out;
}

function parameters(where: "path" | "query", s: z.ZodType | undefined): JsonSchema[] {
  if (!s) return [];
  const obj = schemaOf(s);
  const props = (obj.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((obj.required ?? []) as string[]);
  return Object.entries(props).map(([name, schema]) => ({
    name,
    in: where,
    required: where === "path" || required.has(name),
    ...(typeof schema.description === "string" ? { description: schema.description } : {}),
    schema,
  }));
}

function requestBody(spec: RouteSpec): JsonSchema | undefined {
  const body = spec.body;
  if (body === undefined) return undefined;
  if (body === "raw") return { required: true, content: { "application/x-www-form-urlencoded": { schema: { type: "object" } } } };
  if ("multipart" in body) return { required: true, content: { "multipart/form-data": { schema: schemaOf(body.multipart) } } };
  if ("upload" in body) {
    return {
      required: true,
      content: { ...(body.json ? { "application/json": { schema: schemaOf(body.json) } } : {}), "multipart/form-data": { schema: schemaOf(body.upload) } },
    };
  }
  return { required: true, content: { "application/json": { schema: schemaOf(body) } } };
}

/** Who may call: the access level, and the scope an API token must hold (`bearer: ["run"]`). */
function security(spec: RouteSpec): JsonSchema[] {
  // workers and device agents: their own credential, never a user's
  if (spec.access === "worker") return [{ workerBearer: [] }];
  // Prometheus: the metrics token only
  if (spec.access === "metrics") return [{ metricsBearer: [] }];
  // liveness and readiness read no credential at all
  if (spec.identify === false) return [{}];
  const bearer = { bearer: spec.scope ? [spec.scope] : [] };
  // public routes still see who calls (private packages appear to their owner)
  return spec.access === "public" ? [{}, bearer, { session: [] }] : [bearer, { session: [] }];
}

/** The sentence OpenAPI readers see about the token scope. */
function scopeText(spec: RouteSpec): string | null {
  if (spec.access === "worker" || spec.access === "metrics" || spec.identify === false) return null;
  return spec.scope ? `API tokens need the \`${spec.scope}\` scope (a browser session has every scope).` : "Any API token may call it, whatever its scopes.";
}

const errorRef = { $ref: "#/components/responses/Error" };

const BINARY = new Set(["application/gzip", "application/octet-stream", "application/pdf"]);

/** The success answer's content: the declared response schema for JSON, a string (binary for gzip and octet streams) for streams. */
function successContent(spec: RouteSpec): JsonSchema {
  const types = [spec.produces ?? "application/json"].flat();
  return Object.fromEntries(
    types.map((type) => [
      type,
      { schema: type === "application/json" ? (spec.response ? schemaOf(spec.response, "output") : {}) : { type: "string", ...(BINARY.has(type) ? { format: "binary" } : {}) } },
    ]),
  );
}

function responses(spec: RouteSpec): JsonSchema {
  const out: JsonSchema = { [String(spec.status ?? 200)]: { description: spec.summary, content: successContent(spec) } };
  if (spec.access !== "public") out["401"] = errorRef;
  // a token without the route's scope, or a non-admin on an admin route
  if (spec.access === "admin" || spec.scope) out["403"] = errorRef;
  if (spec.params) out["404"] = errorRef;
  if (spec.body !== undefined) out["413"] = errorRef;
  if (spec.params || spec.query || spec.body !== undefined) out["422"] = errorRef;
  for (const status of spec.errors ?? []) out[String(status)] = errorRef;
  // every route: a database that does not answer
  out["503"] = errorRef;
  out.default = errorRef;
  return out;
}

function operationId(method: string, path: string): string {
  const words = path
    .replace(/^\/api\/?/, "")
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
  return [method.toLowerCase(), ...words.map((w) => w[0].toUpperCase() + w.slice(1))].join("");
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description?: string;
}

/** The document for these route modules. A method exported without `route()` is a programming error. */
export function openApiDocument(routes: readonly RouteModule[], info: OpenApiInfo): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const { file, module } of [...routes].sort((a, b) => a.file.localeCompare(b.file))) {
    const path = pathOfRouteFile(file);
    for (const method of HTTP_METHODS) {
      if (!(method in module)) continue;
      const spec = routeSpec(module[method]);
      if (!spec) throw new Error(`${method} ${file} is not made with route(): it has no declaration to publish`);
      const params = [...parameters("path", spec.params), ...parameters("query", spec.query)];
      const body = requestBody(spec);
      const scope = scopeText(spec);
      (paths[path] ??= {})[method.toLowerCase()] = {
        operationId: operationId(method, path),
        summary: spec.summary,
        ...(scope ? { description: scope } : {}),
        tags: [(path.startsWith("/api/") ? path.split("/")[2] : path.split("/")[1]) || "api"],
        "x-levhub-access": spec.access,
        "x-levhub-scope": spec.scope,
        security: security(spec),
        ...(params.length ? { parameters: params } : {}),
        ...(body ? { requestBody: body } : {}),
        responses: responses(spec),
      };
    }
  }
  return {
    openapi: "3.1.0",
    info,
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    servers: [{ url: "/" }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "lev_…",
          description: `an API token (Settings → API tokens; \`lev login\` keeps one). Tokens expire (401 "token expired on …") and carry scopes; each operation names the one it needs (403 otherwise): ${TOKEN_SCOPES.map((s) => `\`${s}\`: ${SCOPE_DESCRIPTIONS[s]}`).join("; ")}.`,
          "x-levhub-scopes": Object.fromEntries(TOKEN_SCOPES.map((s) => [s, SCOPE_DESCRIPTIONS[s]])),
        },
        workerBearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "lwk_…",
          description:
            "a worker credential (Admin → Workers, `npm run admin -- worker-token`); the worker routes take nothing else. Every request also carries its own number in `X-Levhub-Request-Seq`, admitted once per instance (runner/worker/protocol.ts): a repeated one is 409 `replayed`",
        },
        metricsBearer: { type: "http", scheme: "bearer", bearerFormat: "lmt_…", description: "the metrics token (Admin → Workers, `npm run admin -- metrics-token`, or LEVHUB_METRICS_TOKEN); it opens /metrics and nothing else" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "the browser session of a signed-in user (`__Secure-next-auth.session-token` over HTTPS)" },
      },
      schemas: {
        StorableJson: {
          description: "any JSON value the hub can store: no string or key holds the NUL character",
          anyOf: [
            { type: ["null", "boolean", "number"] },
            { type: "string", pattern: NO_NUL },
            { type: "array", items: STORABLE_REF },
            { type: "object", propertyNames: { pattern: NO_NUL }, additionalProperties: STORABLE_REF },
          ],
        },
        Error: {
          type: "object",
          required: ["error"],
          properties: {
            error: {
              type: "object",
              required: ["code", "message"],
              properties: {
                code: { type: "string", enum: ERROR_CODES },
                message: { type: "string" },
                fieldErrors: { type: "object", additionalProperties: { type: "string" }, description: "a message per invalid field (`args.port`)" },
                problems: {
                  type: "array",
                  description: "every problem found at once (an upload's: introspection's, the layout's, pyproject.toml's, the dependencies', the Dockerfile's; a readiness check's components down)",
                  items: {
                    type: "object",
                    required: ["severity", "where", "code", "message"],
                    properties: {
                      severity: { type: "string", enum: ["error", "warning"] },
                      where: { type: "string", description: "the place in the package (`hello.greet`, `Dockerfile`, `pyproject.toml`), or empty" },
                      code: { type: "string", description: "what kind of problem (`unknown-param`, `category`, `dependency`, `dockerfile`, …)" },
                      message: { type: "string" },
                    },
                  },
                },
              },
            },
          },
        },
      },
      responses: {
        Error: { description: "the one error shape of every route", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
      },
    },
  };
}
