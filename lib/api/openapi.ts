/**
 * The OpenAPI 3.1 document of the HTTP API, generated from the route declarations themselves
 * (`routeSpec(handler)`: access, summary, params/query/body zod schemas, success status and
 * type) and the file layout (`app/api/runs/[id]/route.ts` is `/api/runs/{id}`). Nothing is
 * written twice, so the document cannot drift from what the wrapper enforces.
 */
import { z } from "zod";
import type { Access } from "../access/access.ts";
import { ERROR_CODES } from "../errors.ts";
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

function schemaOf(s: z.ZodType): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(s, { io: "input", unrepresentable: "any" }) as JsonSchema;
  return rest;
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
  return { required: true, content: { "application/json": { schema: schemaOf(body) } } };
}

const SECURITY: Record<Access, JsonSchema[]> = {
  // public routes still see who calls (private packages appear to their owner)
  public: [{}, { bearer: [] }, { session: [] }],
  user: [{ bearer: [] }, { session: [] }],
  admin: [{ bearer: [] }, { session: [] }],
  // workers and device agents: their own credential, never a user's
  worker: [{ workerBearer: [] }],
  // Prometheus: the metrics token only
  metrics: [{ metricsBearer: [] }],
};

const errorRef = { $ref: "#/components/responses/Error" };

function responses(spec: RouteSpec): JsonSchema {
  const type = spec.produces ?? "application/json";
  const ok: JsonSchema = { description: spec.summary, content: { [type]: { schema: type === "application/json" ? {} : { type: "string", ...(type === "application/gzip" ? { format: "binary" } : {}) } } } };
  const out: JsonSchema = { [String(spec.status ?? 200)]: ok };
  if (spec.access !== "public") out["401"] = errorRef;
  if (spec.access === "admin") out["403"] = errorRef;
  if (spec.params) out["404"] = errorRef;
  if (spec.body !== undefined) out["413"] = errorRef;
  if (spec.params || spec.query || spec.body !== undefined) out["422"] = errorRef;
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
      (paths[path] ??= {})[method.toLowerCase()] = {
        operationId: operationId(method, path),
        summary: spec.summary,
        tags: [(path.startsWith("/api/") ? path.split("/")[2] : path.split("/")[1]) || "api"],
        "x-levhub-access": spec.access,
        security: spec.identify === false ? [{}] : SECURITY[spec.access],
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
        bearer: { type: "http", scheme: "bearer", bearerFormat: "lev_…", description: "an API token (Settings → API tokens); `lev login` keeps one" },
        workerBearer: { type: "http", scheme: "bearer", bearerFormat: "lwk_…", description: "a worker credential (Admin → Workers, `npm run admin -- worker-token`); the worker routes take nothing else" },
        metricsBearer: { type: "http", scheme: "bearer", bearerFormat: "lmt_…", description: "the metrics token (Admin → Workers, `npm run admin -- metrics-token`, or LEVHUB_METRICS_TOKEN); it opens /metrics and nothing else" },
        session: { type: "apiKey", in: "cookie", name: "next-auth.session-token", description: "the browser session of a signed-in user (`__Secure-next-auth.session-token` over HTTPS)" },
      },
      schemas: {
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
                details: { type: "array", items: { type: "string" }, description: "every problem found at once (an upload's introspection problems)" },
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
