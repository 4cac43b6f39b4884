/**
 * The OpenAPI document: the registry holds every route file on disk, every exported method is in
 * the document with its declaration, and the document is valid OpenAPI 3.1.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { compileErrors, validate } from "@readme/openapi-parser";
import { routeMethods } from "../../../e2e/support/app-surface.ts";
import { HTTP_METHODS, openApiDocument, pathOfRouteFile } from "../../../lib/api/openapi.ts";
import { routeSpec } from "../../../lib/api/route.ts";
import { API_ROUTE_FILES, loadApiRoutes } from "./registry.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
type Doc = {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { name: string; in: string; required: boolean }[];
        security: Record<string, string[]>[];
        responses: Record<string, unknown>;
        summary: string;
        description?: string;
        "x-levhub-access": string;
        "x-levhub-scope": string | null;
        requestBody?: { content: Record<string, unknown> };
      }
    >
  >;
  components: unknown;
};
// next-auth's module needs Next's bundler to load (as in lib/api/route.int.test.ts)
const NEXT_AUTH = (file: string) => file.includes("[...nextauth]");
const routes = () => loadApiRoutes(NEXT_AUTH);
const doc = async () => openApiDocument(await routes(), { title: "t", version: "1" }) as unknown as Doc;

test("the registry holds exactly the route files on disk, each module with the methods on disk", async () => {
  const onDisk = routeMethods(ROOT);
  const files = [...new Set(onDisk.map((k) => k.split(" ")[1]))].sort();
  const registered = new Set(Object.keys(API_ROUTE_FILES));
  assert.deepEqual(
    [...files.filter((f) => !registered.has(f)).map((f) => `${f}: add it to app/api/openapi.json/registry.ts`), ...[...registered].filter((f) => !files.includes(f)).map((f) => `${f}: in the registry, not on disk`)],
    [],
  );
  const loaded = (await routes()).flatMap(({ file, module }) => HTTP_METHODS.filter((m) => m in module).map((m) => `${m} ${file}`));
  assert.deepEqual(loaded.sort(), onDisk.filter((k) => !NEXT_AUTH(k)));
});

test("every method is in the document with its declared access, summary and parameters", async () => {
  const d = await doc();
  for (const { file, module } of await routes()) {
    for (const method of HTTP_METHODS.filter((m) => m in module)) {
      const op = d.paths[pathOfRouteFile(file)]?.[method.toLowerCase()];
      const spec = routeSpec(module[method])!;
      assert.ok(op, `${method} ${file} is documented`);
      assert.equal(op.summary, spec.summary);
      assert.equal(op["x-levhub-access"], spec.access);
      // the token scope it needs: in the security requirement, as an extension, and in words
      assert.equal(op["x-levhub-scope"], spec.scope);
      // workers, the metrics scraper and health checks take no user token at all
      if (spec.access !== "worker" && spec.access !== "metrics" && spec.identify !== false) {
        assert.deepEqual(op.security?.find((r) => "bearer" in r)?.bearer, spec.scope ? [spec.scope] : [], `${method} ${file}: bearer scopes`);
        assert.match(op.description ?? "", spec.scope ? new RegExp(`\`${spec.scope}\` scope`) : /whatever its scopes/);
      }
      if (spec.scope) assert.ok(op.responses["403"], `${method} ${file}: 403 for a token without the scope`);
      if (spec.access !== "public") assert.ok(op.responses["401"], `${method} ${file}: 401`);
    }
  }
  const run = d.paths["/api/runs/{id}"].get;
  assert.deepEqual(run.parameters?.map((p) => [p.name, p.in, p.required]), [["id", "path", true]]);
  const compare = d.paths["/api/runs/compare"].get;
  assert.deepEqual(compare.parameters?.map((p) => [p.name, p.in, p.required]), [
    ["a", "query", false],
    ["b", "query", true],
    ["previous", "query", false],
    ["ignore", "query", false],
  ]);
  assert.deepEqual(compare.security, [{ bearer: ["read"] }, { session: [] }]);
  assert.deepEqual(d.paths["/api/runs"].post.security, [{ bearer: ["run"] }, { session: [] }]);
  assert.deepEqual(d.paths["/api/me"].get.security, [{ bearer: [] }, { session: [] }]);
  const scheme = (d.components as { securitySchemes: { bearer: { description: string; "x-levhub-scopes": Record<string, string> } } }).securitySchemes.bearer;
  assert.deepEqual(Object.keys(scheme["x-levhub-scopes"]), ["read", "run", "publish", "admin"]);
  assert.match(scheme.description, /expire/);
  assert.ok(d.paths["/api/packages"].post.requestBody?.content["multipart/form-data"]);
  assert.ok(d.paths["/api/runs"].post.requestBody?.content["application/json"]);
});

test("a multipart field whose blank value counts as absent says so, described or not; an upload's form takes no other field", async () => {
  const d = await doc();
  type Form = { properties: Record<string, { anyOf?: { pattern?: string }[]; description?: string }>; additionalProperties?: unknown };
  const form = (path: string) => (d.paths[path].post.requestBody?.content["multipart/form-data"] as { schema: Form }).schema;
  const files = form("/api/files");
  assert.equal(files.properties.project.anyOf?.[0].pattern, "^\\s*$", "a blank project: the personal one");
  assert.match(files.properties.project.description ?? "", /personal project/);
  assert.equal(files.additionalProperties, false);
  assert.equal(form("/api/packages").additionalProperties, false);
  const runs = form("/api/runs");
  for (const field of ["args", "project", "device"]) assert.equal(runs.properties[field].anyOf?.[0].pattern, "^\\s*$", field);
});

test("the document is valid OpenAPI 3.1", async () => {
  const result = await validate(structuredClone(await doc()) as never);
  assert.ok(result.valid, result.valid ? "" : compileErrors(result));
});

test("paths come from the file layout; anything else is refused", () => {
  assert.equal(pathOfRouteFile("app/api/me/route.ts"), "/api/me");
  assert.equal(pathOfRouteFile("app/api/packages/[ns]/[name]/versions/[version]/archive/route.ts"), "/api/packages/{ns}/{name}/versions/{version}/archive");
  assert.equal(pathOfRouteFile("app/api/auth/[...nextauth]/route.ts"), "/api/auth/{nextauth}");
  assert.throws(() => pathOfRouteFile("app/runs/page.tsx"));
  assert.throws(() => openApiDocument([{ file: "app/api/x/route.ts", module: { GET: () => new Response() } }], { title: "t", version: "1" }), /not made with route\(\)/);
});
