"""The addresses a connect takes, tested without containers: `python3 -m pytest examples`."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.dirname(HERE), os.path.join(HERE, "..", "..", "..", "runner", "python")]

from lev.levhub.reach.addresses import parse_addresses  # noqa: E402


def test_addresses_in_order_each_once():
    assert parse_addresses("10.0.0.1:80, 10.0.0.2:443\n[2001:db8::1]:22 10.0.0.1:80") == [("10.0.0.1", 80), ("10.0.0.2", 443), ("2001:db8::1", 22)]


def test_nothing_given_is_nothing_tried():
    assert parse_addresses("  ") == []


@pytest.mark.parametrize(
    "bad",
    ["10.0.0.1", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:http", "example.com:80", "2001:db8::1:22", "[10.0.0.1]:80", ":80", "[2001:db8::1]80"],
)
def test_anything_but_ip_port_is_refused_by_name(bad):
    with pytest.raises(ValueError, match="not|IPv6"):
        parse_addresses(bad)


def test_at_most_the_limit():
    many = " ".join(f"10.0.0.{i}:80" for i in range(1, 6))
    assert len(parse_addresses(many, 5)) == 5
    with pytest.raises(ValueError, match="at most 4 addresses, not 5"):
        parse_addresses(many, 4)
