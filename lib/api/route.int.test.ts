/**
 * The route wrapper against the real database (callers identified by real API tokens): access is
 * refused before a byte of the body is read, inputs are parsed by the declared schemas, bodies
 * stop at their cap, and every error leaves in the one JSON shape.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { z } from "zod";
import { startTestHub, type TestHub } from "../testing/hub.ts";
import type { RouteHandler } from "./route.ts";

let hub: TestHub;
let userToken: string;
let adminToken: string;
let adminRoute: RouteHandler;
let userRoute: RouteHandler;
let failing: RouteHandler;
let upload: RouteHandler;
let runRoute: RouteHandler;
let readOnlyToken: string;
let adminWithoutAdminScope: string;
let expiredToken: string;

before(async () => {
  hub = await startTestHub();
  const { signUp } = await import("../accounts/users.ts");
  const { db } = await import("../platform/db.ts");
  const { createToken } = await import("../accounts/tokens.ts");
  const { notFound } = await import("../errors.ts");
  const { route } = await import("./route.ts");
  const user = await signUp({ email: "user@example.test", username: "user_1", password: "a long enough password" });
  const admin = await signUp({ email: "admin@example.test", username: "admin_1", password: "a long enough password" });
  await db().user.update({ where: { id: user.id }, data: { role: "user" } });
  await db().user.update({ where: { id: admin.id }, data: { role: "admin" } });
  const { getUser } = await import("../accounts/users.ts");
  const adminViewer = (await getUser(admin.id))!;
  userToken = (await createToken(user, { name: "t" })).token;
  adminToken = (await createToken(adminViewer, { name: "t", scopes: ["read", "run", "publish", "admin"] })).token;
  adminWithoutAdminScope = (await createToken(adminViewer, { name: "no admin" })).token;
  readOnlyToken = (await createToken(user, { name: "read only", scopes: ["read"] })).token;
  expiredToken = (await createToken(user, { name: "old", days: 1 }, new Date(Date.UTC(2020, 0, 1, 12, 0)))).token;
  adminRoute = route(
    { access: "admin", scope: "admin", summary: "test", params: z.object({ id: z.string().regex(/^\d+$/) }), body: z.object({ n: z.number().int() }), maxBodyBytes: 1024, status: 201 },
    async ({ viewer, params, body }) => ({ by: viewer.username, id: params.id, n: body.n }),
  );
  userRoute = route({ access: "user", scope: "read", summary: "test", query: z.object({ page: z.coerce.number().int().min(1) }) }, async ({ viewer, query }) => ({ by: viewer.username, page: query.page }));
  upload = route(
    { access: "user", scope: "publish", summary: "test", body: { multipart: z.object({ file: z.file(), tags: z.array(z.string()).optional() }) }, maxBodyBytes: 4096 },
    async ({ body }) => ({ name: body.file.name, size: body.file.size, tags: body.tags ?? [] }),
  );
  runRoute = route({ access: "user", scope: "run", summary: "test" }, async ({ viewer }) => ({ by: viewer.username, role: viewer.role }));
  failing = route({ access: "user", scope: null, summary: "test" }, async ({ req }) => {
    if (new URL(req.url).searchParams.has("missing")) throw notFound("run");
    throw new Error("database password is hunter2");
  });
});

after(async () => {
  await hub?.close();
});

/** A POST with a streamed body of `chunks` × 1 KiB and no Content-Length; counts the chunks the server pulled. */
function streamed(url: string, headers: Record<string, string>, chunks: number) {
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(c) {
      if (pulled >= chunks) return c.close();
      pulled++;
      c.enqueue(new TextEncoder().encode(pulled === 1 ? '{"n": 1, "pad": "' : "x".repeat(1024)));
    },
  });
  const req = new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body, duplex: "half" } as RequestInit);
  return { req, pulled: () => pulled };
}

const ctx = (params: Record<string, string>) => ({ params: Promise.resolve(params) });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

test("a non-admin on an admin route gets 403 before the body is read; a bad token 401", async () => {
  const { req, pulled } = streamed("http://hub.test/x/1", bearer(userToken), 10_000);
  const res = await adminRoute(req, ctx({ id: "1" }));
  assert.equal(res.status, 403);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, "forbidden");
  // the stream's start-up read-ahead at most; the wrapper itself read nothing
  assert.ok(pulled() <= 1, `pulled ${pulled()} chunks`);
  const bad = await adminRoute(streamed("http://hub.test/x/1", bearer("lev_not_a_token"), 10).req, ctx({ id: "1" }));
  assert.equal(bad.status, 401);
});

test("a token without the route's scope gets 403 naming the scope; an expired one 401 with its date; an admin's token without `admin` acts as a user", async () => {
  const get = (route: RouteHandler, token: string) => route(new Request("http://hub.test/r?page=1", { headers: bearer(token) }), ctx({}));
  const refused = await get(runRoute, readOnlyToken);
  assert.equal(refused.status, 403);
  const { error } = (await refused.json()) as { error: { code: string; message: string } };
  assert.equal(error.code, "forbidden");
  assert.match(error.message, /lacks the 'run' scope \(it has: read\)/);
  assert.equal((await get(userRoute, readOnlyToken)).status, 200);
  assert.deepEqual(await (await get(runRoute, userToken)).json(), { by: "user_1", role: "user" });

  const expired = await get(userRoute, expiredToken);
  assert.equal(expired.status, 401);
  assert.match(((await expired.json()) as { error: { message: string } }).error.message, /expired on 2020-01-02 12:00 UTC/);

  assert.deepEqual(await (await get(runRoute, adminWithoutAdminScope)).json(), { by: "admin_1", role: "user" });
  assert.deepEqual(await (await get(runRoute, adminToken)).json(), { by: "admin_1", role: "admin" });
  const admin = await adminRoute(
    new Request("http://hub.test/x/1", { method: "POST", headers: { ...bearer(adminWithoutAdminScope), "content-type": "application/json" }, body: '{"n": 1}' }),
    ctx({ id: "1" }),
  );
  assert.equal(admin.status, 403);
  assert.match(((await admin.json()) as { error: { message: string } }).error.message, /lacks the 'admin' scope/);
});

test("params, query and body are parsed by the declared schemas: 422 with fieldErrors", async () => {
  const post = (id: string, body: string, type = "application/json") =>
    adminRoute(new Request(`http://hub.test/x/${id}`, { method: "POST", headers: { ...bearer(adminToken), "content-type": type }, body }), ctx({ id }));
  const ok = await post("7", '{"n": 3}');
  assert.equal(ok.status, 201);
  assert.deepEqual(await ok.json(), { by: "admin_1", id: "7", n: 3 });
  const badParam = await post("abc", '{"n": 3}');
  assert.equal(badParam.status, 422);
  assert.ok(((await badParam.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors.id);
  const badBody = await post("7", '{"n": "three"}');
  assert.equal(badBody.status, 422);
  assert.ok(((await badBody.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors.n);
  assert.equal((await post("7", "{not json")).status, 422);
  assert.equal((await post("7", '{"n": 3}', "text/plain")).status, 422, "a JSON body must say it is JSON");
  const badQuery = await userRoute(new Request("http://hub.test/y?page=0", { headers: bearer(userToken) }), ctx({}));
  assert.equal(badQuery.status, 422);
  const goodQuery = await userRoute(new Request("http://hub.test/y?page=2", { headers: bearer(userToken) }), ctx({}));
  assert.deepEqual(await goodQuery.json(), { by: "user_1", page: 2 });
});

test("a body past the declared cap gets 413 without being read to its end", async () => {
  const { req, pulled } = streamed("http://hub.test/x/1", bearer(adminToken), 10_000);
  const res = await adminRoute(req, ctx({ id: "1" }));
  assert.equal(res.status, 413);
  assert.equal(((await res.json()) as { error: { code: string } }).error.code, "too_large");
  assert.ok(pulled() < 10, `pulled ${pulled()} of 10000 chunks for a 1 KiB cap`);
  const declared = await adminRoute(
    new Request("http://hub.test/x/1", { method: "POST", headers: { ...bearer(adminToken), "content-type": "application/json", "content-length": "5000" }, body: "{}" }),
    ctx({ id: "1" }),
  );
  assert.equal(declared.status, 413);
});

test("multipart fields are parsed from the capped bytes by the declared schema", async () => {
  const post = (form: FormData) => upload(new Request("http://hub.test/u", { method: "POST", headers: bearer(userToken), body: form }), ctx({}));
  const ok = new FormData();
  ok.append("file", new File(["abc"], "a.zip"));
  ok.append("tags", "x");
  ok.append("tags", "y");
  assert.deepEqual(await (await post(ok)).json(), { name: "a.zip", size: 3, tags: ["x", "y"] });
  const noFile = new FormData();
  noFile.append("file", "not a file");
  const res = await post(noFile);
  assert.equal(res.status, 422);
  assert.ok(((await res.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors.file);
  const big = new FormData();
  big.append("file", new File([new Uint8Array(8192)], "big.zip"));
  assert.equal((await post(big)).status, 413);
  const notMultipart = await upload(new Request("http://hub.test/u", { method: "POST", headers: { ...bearer(userToken), "content-type": "application/json" }, body: "{}" }), ctx({}));
  assert.equal(notMultipart.status, 422);
});

test("errors leave in the one JSON shape; unknown errors hide their message", async () => {
  const missing = await failing(new Request("http://hub.test/z?missing", { headers: bearer(userToken) }), ctx({}));
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: { code: "not_found", message: "run not found" } });
  const boom = await failing(new Request("http://hub.test/z", { headers: bearer(userToken) }), ctx({}));
  assert.equal(boom.status, 500);
  const text = await boom.text();
  assert.doesNotMatch(text, /hunter2/);
  assert.equal((JSON.parse(text) as { error: { code: string } }).error.code, "internal");
});

test("every app/api route method declares on its handler the access and token scope the matrix expects, and inputs with a JSON Schema", async () => {
  const { routeSpec } = await import("./route.ts");
  const { ACCESS_LEVELS } = await import("../access/access.ts");
  const { routeMethods } = await import("../../e2e/support/app-surface.ts");
  const { ROUTES } = await import("../../e2e/support/authz-matrix.ts");
  const path = await import("node:path");
  const root = path.resolve(import.meta.dirname, "../..");
  for (const key of routeMethods(root)) {
    const [method, file] = key.split(" ");
    if (file.includes("[...nextauth]")) continue; // next-auth's module needs Next's bundler to load
    const mod = (await import(path.join(root, file))) as Record<string, unknown>;
    const spec = routeSpec(mod[method]);
    assert.ok(spec, `${key} is made with route()`);
    assert.ok(ACCESS_LEVELS.includes(spec.access), `${key}: access ${spec.access}`);
    assert.equal(spec.access, ROUTES[key]?.access, `${key}: declared ${spec.access}, the matrix says ${ROUTES[key]?.access}`);
    assert.equal(spec.scope, ROUTES[key]?.scope, `${key}: declares scope ${spec.scope}, the matrix says ${ROUTES[key]?.scope}`);
    // the declarations are what a later OpenAPI 3.1 document is generated from: each schema has a JSON Schema
    const bodies = spec.body === "raw" || spec.body === undefined ? [] : "multipart" in spec.body ? [spec.body.multipart] : "upload" in spec.body ? [spec.body.upload, spec.body.json] : [spec.body];
    for (const schema of [spec.params, spec.query, ...bodies]) if (schema) assert.doesNotThrow(() => z.toJSONSchema(schema, { io: "input" }), `${key}: a schema without a JSON Schema`);
  }
});

test("text the hub cannot store is a 422 naming the field wherever it comes: query, params, JSON body (keys too), multipart", async () => {
  const field = async (res: Response) => {
    assert.equal(res.status, 422);
    return Object.keys(((await res.json()) as { error: { fieldErrors: Record<string, string> } }).error.fieldErrors);
  };
  assert.deepEqual(await field(await userRoute(new Request("http://hub.test/y?page=1%00", { headers: bearer(userToken) }), ctx({}))), ["page"]);
  const post = (id: string, body: string) =>
    adminRoute(new Request(`http://hub.test/x/${id}`, { method: "POST", headers: { ...bearer(adminToken), "content-type": "application/json" }, body }), ctx({ id }));
  assert.deepEqual(await field(await post("1\u0000", '{"n": 1}')), ["id"]);
  assert.deepEqual(await field(await post("1", '{"n": 1, "x": "\\ud800"}')), ["x"]);
  assert.deepEqual(await field(await post("1", '{"n": 1, "a\\u0000": 2}')), ["a\ufffd"]);
  const form = new FormData();
  form.append("file", new File(["abc"], "a.zip"));
  form.append("tags", "ok\u0000");
  assert.deepEqual(await field(await upload(new Request("http://hub.test/u", { method: "POST", headers: bearer(userToken), body: form }), ctx({}))), ["tags"]);
});

test("an Authorization header that is not a good bearer token is 401, never the session's: empty, malformed, unknown", async () => {
  for (const header of ["", "Bearer", "Basic dXNlcjpwYXNz", "Bearer lev_unknown"]) {
    const res = await runRoute(new Request("http://hub.test/r", { headers: { authorization: header } }), ctx({}));
    assert.equal(res.status, 401, JSON.stringify(header));
  }
});
