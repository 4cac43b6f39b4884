"""The addresses a connect takes, parsed before any container starts (tested without one)."""
import ipaddress

#: the most addresses one connect tries (each waits up to its timeout)
MAX_ADDRESSES = 64


def parse_addresses(text: str, limit: int = MAX_ADDRESSES) -> list[tuple[str, int]]:
    """`ip:port` or `[ipv6]:port`, separated by spaces, commas or new lines, each once in the
    order given. Anything else is an error naming it: a name would be resolved by whatever DNS
    the container has, and a connect tests addresses, not resolvers."""
    out: list[tuple[str, int]] = []
    for item in text.replace(",", " ").split():
        if item.startswith("["):
            host, sep, port = item[1:].partition("]:")
        else:
            host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
            raise ValueError(f"not ip:port: {item!r}")
        try:
            ip = ipaddress.ip_address(host)
        except ValueError:
            raise ValueError(f"not an IP address: {host!r} (in {item!r})") from None
        if item.startswith("[") != (ip.version == 6):
            raise ValueError(f"an IPv6 address is written [address]:port, an IPv4 one address:port: {item!r}")
        pair = (str(ip), int(port))
        if pair not in out:
            out.append(pair)
    if len(out) > limit:
        raise ValueError(f"at most {limit} addresses, not {len(out)}")
    return out
