"""The author's local test: `npx lev exec examples/szczecin.nmap_python main.py`.

It scans 127.0.0.1: on the run's own network (lev exec's default, as on a hub) that is the
scanner's own container, always there to answer."""
import levrt

from lev.szczecin.nmap_python import nmap
from lev.szczecin.nmap_python.asset import server_port


async def main():
    doc = await nmap.alive("127.0.0.1")
    assert "127.0.0.1" in (await doc.get())["alive"]
    await server_port("127.0.0.1", "1-1024")


if __name__ == "__main__":
    levrt.run(main())
