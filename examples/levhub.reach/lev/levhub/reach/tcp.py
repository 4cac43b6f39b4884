"""tcp: connect to addresses and store what answered."""
import levrt
from levrt import Cr, annot, ctx
from levrt.annot.cats import Attck, BlackArch

from .addresses import MAX_ADDRESSES, parse_addresses

IMAGE = "levhub/python:bookworm"


@annot.meta(
    desc="TCP connect to each address and store which answered",
    params=[
        annot.Param("targets", "ip:port to reach, checked against the project's scope before the run", holder="192.0.2.10:443", kind="target"),
        annot.Param("also", "more ip:port to try, checked by nothing but the run's network (to see what it blocks)", holder="198.51.100.7:80"),
        annot.Param("timeout", "seconds to wait for each connect (1 to 30)", holder="3"),
    ],
    cats={Attck: [Attck.Discovery], BlackArch: [BlackArch.Networking]},
    tags=["network", "scope"],
)
def connect(targets: str, also: str = "", timeout: float = 3) -> Cr:
    """
    Tries a TCP connect to every address of `targets` and `also` (at most 64 together) and
    stores `{"reach": [{"address", "result"}]}`: `open`, `refused`, `timeout` (what a dropped
    packet looks like: an address the run's network blocks) or the error's name.
    ```
    await tcp.connect("192.0.2.10:443", "198.51.100.7:80")
    ```
    """
    pairs = parse_addresses(f"{targets} {also}", MAX_ADDRESSES)
    if not 1 <= timeout <= 30:
        raise ValueError(f"timeout must be between 1 and 30 seconds, not {timeout}")

    @levrt.remote
    def entry():
        import socket

        reach = []  # a list, not a dict: an address is no document key (it has dots)
        for ip, port in pairs:
            family = socket.AF_INET6 if ":" in ip else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            s.settimeout(timeout)
            shown = f"[{ip}]:{port}" if family == socket.AF_INET6 else f"{ip}:{port}"
            try:
                s.connect((ip, port))
                result = "open"
            except socket.timeout:
                result = "timeout"
            except ConnectionRefusedError:
                result = "refused"
            except OSError as e:
                result = type(e).__name__
            finally:
                s.close()
            print(f"{shown} {result}", flush=True)
            reach.append({"address": shown, "result": result})
        ctx.set(reach=reach)

    return Cr(IMAGE, schema="levhub/reach.connect@1.0", host=True, entry=entry())
