/** Small Leviathan packages for integration tests, as archive entries. */
import type { ArchiveEntry } from "../packages/archives.ts";

export function pyproject(ns: string, name: string, version: string | null): string {
  return `[project]\nname = "lev.${ns}.${name}"\n${version ? `version = "${version}"\n` : ""}`;
}

/** A tool with one mode that stores a greeting, tagged and categorised. */
export function goodInit(opts: { paramName?: string; tag?: string; desc?: string } = {}): string {
  const param = opts.paramName ?? "name";
  return `"""A tiny greeting tool used by the hub's tests."""
import levrt
from levrt import Cr, annot, ctx
from levrt.annot.cats import Attck, BlackArch


@levrt.remote
def entry(name):
    ctx.set(greeting="hello " + name)


@annot.meta(
    desc="${opts.desc ?? "Say hello"}",
    params=[annot.Param("${param}", "who to greet", holder="world")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["${opts.tag ?? "greeting"}"],
)
def greet(name: str = "world") -> Cr:
    """Greets someone and stores the greeting."""
    return Cr("levhub/python:bookworm", entry=entry(name))


__lev__ = annot.meta([greet], desc="${opts.desc ?? "Greets people"}")
`;
}

export function packageEntries(
  ns: string,
  name: string,
  version: string | null,
  init: string | null,
  opts: { top?: string | null; extra?: ArchiveEntry[] } = {},
): ArchiveEntry[] {
  const top = opts.top === undefined ? `${ns}.${name}/` : opts.top ? `${opts.top}/` : "";
  const entries: ArchiveEntry[] = [{ name: `${top}pyproject.toml`, data: pyproject(ns, name, version) }];
  if (init !== null) entries.push({ name: `${top}lev/${ns}/${name}/__init__.py`, data: init });
  else entries.push({ name: `${top}lev/${ns}/${name}/tool.py`, data: "x = 1\n" });
  return [...entries, ...(opts.extra ?? [])];
}

/** A mode that stores a document, then sleeps: for cancellation tests. */
export function sleeperInit(): string {
  return `"""Sleeps, for the hub's cancellation tests."""
import time

import levrt
from levrt import Cr, annot, ctx


@levrt.remote
def entry(seconds):
    ctx.set(started=True)
    time.sleep(seconds)
    ctx.set(done=True)


@annot.meta(desc="Sleep a while", params=[annot.Param("seconds", "how long")], tags=["sleep"])
def nap(seconds: int = 120) -> Cr:
    """Sleeps for the given number of seconds."""
    return Cr("levhub/python:bookworm", entry=entry(seconds))


__lev__ = annot.meta([nap], desc="Sleeps")
`;
}

/** A package with a Dockerfile whose mode runs in the image the hub builds (`.alice.imaged:v1`). */
export function imagedEntries(ns: string, version: string, marker: string) {
  const init = `"""Runs in its own image."""
import levrt
from levrt import Cr, annot, ctx


@levrt.remote
def entry():
    with open("/marker.txt") as f:
        ctx.set(marker=f.read().strip())


@annot.meta(desc="Read the marker baked into the image", tags=["image"])
def marker() -> Cr:
    """Reads /marker.txt from the package's own image."""
    return Cr(".${ns}.imaged:v1", entry=entry())


__lev__ = annot.meta([marker], desc="Has a Dockerfile")
`;
  return packageEntries(ns, "imaged", version, init, {
    extra: [{ name: `${ns}.imaged/Dockerfile`, data: `FROM levhub/python:bookworm\nRUN echo ${marker} > /marker.txt\n` }],
  });
}
