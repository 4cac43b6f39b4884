"""greet: says hello inside a container and stores the greeting.

Homepage: https://lev.zone
Type: example
Version: 0.1.0
"""
import pathlib

import levrt
from levrt import Cr, annot, ctx
from levrt.annot.cats import Attck, BlackArch

IMAGE = "levhub/python:bookworm"


@annot.meta(
    desc="Say hello to someone",
    params=[annot.Param("name", "who to greet", holder="world")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello"],
)
def hello(name: str = "world") -> Cr:
    """
    Greets `name` once and stores `{"greeting": "hello, <name>"}`.
    ```
    await greet.hello("world")
    ```
    """
    @levrt.remote
    def entry():
        greeting = f"hello, {name}"
        print(greeting)
        ctx.set(greeting=greeting)

    return Cr(IMAGE, entry=entry())


@annot.meta(
    desc="Say hi several times",
    params=[annot.Param("name", "who to greet", holder="Ada"), annot.Param("times", "how many times", holder="3")],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Misc]},
    tags=["hello", "repeat"],
)
def hi(name: str, times: int = 1) -> Cr:
    """
    Prints `hi <name>` `times` times (1 to 100) and stores every line.
    ```
    await greet.hi("Ada", 3)
    ```
    """
    @levrt.remote
    def entry():
        import logging

        if not 1 <= times <= 100:
            raise ValueError(f"times must be between 1 and 100, not {times}")
        lines = [f"hi {name} ({i + 1}/{times})" for i in range(times)]
        for line in lines:
            print(line)
        logging.getLogger("lev").info("greeted %s %d time(s)", name, times)
        ctx.set(name=name, times=times, lines=lines)

    return Cr(IMAGE, schema="levhub/hello.hi@1.0", entry=entry())


@annot.meta(desc="Read the message of the day shipped with the package", tags=["hello", "files"])
def motd(signature: str = "levhub") -> Cr:
    """
    Mounts a file shipped in the package and another one made in the workflow, passes an
    environment variable, and stores what the container saw.
    ```
    await greet.motd("levhub")
    ```
    """
    @levrt.remote
    def entry():
        import os

        with open("/etc/hello/motd.txt") as f:
            motd = f.read().strip()
        with open("/etc/hello/signature") as f:
            sig = f.read()
        ctx.set(motd=motd, signature=sig, lang=os.environ.get("HELLO_LANG"))

    return Cr(
        IMAGE,
        entry=entry(),
        env=["HELLO_LANG=en"],
        files={"/etc/hello/motd.txt": pathlib.Path("data/motd.txt"), "/etc/hello/signature": signature.encode()},
    )


@annot.meta(
    desc="Sleep for a while (to try progress and cancel)",
    params=[annot.Param("seconds", "how long to sleep", holder="60")],
    tags=["hello", "sleep"],
)
def sleep(seconds: int = 60) -> Cr:
    """
    Sleeps `seconds`, logging every second and storing its progress as it goes.
    ```
    await greet.sleep(5)
    ```
    """
    @levrt.remote
    def entry():
        import time

        for i in range(seconds):
            print(f"slept {i} of {seconds} s", flush=True)
            ctx.set(slept=i, of=seconds)
            time.sleep(1)
        ctx.set(slept=seconds, of=seconds, done=True)

    return Cr(IMAGE, entry=entry())


__lev__ = annot.meta([hello, hi, motd, sleep], desc="greet people from a container")
