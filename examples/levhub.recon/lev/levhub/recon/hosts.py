"""What the workflow decides itself, kept apart from the tools so it is tested without containers."""
from typing import Any

#: the most hosts one sweep greets; a /16 answers with thousands and a run's tasks are limited
MAX_GREETINGS = 64


def hosts_to_greet(found: Any, limit: int = MAX_GREETINGS) -> tuple[list[str], int]:
    """The live hosts of an `nmap.alive` document, each once, in the order nmap listed them, at
    most `limit` of them; and how many more were left out. A document that is not what the nmap
    tool stores (it came out of a container) is an error, not an empty sweep."""
    if limit < 1:
        raise ValueError(f"limit must be at least 1, not {limit}")
    if not isinstance(found, dict) or not isinstance(found.get("alive"), list):
        raise ValueError("the nmap document has no 'alive' list")
    hosts: list[str] = []
    for h in found["alive"]:
        if not isinstance(h, str) or not h or len(h) > 255:
            raise ValueError(f"not a host address: {h!r}")
        if h not in hosts:
            hosts.append(h)
    return hosts[:limit], max(0, len(hosts) - limit)


def summary(target: str, hosts: list[str], greetings: list[str], skipped: int) -> dict[str, Any]:
    """The document the workflow stores: what was swept, who answered and what they were told."""
    return {"target": target, "alive": hosts, "greetings": greetings, "greeted": len(greetings), "skipped": skipped}
