import assert from "node:assert/strict";
import { test } from "node:test";
import { standInHub } from "../test/stand-in-hub.ts";
import { CliError } from "./hub.ts";
import { favCommand, favouritesText, FavUsageError, parseFavTarget } from "./favourites.ts";

const hub = standInHub();
const { seen, cfg } = hub;

const capture = () => {
  const lines: unknown[] = [];
  return { lines, out: (v: unknown) => lines.push(v) };
};

test("targets: @user, ns.name, ns.name.function with dots; anything else is a usage error", () => {
  assert.deepEqual(parseFavTarget("@alice"), { author: "alice" });
  assert.deepEqual(parseFavTarget("levhub.hello"), { package: "levhub.hello" });
  assert.deepEqual(parseFavTarget("szczecin.nmap_python.nmap.alive"), { package: "szczecin.nmap_python", function: "nmap.alive" });
  for (const bad of ["nodot", "a..b", "a.b.", ".a.b", "@", "@a b", "@a/b"]) assert.throws(() => parseFavTarget(bad), FavUsageError, bad);
});

test("add, remove and list reach /api/favourites with the target as body or query; the state is printed", async () => {
  seen.length = 0;
  hub.reply = (method) => (method === "GET" ? [200, { packages: [], functions: [], authors: [] }] : method === "POST" ? [201, { favourited: true, count: 3 }] : [200, { favourited: false, count: 2 }]);
  const { lines, out } = capture();
  assert.equal(await favCommand(["add", "szczecin.nmap_python.nmap.alive"], out, cfg), 0);
  await favCommand(["remove", "@alice"], out, cfg);
  await favCommand(["add", "levhub.hello", "--json"], out, cfg);
  await favCommand(["list"], out, cfg);
  assert.deepEqual(
    seen.map((s) => [s.method, s.url, s.body]),
    [
      ["POST", "/api/favourites", { package: "szczecin.nmap_python", function: "nmap.alive" }],
      ["DELETE", "/api/favourites?author=alice", undefined],
      ["POST", "/api/favourites", { package: "levhub.hello" }],
      ["GET", "/api/favourites", undefined],
    ],
  );
  assert.deepEqual(lines, [
    "szczecin.nmap_python.nmap.alive is a favourite (★3)",
    "@alice is no longer a favourite (★2)",
    { target: { package: "levhub.hello" }, favourited: true, count: 3 },
    "no favourites",
  ]);
});

test("the list as text: functions with their run command (or why none), packages with theirs, authors", () => {
  const text = favouritesText({
    functions: [
      { package: "alice.scanner", function: "scan.ports", version: "1.1.0", current: { kind: "mode" }, favourites: 2 },
      { package: "alice.scanner", function: "scan.old", version: "1.1.0", current: null, favourites: 1 },
    ],
    packages: [{ package: { fullName: "levhub.hello", version: "0.1.0", favourites: 4 }, functions: [{ qualified: "greet" }, { qualified: "hello.say" }] }],
    authors: [{ author: { username: "alice", packages: 1, followers: 5 } }],
  });
  assert.equal(
    text,
    [
      "functions",
      "  alice.scanner.scan.ports  v1.1.0  ★2  lev run alice.scanner.scan.ports",
      "  alice.scanner.scan.old  v1.1.0  ★1  (not in the latest version)",
      "packages",
      "  levhub.hello  v0.1.0  ★4  functions: greet, hello.say",
      "authors",
      "  @alice  1 package  ★5",
    ].join("\n"),
  );
});

test("the hub's refusal is shown as it came; bad usage sends nothing", async () => {
  seen.length = 0;
  hub.reply = () => [404, { error: { code: "not_found", message: "package carol.hidden not found" } }];
  await assert.rejects(favCommand(["add", "carol.hidden"], () => undefined, cfg), (e: unknown) => e instanceof CliError && e.code === "not_found" && e.message === "error not_found: package carol.hidden not found");
  seen.length = 0;
  await assert.rejects(favCommand(["star", "a.b"], () => undefined, cfg), FavUsageError);
  await assert.rejects(favCommand(["add"], () => undefined, cfg), FavUsageError);
  await assert.rejects(favCommand(["add", "a.b", "c.d"], () => undefined, cfg), FavUsageError);
  await assert.rejects(favCommand(["list", "x"], () => undefined, cfg), FavUsageError);
  await assert.rejects(favCommand([], () => undefined, cfg), FavUsageError);
  assert.equal(seen.length, 0);
});
