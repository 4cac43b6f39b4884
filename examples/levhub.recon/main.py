"""The author's local test, offline once the dependencies are fetched from a hub:
`npx lev add szczecin.nmap_python && npx lev add levhub.hello && npx lev exec . main.py`."""
import levrt

from lev.levhub.recon import sweep_and_greet


async def main():
    result = await sweep_and_greet("127.0.0.1", 4)
    assert result["alive"] == ["127.0.0.1"], result
    assert result["greetings"] == ["hello, 127.0.0.1"], result


if __name__ == "__main__":
    levrt.run(main())
