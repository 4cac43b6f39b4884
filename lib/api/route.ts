import "server-only";
import type { z } from "zod";
import { accessRefusal, type Access, type WorkerCaller } from "../access/access.ts";
import { scopeRefusal } from "../access/scopes.ts";
import { viewerFromRequest } from "../auth/api-auth.ts";
import { workerFromRequest } from "../queue/credentials.ts";
import { timedRoute } from "../metrics/http.ts";
import { metricsTokenFromRequest } from "../metrics/token.ts";
import { unavailableIfDown } from "../queue/db-down.ts";
import { errorResponse, forbidden, unauthorized, validation, zodFieldErrors } from "../errors.ts";
import { parseWith, searchParamsObject } from "./http.ts";
import type { TokenScope, Viewer } from "../types.ts";
import { cappedChunks, DEFAULT_MAX_BODY_BYTES, readCappedBody, tooLarge } from "./body.ts";
import { boundaryOf, MULTIPART_LIMITS, parseMultipart, removeStaged, stagedPaths } from "./multipart.ts";
import { ownDirectory } from "./staging.ts";
import { uploadStagingDir } from "../platform/config.ts";

/** A cap in bytes, or a function when an admin setting decides it. */
export type ByteCap = number | (() => Promise<number>);

/**
 * A body whose files may be large (files given to runs): multipart form data read as it streams
 * (lib/api/multipart.ts), each file part staged on disk while counted and hashed — a `StagedFile`,
 * which `z.file()` accepts — and the other fields in memory; the staged files are removed once the
 * handler is done (it moves away what it keeps). With `json`, a JSON body is taken too (capped by
 * the route's `maxBodyBytes`).
 */
export interface UploadBodySpec {
  upload: z.ZodType;
  json?: z.ZodType;
  /** the whole multipart body */
  maxBytes: ByteCap;
  /** the non-file fields together (held in memory); default MULTIPART_LIMITS.fieldBytes */
  maxFieldBytes?: ByteCap;
}

/**
 * What a request body is: JSON checked by a zod schema; multipart form data, parsed only from the
 * capped bytes, whose fields (a repeated field as an array, files as `File`s: `z.file()`) are
 * checked by a zod schema; a streamed upload (`UploadBodySpec`); or the capped bytes as they came
 * (for a handler that parses them itself).
 */
export type BodySpec = z.ZodType | { multipart: z.ZodType } | UploadBodySpec | "raw";

/**
 * A worker request admitted before its body is read: the cap on its body (sized to what it names:
 * a run's document, an events batch), and what to give back once it has been served (a place among
 * its credential's requests in flight). Whatever else it carries reaches the handler as `admitted`.
 */
export interface WorkerAdmission {
  maxBodyBytes?: number;
  release?: () => void;
}

/**
 * The pre-body check of a worker route (lib/worker/admission.ts): run after the credential and
 * the params, before a byte of the body is read. It checks what the request names (its instance,
 * the run in its path) and refuses (404, 410, 409, 429) before anything is buffered.
 */
export type WorkerAdmit = (input: { worker: WorkerCaller; params: Readonly<Record<string, string>>; req: Request }) => Promise<WorkerAdmission>;

/**
 * Who may call a route method, and with which API token scope (lib/access/scopes.ts): a caller with
 * a token must hold `scope` (403 naming it otherwise); a browser session holds every scope. `null`:
 * any caller the access level admits (the caller's own account, next-auth, the OpenAPI document).
 * Worker routes take worker credentials only, so no user scope applies, and admit each request
 * before reading its body (`admit`); admin routes need `admin`.
 */
export type RouteAccess =
  | { access: "worker"; scope: null; admit: WorkerAdmit }
  | { access: "metrics"; scope: null }
  | { access: "admin"; scope: "admin" }
  | { access: Exclude<Access, "worker" | "metrics" | "admin">; scope: Exclude<TokenScope, "admin"> | null };

/**
 * The declaration of one route method. It is attached to the exported handler (`GET.spec`), so
 * the authorization matrix and an OpenAPI 3.1 generator read the same object the wrapper enforces:
 * the path comes from the file, `params`/`query`/`body` are zod schemas (`z.toJSONSchema`),
 * `status` and `summary` describe the success response.
 */
export type RouteSpec = RouteAccess & RouteSpecFields;

interface RouteSpecFields {
  /**
   * false: the route never looks at who calls (no session or token is read, so a database that is
   * down cannot fail it): liveness and readiness. Only meaningful on public routes.
   */
  identify?: false;
  /** one line saying what the method does */
  summary: string;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: BodySpec;
  /**
   * the cap on the request body (DEFAULT_MAX_BODY_BYTES unless declared); a function when an
   * admin setting decides it (run arguments)
   */
  maxBodyBytes?: number | (() => Promise<number>);
  /** the status of a success answered with data (default 200) */
  status?: number;
  /**
   * what a success answered with data is: the OpenAPI document publishes it, and with
   * LEVHUB_CHECK_RESPONSES=1 (the integration tests) every answer is checked against it
   */
  response?: z.ZodType;
  /** statuses beyond those the declaration implies (409 conflict, 429 a limit): the document lists them */
  errors?: readonly number[];
  /** the success answer is a stream, not JSON (several: the query picks one) */
  produces?: Produces | readonly Produces[];
}

type Produces = "application/json" | "text/event-stream" | "application/gzip" | "application/octet-stream" | "application/x-ndjson" | "text/csv" | "text/plain" | "application/pdf" | "text/markdown" | "text/html";

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOf<B> = B extends z.ZodType
  ? z.output<B>
  : B extends { multipart: infer M }
    ? M extends z.ZodType
      ? z.output<M>
      : never
    : B extends { upload: infer U; json?: infer J }
      ? (U extends z.ZodType ? z.output<U> : never) | (J extends z.ZodType ? z.output<J> : never)
      : B extends "raw"
        ? Buffer
        : undefined;
type ViewerAt<A extends Access> = A extends "public" ? Viewer | null : A extends "worker" | "metrics" ? null : Viewer;
type WorkerAt<A extends Access> = A extends "worker" ? WorkerCaller : null;
type AdmittedOf<S> = S extends { admit: (...args: never[]) => Promise<infer A> } ? A : undefined;

export interface RouteInput<S extends RouteSpec> {
  /** the caller: null only on public routes */
  viewer: ViewerAt<S["access"]>;
  /** the worker credential: set only on `worker` routes */
  worker: WorkerAt<S["access"]>;
  params: Parsed<S["params"]>;
  query: Parsed<S["query"]>;
  body: BodyOf<S["body"]>;
  /** what a worker route's `admit` returned */
  admitted: AdmittedOf<S>;
  req: Request;
}

/** What Next.js passes a route handler: the dynamic segments of its path. */
export interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>;
}

export type RouteHandler<S extends RouteSpec = RouteSpec> = ((req: Request, ctx: RouteContext) => Promise<Response>) & { readonly spec: S };

const UNAUTHORIZED: Record<Access, string> = {
  public: "",
  user: "sign in, or send 'Authorization: Bearer <token>' (create one in Settings)",
  admin: "sign in, or send 'Authorization: Bearer <token>' (create one in Settings)",
  worker: "send 'Authorization: Bearer lwk_…' with a worker credential (Admin → Workers)",
  metrics: "send 'Authorization: Bearer <metrics token>' (Admin → Workers, or LEVHUB_METRICS_TOKEN)",
};

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\s*(;|$)/i;
const MULTIPART_TYPE = /^multipart\/form-data\s*;/i;

const capOf = async (cap: ByteCap | undefined, fallback: number): Promise<number> => (typeof cap === "function" ? cap() : (cap ?? fallback));

/** A streamed multipart body: its fields checked by `spec.upload`; `staged` gets every file staged, for the caller to remove. */
async function readUpload(req: Request, spec: UploadBodySpec, type: string, staged: string[]): Promise<unknown> {
  const boundary = boundaryOf(type);
  const max = await capOf(spec.maxBytes, DEFAULT_MAX_BODY_BYTES);
  const fieldBytes = await capOf(spec.maxFieldBytes, MULTIPART_LIMITS.fieldBytes);
  const dir = await ownDirectory(uploadStagingDir());
  const parsed = await parseMultipart(cappedChunks(req, max), boundary, dir, { ...MULTIPART_LIMITS, fieldBytes });
  staged.push(...stagedPaths(parsed));
  const fields: Record<string, unknown> = {};
  for (const [key, value] of [...parsed.fields, ...parsed.files]) {
    const had = fields[key];
    fields[key] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
  }
  return parseWith(spec.upload, fields);
}

async function readBody(req: Request, spec: RouteSpec, staged: string[], admittedMax: number | undefined): Promise<unknown> {
  const max = admittedMax ?? (await capOf(spec.maxBodyBytes, DEFAULT_MAX_BODY_BYTES));
  if (spec.body === undefined) {
    // nothing is read, so nothing is buffered; a declared oversize body is still refused
    const declared = Number(req.headers.get("content-length") ?? 0);
    if (declared > max) throw tooLarge(max);
    return undefined;
  }
  const type = req.headers.get("content-type") ?? "";
  if (spec.body === "raw") return readCappedBody(req, max);
  if ("upload" in spec.body) {
    if (MULTIPART_TYPE.test(type)) return readUpload(req, spec.body, type, staged);
    if (!spec.body.json) throw validation("send multipart/form-data");
    if (!JSON_TYPE.test(type)) throw validation("send the body as JSON (Content-Type: application/json) or as multipart/form-data");
    return parseJson(await readCappedBody(req, max), spec.body.json);
  }
  if ("multipart" in spec.body) {
    if (!MULTIPART_TYPE.test(type)) throw validation("send multipart/form-data");
    const bytes = await readCappedBody(req, max);
    let form: FormData;
    try {
      form = await new Request("http://levhub.invalid/", { method: "POST", headers: { "content-type": type }, body: new Uint8Array(bytes) }).formData();
    } catch {
      throw validation("the multipart body could not be parsed");
    }
    return parseWith(spec.body.multipart, formFields(form));
  }
  if (!JSON_TYPE.test(type)) throw validation("send the body as JSON (Content-Type: application/json)");
  return parseJson(await readCappedBody(req, max), spec.body);
}

function parseJson(bytes: Buffer, schema: z.ZodType): unknown {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw validation("the request body must be JSON");
  }
  return parseWith(schema, value);
}

/** Form fields by name: one value as it is, a repeated field as an array. */
function formFields(form: FormData): Record<string, FormDataEntryValue | FormDataEntryValue[]> {
  const out: Record<string, FormDataEntryValue | FormDataEntryValue[]> = {};
  for (const key of new Set(form.keys())) {
    const all = form.getAll(key);
    out[key] = all.length === 1 ? all[0] : all;
  }
  return out;
}

/**
 * A refused request whose body may still hold much that was not read: chunked, or declared longer
 * than the default cap. Its answer says `Connection: close`, so the server reads no more of it
 * (Node would otherwise read it to its end to reuse the connection). A short body is left to be
 * drained: closing with unread bytes resets the connection, and a client still sending may then
 * lose the answer.
 */
function unreadMuch(req: Request): boolean {
  const declared = req.headers.get("content-length");
  if (declared === null) return req.headers.has("transfer-encoding");
  return !/^\d+$/.test(declared.trim()) || Number(declared) > DEFAULT_MAX_BODY_BYTES;
}

/**
 * The one wrapper for `app/api/**` route handlers: resolves the caller (bearer token or session),
 * refuses by access level and token scope before reading anything (401 anonymous, 403 a token
 * without the route's scope, 403 non-admin on admin routes), parses params and query, admits a
 * worker request (`admit`: before its body), parses the body (422 with fieldErrors; 413 past the
 * body cap), and maps every error to the one JSON error shape. A handler returns a Response, or
 * data sent as JSON with `spec.status`. Ownership stays in lib: someone else's run is `not_found`
 * there. A request refused before its body was read whole, with much of it maybe unread, is
 * answered `Connection: close`.
 */
export function route<const S extends RouteSpec>(spec: S, handler: (input: RouteInput<S>) => Promise<Response | object>): RouteHandler<S> {
  const fn = async (req: Request, ctx: RouteContext): Promise<Response> => {
    // files a streamed upload staged: removed however the request ends (the handler moved away what it kept)
    const staged: string[] = [];
    let bodyRead = false;
    let admission: WorkerAdmission | undefined;
    try {
      // worker routes know only worker credentials: a user's session or token is no way in
      const worker = spec.access === "worker" ? await workerFromRequest(req) : null;
      const scraper = spec.access === "metrics" && (await metricsTokenFromRequest(req));
      const viewer = spec.access === "worker" || spec.access === "metrics" || spec.identify === false ? null : await viewerFromRequest(req);
      const refusal = accessRefusal(spec.access, viewer, worker, scraper);
      if (refusal === "unauthorized") throw unauthorized(UNAUTHORIZED[spec.access]);
      // the token's scope before the role: an admin's token without `admin` acts as a plain user
      const missingScope = scopeRefusal(spec.scope, viewer);
      if (missingScope) throw forbidden(missingScope);
      if (refusal === "forbidden") throw forbidden("only an admin may do this");
      const params = spec.params ? parseWith(spec.params, (await ctx.params) ?? {}) : undefined;
      const query = spec.query ? parseWith(spec.query, searchParamsObject(req)) : undefined;
      if (spec.access === "worker") admission = await spec.admit({ worker: worker!, params: (params ?? {}) as Record<string, string>, req });
      const body = await readBody(req, spec, staged, admission?.maxBodyBytes);
      bodyRead = true;
      const out = await handler({ viewer, worker, params, query, body, admitted: admission, req } as RouteInput<S>);
      if (out instanceof Response) return out;
      if (CHECK_RESPONSES && spec.response) checkResponse(spec, out);
      return Response.json(out, { status: spec.status ?? 200 });
    } catch (err) {
      // the database may fail anywhere (the caller's token, a setting): every route answers 503 then
      const res = errorResponse(unavailableIfDown(err, "the request could not be served"));
      if (!bodyRead && unreadMuch(req)) res.headers.set("connection", "close");
      return res;
    } finally {
      admission?.release?.();
      if (staged.length) await removeStaged(staged);
    }
  };
  // HTTP latency by route pattern (lib/metrics/http.ts)
  const timed = timedRoute(fn);
  Object.defineProperty(timed, "spec", { value: Object.freeze({ ...spec }), enumerable: false });
  return timed as RouteHandler<S>;
}

/** Tests set it: every answer with data is checked against the declared response schema. */
const CHECK_RESPONSES = process.env.LEVHUB_CHECK_RESPONSES === "1";

/** The data a handler answered, as JSON would carry it, against `spec.response`: a mismatch is a bug (500, logged). */
function checkResponse(spec: RouteSpec, out: object): void {
  const r = spec.response!.safeParse(JSON.parse(JSON.stringify(out)));
  if (!r.success) throw new Error(`the answer of '${spec.summary}' does not match its declared response schema: ${JSON.stringify(zodFieldErrors(r.error))}`);
}

/** The declaration of an exported route method, or undefined when it was not made with `route`. */
export function routeSpec(handler: unknown): RouteSpec | undefined {
  if (typeof handler !== "function") return undefined;
  const spec = (handler as Partial<RouteHandler>).spec;
  return spec && typeof spec === "object" ? spec : undefined;
}
