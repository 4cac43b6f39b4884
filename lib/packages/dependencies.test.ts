import assert from "node:assert/strict";
import { test } from "node:test";
import { checkClosure, closureOf, packagesForReader, parseRequirements, pickVersions, type AvailablePackage, type GraphVersion } from "./dependencies.ts";

test("requirements: lev packages with specifiers, the runtime dropped, others external, bad ones named", () => {
  const r = parseRequirements([
    "levrt>=0.1",
    "LevRT",
    "lev.joe.jsfuck>=1.0",
    "lev.szczecin.nmap_python (>=0.1, <1)",
    "lev.a.b",
    "requests>=2 ; python_version > '3'",
    "lev-joe-jsfuck>=1",
    "lev.x.y[extra]>=1",
    "lev.x.z @ https://example.org/z.zip",
    "lev.x.w>=1; os_name == 'nt'",
    "lev.x.v>>1",
    "  ",
  ]);
  assert.deepEqual(r.lev, [
    { raw: "lev.joe.jsfuck>=1.0", namespace: "joe", name: "jsfuck", specifier: ">=1.0" },
    { raw: "lev.szczecin.nmap_python (>=0.1, <1)", namespace: "szczecin", name: "nmap_python", specifier: ">=0.1,<1" },
    { raw: "lev.a.b", namespace: "a", name: "b", specifier: "" },
  ]);
  assert.deepEqual(r.external, ["requests>=2 ; python_version > '3'"]);
  assert.deepEqual(r.problems, [
    "dependency lev-joe-jsfuck: write Leviathan packages as lev.<namespace>.<name>",
    "dependency lev.x.y: extras, markers and URLs are not supported for Leviathan packages",
    "dependency lev.x.z: extras, markers and URLs are not supported for Leviathan packages",
    "dependency lev.x.w: extras, markers and URLs are not supported for Leviathan packages",
    "dependency lev.x.v: '>>1' is not a valid version specifier (e.g. >=1.0,<2)",
    "dependency '' is not a valid requirement",
  ]);
});

test("requirements on one package twice are combined: both specifiers hold", () => {
  const r = parseRequirements(["lev.a.b>=1", "lev.a.b<2"]);
  assert.deepEqual(r.lev, [{ raw: "lev.a.b>=1, lev.a.b<2", namespace: "a", name: "b", specifier: ">=1,<2" }]);
  assert.deepEqual(r.problems, []);
});

const available = (...pkgs: [string, string, string[]][]): Map<string, AvailablePackage> =>
  new Map(pkgs.map(([ns, name, versions]) => [`${ns}.${name}`, { namespace: ns, name, versions: versions.map((v) => ({ id: `${ns}.${name}@${v}`, version: v })) }]));
const req = (ns: string, name: string, specifier = "") => ({ raw: `lev.${ns}.${name}${specifier}`, namespace: ns, name, specifier });

test("picking: the highest visible version matching the specifier", () => {
  const av = available(["joe", "jsfuck", ["1.0.0", "1.1.0", "1.10.0", "2.0.0", "3.0.0a1", "0.9"]]);
  const pick = (spec: string) => pickVersions([req("joe", "jsfuck", spec)], av);
  assert.equal(pick("").picked[0].version, "2.0.0");
  assert.equal(pick(">=1,<2").picked[0].version, "1.10.0");
  assert.equal(pick("~=1.0").picked[0].version, "1.10.0");
  assert.equal(pick("==1.1.0").picked[0].version, "1.1.0");
  assert.equal(pick("==1.*").picked[0].version, "1.10.0");
  assert.equal(pick("<1").picked[0].version, "0.9");
  assert.equal(pick("!=2.0.0").picked[0].version, "1.10.0");
  assert.equal(pick("").picked[0].versionId, "joe.jsfuck@2.0.0");
});

test("picking: pre-releases only when the specifier names one", () => {
  const av = available(["a", "b", ["1.0", "2.0a1"]]);
  assert.equal(pickVersions([req("a", "b", ">=1")], av).picked[0].version, "1.0");
  assert.equal(pickVersions([req("a", "b", ">=2.0a1")], av).picked[0].version, "2.0a1");
  const onlyPre = available(["a", "b", ["2.0a1"]]);
  assert.deepEqual(pickVersions([req("a", "b", ">=1")], onlyPre).problems, ["dependency lev.a.b>=1: no published version matches (2.0a1)"]);
});

test("picking: a missing package and one the uploader may not see read the same; no match lists the versions", () => {
  const av = available(["x", "y", ["1.1.0", "1.0.0", "not-pep440"]]);
  const r = pickVersions([req("nobody", "here"), req("x", "y", ">=2"), req("x", "y", "<1.1")], av);
  assert.deepEqual(r.problems, [
    "dependency lev.nobody.here: no such package",
    "dependency lev.x.y>=2: no published version matches (1.0.0, 1.1.0, not-pep440)",
  ]);
  assert.deepEqual(r.picked.map((p) => p.version), ["1.0.0"]);
  assert.deepEqual(pickVersions([req("x", "y")], available(["x", "y", []])).problems, ["dependency lev.x.y: no published version matches (none published)"]);
});

const node = (id: string, dependsOn: string[] = [], priv = false): GraphVersion => {
  const [full, version] = id.split("@");
  const [namespace, name] = full.split(".");
  return { id, namespace, name, version, private: priv, dependsOn };
};
const graphOf = (...nodes: GraphVersion[]) => new Map(nodes.map((n) => [n.id, n]));
const root = { namespace: "me", name: "wf", private: false };
const all = () => true;

test("closure: direct and transitive members once each, sorted, with the chain that reaches them", () => {
  const g = graphOf(node("a.b@1", ["x.y@2"]), node("c.d@1", ["x.y@2", "e.f@1"]), node("x.y@2", ["e.f@1"]), node("e.f@1"));
  const c = closureOf("lev.me.wf", ["a.b@1", "c.d@1"], g);
  assert.deepEqual(c.map((m) => m.id), ["a.b@1", "c.d@1", "e.f@1", "x.y@2"]);
  assert.deepEqual(c.find((m) => m.id === "x.y@2")!.via, ["lev.me.wf", "lev.a.b"]);
  assert.deepEqual(c.find((m) => m.id === "e.f@1")!.via, ["lev.me.wf", "lev.c.d"], "breadth first: the shortest chain");
  assert.deepEqual(checkClosure({ root, direct: ["a.b@1", "c.d@1"], graph: g, canSee: all }).problems, []);
  assert.deepEqual(closureOf("lev.me.wf", [], g), []);
});

test("closure: the package itself in its own closure is a cycle, with the path", () => {
  const g = graphOf(node("x.y@1", ["me.wf@1"]), node("me.wf@1"));
  assert.deepEqual(checkClosure({ root, direct: ["x.y@1"], graph: g, canSee: all }).problems, ["dependency cycle: lev.me.wf → lev.x.y → lev.me.wf"]);
  // depending on an older version of itself directly
  assert.deepEqual(checkClosure({ root, direct: ["me.wf@1"], graph: g, canSee: all }).problems, ["dependency cycle: lev.me.wf → lev.me.wf"]);
  // a cyclic graph (never stored, but the walk must end)
  const loop = graphOf(node("p.q@1", ["r.s@1"]), node("r.s@1", ["p.q@1"]));
  assert.equal(closureOf("lev.me.wf", ["p.q@1"], loop).length, 2);
});

test("closure: two versions of one package are a conflict naming both chains", () => {
  const g = graphOf(node("a.b@1", ["x.y@1.0.0"]), node("c.d@1", ["x.y@2.0.0"]), node("x.y@1.0.0"), node("x.y@2.0.0"));
  assert.deepEqual(checkClosure({ root, direct: ["a.b@1", "c.d@1"], graph: g, canSee: all }).problems, [
    "conflicting versions of lev.x.y: 1.0.0 (via lev.me.wf → lev.a.b) and 2.0.0 (via lev.me.wf → lev.c.d)",
  ]);
  // a direct pin against a transitive one
  assert.deepEqual(checkClosure({ root, direct: ["a.b@1", "x.y@2.0.0"], graph: g, canSee: all }).problems, [
    "conflicting versions of lev.x.y: 1.0.0 (via lev.me.wf → lev.a.b) and 2.0.0 (via lev.me.wf)",
  ]);
});

test("closure: a public package may depend only on public ones, directly or not; a private one on anything it sees", () => {
  const g = graphOf(node("a.b@1", ["x.y@1"]), node("x.y@1", [], true));
  assert.deepEqual(checkClosure({ root, direct: ["a.b@1"], graph: g, canSee: all }).problems, ["lev.x.y is private: a public version may depend only on public packages"]);
  assert.deepEqual(checkClosure({ root: { ...root, private: true }, direct: ["a.b@1"], graph: g, canSee: all }).problems, []);
});

test("closure: a member the uploader may no longer see (turned private since) is refused without being named, in chains too", () => {
  const g = graphOf(node("a.b@1", ["x.y@1"]), node("x.y@1", ["p.q@1"], true), node("p.q@1", []));
  const r = checkClosure({ root: { ...root, private: true }, direct: ["a.b@1"], graph: g, canSee: (m) => !m.private });
  assert.deepEqual(r.problems, ["a dependency of lev.me.wf → lev.a.b is not available to you (made private or removed since it was published)"]);
  assert.doesNotMatch(JSON.stringify(r.problems), /x\.y/);
  // two versions of an unseen package conflict: said without its name
  const h = graphOf(node("a.b@1", ["x.y@1"]), node("c.d@1", ["x.y@2"]), node("x.y@1", [], true), node("x.y@2", [], true));
  const c = checkClosure({ root: { ...root, private: true }, direct: ["a.b@1", "c.d@1"], graph: h, canSee: (m) => !m.private });
  assert.doesNotMatch(JSON.stringify(c.problems), /x\.y/);
  assert.ok(c.problems.some((p) => p.startsWith("conflicting versions of a package you may not see")));
});

test("packagesForReader names what the reader may see and only counts the rest", () => {
  assert.equal(packagesForReader([{ label: "lev.a.b", visible: true }]), "lev.a.b");
  assert.equal(packagesForReader([{ label: "lev.s.x", visible: false }, { label: "lev.s.y", visible: false }]), "2 packages you may not see");
  assert.equal(packagesForReader([{ label: "lev.a.b", visible: true }, { label: "lev.s.x", visible: false }]), "lev.a.b and 1 package you may not see");
});
