import assert from "node:assert/strict";
import { test } from "node:test";
import { LabelCap, OTHER_ROUTE, routePattern, UNMATCHED_ROUTE } from "./route-pattern.ts";

test("a route's pattern comes from the path and the parameters Next.js matched", () => {
  assert.equal(routePattern("/api/runs", {}), "/api/runs");
  assert.equal(routePattern("/metrics", {}), "/metrics");
  assert.equal(routePattern("/api/runs/cm123/events", { id: "cm123" }), "/api/runs/[id]/events");
  assert.equal(
    routePattern("/api/packages/joe/nmap/versions/1.0.0/archive", { ns: "joe", name: "nmap", version: "1.0.0" }),
    "/api/packages/[ns]/[name]/versions/[version]/archive",
  );
  assert.equal(routePattern("/api/auth/callback/credentials", { nextauth: ["callback", "credentials"] }), "/api/auth/[...nextauth]");
});

test("segments are compared decoded, as Next.js decodes parameters: no encoding reaches a label", () => {
  assert.equal(routePattern("/api/worker/images/sha256%3Aabc", { imageId: "sha256:abc" }), "/api/worker/images/[imageId]");
  assert.equal(routePattern("/api/%72uns/x", { id: "x" }), "/api/runs/[id]", "an encoded static segment reads as itself");
  assert.equal(routePattern("/api/runs/%E0%A4%A", { id: "%E0%A4%A" }), "/api/runs/[id]", "a malformed escape is compared as it is");
});

test("a parameter that cannot be found leaves the request unmatched, so no raw segment is ever a label", () => {
  assert.equal(routePattern("/api/runs/cm123", { id: "other" }), UNMATCHED_ROUTE);
  assert.equal(routePattern("/api/runs", { id: "cm123" }), UNMATCHED_ROUTE);
  assert.equal(routePattern("/api/auth/a/b", { nextauth: ["a", "c"] }), UNMATCHED_ROUTE);
});

test("a value equal to a static segment names the wrong segment but stays static words and names", () => {
  // /api/runs/[id] with id "runs": the walk takes the first "runs"; the label holds no value of its own
  assert.equal(routePattern("/api/runs/runs", { id: "runs" }), "/api/[id]/runs");
  assert.equal(routePattern("/api/packages/api/packages", { ns: "api", name: "packages" }), "/[ns]/[name]/api/packages");
});

test("the number of route labels is capped", () => {
  const cap = new LabelCap(2);
  assert.equal(cap.label("/a"), "/a");
  assert.equal(cap.label("/b"), "/b");
  assert.equal(cap.label("/c"), OTHER_ROUTE);
  assert.equal(cap.label("/a"), "/a", "a label seen before stays itself");
});
