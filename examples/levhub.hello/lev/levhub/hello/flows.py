"""Workflows of the hello package."""
from levrt import Concurrent, annot, ctx
from levrt.annot.cats import Attck, BlackArch

from . import greet


@annot.meta(
    desc="Greet everyone, two at a time, under the namespace 'party'",
    params=[annot.Param("names", "one name per line", holder="Ada\nGrace")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello", "concurrent"],
)
async def greet_all(names: list[str]):
    """
    Runs `greet.hello` for every name with `Concurrent(limit=2)` and stores the results under
    `party|levhub/hello.hello`.
    ```
    await greet_all(["Ada", "Grace"])
    ```
    """
    handles = []
    with ctx / "party":
        async with Concurrent(limit=2) as c:
            for name in names:
                handles.append(c.start(greet.hello(name)))
    greetings = [(await (await h).get())["greeting"] for h in handles]
    print("\n".join(greetings))
    ctx.set(count=len(greetings))
    return greetings


@annot.meta(
    desc="Two sleepers side by side (to try cancel)",
    params=[annot.Param("seconds", "how long each sleeps", holder="60")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello", "sleep"],
)
async def nap(seconds: int = 60):
    """
    Starts two `greet.sleep` tasks at once and waits for both.
    ```
    await nap(60)
    ```
    """
    async with Concurrent() as c:
        first = c.start(greet.sleep(seconds))
        second = c.start(greet.sleep(seconds))
    print(await (await first).get(), await (await second).get())
