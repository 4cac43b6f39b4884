"""Workflows of Leviathan's developer guide, corrected where the guide had slips
(a Param named `server` for the parameter `ip`, `server_post`, `os_reult`, a workflow awaiting a
task that was never started)."""
from levrt import Concurrent, annot, ctx
from levrt.annot.cats import Attck, BlackArch

from . import nmap


@annot.meta(
    desc="ICMP loopback message to determine host survival",
    params=[annot.Param("ip", "target ip or ip segment for scanning", holder="192.168.1.1/24", kind="target")],
    cats={Attck: [Attck.Reconnaissance], BlackArch: [BlackArch.Scanner]},
)
async def alive_nmap_python(ip: str):
    """
    By sending an ICMP loopback detection packet to the target host, it is judged whether the host is alive or not according to the discard situation of the response packet, the response time, the response content, the banner information and the match of the specific service keyword.
    ```
    await alive_nmap_python("192.168.1.1/24")
    ```
    """
    result = await nmap.alive(ip)
    data = await result.get()
    print(data)
    return data


@annot.meta(
    desc="SYN scan target host open ports, host names and operating systems",
    params=[annot.Param("ip", "target ip or ip segment for scanning", holder="192.168.1.1/24", kind="target")],
    cats={Attck: [Attck.Reconnaissance], BlackArch: [BlackArch.Scanner]},
)
async def port_os_nmap_python(ip: str):
    """
    By sending a TCP SYN detection packet to the target host, according to the discard situation of the response packet, response time, response content, banner information and specific service keyword matching, identify the open ports, host names and related services and operating systems of the target host information.
    ```
    await port_os_nmap_python("192.168.1.1")
    ```
    """
    result = await nmap.port_os(ip).done()
    data = await result.get()
    print(data)
    return data


@annot.meta(
    desc="Detect surviving hosts in the LAN and obtain host port information",
    params=[
        annot.Param("ip", "List of ip's for security review", holder="192.168.1.1/24", kind="target"),
        annot.Param("ports", "ports to scan on each alive host; empty: nmap's top 1000", holder="22,80,443"),
    ],
    cats={Attck: [Attck.Reconnaissance, Attck.Discovery], BlackArch: [BlackArch.Scanner]},
    tags=["nmap", "multi-tool"],
)
async def server_port(ip: str, ports: str = ""):
    """
    Detect surviving hosts in the LAN and obtain host port information.
    ```
    await server_port("192.168.1.1/24")
    ```
    """
    # First scan the entire IP segment to get the surviving hosts.
    result = await nmap.alive(ip)
    data = await result.get()
    alive = data["alive"]
    os_result = []
    task_list = []
    # Scan every alive host's ports concurrently.
    async with Concurrent() as c:
        for domain in alive:
            print(domain)
            t = c.start(nmap.port_os(domain, ports))
            task_list.append(t)
    for t in task_list:
        t_result = await t
        data = await t_result.get()
        os_result.append(data)
    print(os_result)
    return os_result


@annot.meta(
    desc="Start a port scan in the background, then stop it with a signal",
    params=[annot.Param("ip", "target ip", holder="127.0.0.1", kind="target")],
    cats=[Attck.Reconnaissance],
)
async def background(ip: str):
    """
    Starts a long scan in the background (`.start()`), then interrupts it with `.signal()` and
    reads whatever it stored.
    ```
    await background("127.0.0.1")
    ```
    """
    task = await nmap.port_os(ip).start()
    await task.signal()
    result = await task()
    print(await result.get())


@annot.meta(
    desc="Host discovery over several targets, two at a time",
    params=[annot.Param("ips", "targets, one per line", holder="127.0.0.1", kind="target")],
    cats=[Attck.Reconnaissance],
)
async def concurrent(ips: list[str] = ["127.0.0.1"]):
    """
    Runs `nmap.alive` for each target with `Concurrent(limit=2)` and prints every document of the run.
    ```
    await concurrent(["127.0.0.1", "127.0.0.2"])
    ```
    """
    task = None
    async with Concurrent(limit=2) as c:
        for i in ips:
            task = c.start(nmap.alive(i))
    docs = []
    if task is not None:
        result = await task
        async for doc in result.all():
            docs.append(doc)
    print(docs)
    return docs


@annot.meta(
    desc="Port scan stored under an extra namespace demo1",
    params=[annot.Param("ip", "target ip", holder="127.0.0.1", kind="target")],
    cats=[Attck.Reconnaissance],
)
async def extra_namespace(ip: str):
    """
    Stores the port scan in `demo1|szczecin/nmap_python.port_os@1.0`.
    ```
    await extra_namespace("127.0.0.1")
    ```
    """
    with ctx / "demo1":
        result = await nmap.port_os(ip)
        data = await result.get()
        print(data)


@annot.meta(
    desc="Reuses extra_namespace under a second namespace demo2",
    params=[annot.Param("ip", "target ip", holder="127.0.0.1", kind="target")],
    cats=[Attck.Reconnaissance],
)
async def extra_namespace2(ip: str):
    """
    Stores the port scan in `demo2|demo1|szczecin/nmap_python.port_os@1.0`.
    ```
    await extra_namespace2("127.0.0.1")
    ```
    """
    with ctx / "demo2":
        await extra_namespace(ip)
