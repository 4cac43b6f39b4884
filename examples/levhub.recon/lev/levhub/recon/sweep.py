"""The workflow: nothing here runs a tool of its own; both tools come from published packages."""
from levrt import Concurrent, annot, ctx
from levrt.annot.cats import Attck, BlackArch

# other packages, as Leviathan writes them: added with `lev add`, pinned in pyproject.toml
from lev.levhub.hello import greet
from lev.szczecin.nmap_python import nmap

from .hosts import MAX_GREETINGS, hosts_to_greet, summary


@annot.meta(
    desc="Find the live hosts of a target with nmap, then greet each one",
    params=[
        annot.Param("ip", "target ip or range to sweep (only what you may scan)", holder="127.0.0.1"),
        annot.Param("limit", f"greet at most this many hosts (1 to {MAX_GREETINGS})", holder="8"),
    ],
    cats={Attck: [Attck.Reconnaissance, Attck.Discovery], BlackArch: [BlackArch.Recon]},
    tags=["nmap", "hello", "dependencies"],
)
async def sweep_and_greet(ip: str, limit: int = 8):
    """
    Runs `nmap.alive` (package szczecin.nmap_python) on the target, then `greet.hello` (package
    levhub.hello) for every host that answered, four at a time, and stores a summary:
    `{"target", "alive", "greetings", "greeted", "skipped"}`. Each tool runs in its own package's
    pinned image with that mode's grant: nmap's NET_RAW is szczecin.nmap_python's, not this package's.
    ```
    await sweep_and_greet("127.0.0.1", 8)
    ```
    """
    found = await nmap.alive(ip)
    hosts, skipped = hosts_to_greet(await found.get(), min(max(limit, 1), MAX_GREETINGS))
    handles = []
    async with Concurrent(limit=4) as c:
        for host in hosts:
            handles.append(c.start(greet.hello(host)))
    greetings = [(await (await h).get())["greeting"] for h in handles]
    print("\n".join(greetings) or f"no host of {ip} answered")
    result = summary(ip, hosts, greetings, skipped)
    ctx.set(**result)
    return result
