import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { apiRouteTable, matchApiRoute, methodRefusal, type ApiRoute } from "./route-table.ts";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const table = apiRouteTable(ROOT);

test("the table holds the route files with the methods they export", () => {
  const runs = table.find((r) => r.segments.join("/") === "api/runs");
  assert.deepEqual(runs?.methods, ["GET", "POST"]);
  assert.deepEqual(table.find((r) => r.segments.join("/") === "api/scans/[id]")?.methods, ["DELETE", "GET", "PATCH"]);
  assert.deepEqual(table.find((r) => r.segments.join("/") === "metrics")?.methods, ["GET"], "handlers outside app/api are in it too");
});

test("paths match as in Next's router: static segments win, a catch-all takes the rest, nothing else matches", () => {
  const t: ApiRoute[] = [
    { segments: ["api", "runs", "[id]"], methods: ["GET"] },
    { segments: ["api", "runs", "compare"], methods: ["GET"] },
    { segments: ["api", "auth", "[...nextauth]"], methods: ["GET", "POST"] },
  ];
  assert.equal(matchApiRoute(t, "/api/runs/compare"), t[1]);
  assert.equal(matchApiRoute(t, "/api/runs/abc"), t[0]);
  assert.equal(matchApiRoute(t, "/api/runs/abc/"), t[0]);
  assert.equal(matchApiRoute(t, "/api/auth/callback/credentials"), t[2]);
  assert.equal(matchApiRoute(t, "/api/auth"), null);
  assert.equal(matchApiRoute(t, "/api/runs/a/b"), null);
  assert.equal(matchApiRoute(t, "/runs/abc"), null);
});

test("an undeclared method is 405 with Allow and the one error shape; declared ones, HEAD of a GET and OPTIONS pass", () => {
  for (const method of ["TRACE", "PUT", "DELETE", "QUERY", "PROPFIND"]) {
    const r = methodRefusal(table, method, "/api/runs");
    assert.equal(r?.status, 405, method);
    assert.equal(r?.headers.allow, "GET, HEAD, OPTIONS, POST");
    assert.deepEqual(JSON.parse(r!.body), { error: { code: "method_not_allowed", message: `${method} is not a method of this route; it answers GET, HEAD, OPTIONS, POST` } });
  }
  for (const method of ["GET", "HEAD", "POST", "OPTIONS", "get"]) assert.equal(methodRefusal(table, method, "/api/runs"), null, method);
  assert.equal(methodRefusal(table, "GET", "/api/runs/x/cancel")?.headers.allow, "OPTIONS, POST");
  assert.equal(methodRefusal(table, "POST", "/api/runs/compare")?.headers.allow, "GET, HEAD, OPTIONS");
  assert.equal(methodRefusal(table, "TRACE", "/api/no/such/route"), null, "Next answers 404 for a path no route serves");
  assert.equal(methodRefusal(table, "TRACE", "/metrics")?.headers.allow, "GET, HEAD, OPTIONS", "/metrics is a route handler outside app/api");
  assert.equal(methodRefusal(table, "PUT", "/runs"), null, "pages are Next's");
});
