"""The workflow's own logic, tested without containers: `python3 -m pytest examples`. The
dependencies sit beside this package as the hub mounts them (here: the sibling examples)."""
import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [
    os.path.dirname(HERE),
    os.path.join(EXAMPLES, "levhub.hello"),
    os.path.join(EXAMPLES, "szczecin.nmap_python"),
    os.path.join(EXAMPLES, "..", "runner", "python"),
]

from lev.levhub.recon.hosts import hosts_to_greet, summary  # noqa: E402


def test_live_hosts_once_each_in_nmaps_order():
    doc = {"target": "10.0.0.0/30", "alive": ["10.0.0.2", "10.0.0.1", "10.0.0.2"]}
    assert hosts_to_greet(doc) == (["10.0.0.2", "10.0.0.1"], 0)


def test_no_live_host_is_an_empty_sweep():
    assert hosts_to_greet({"target": "127.0.0.2", "alive": []}) == ([], 0)


def test_at_most_limit_hosts_and_the_rest_counted():
    doc = {"alive": [f"10.0.0.{i}" for i in range(1, 11)]}
    assert hosts_to_greet(doc, 3) == (["10.0.0.1", "10.0.0.2", "10.0.0.3"], 7)


@pytest.mark.parametrize(
    "doc",
    [None, [], {}, {"alive": "127.0.0.1"}, {"alive": [1]}, {"alive": [""]}, {"alive": ["x" * 256]}, {"alive": [None]}],
)
def test_a_document_that_is_not_nmaps_is_an_error(doc):
    with pytest.raises(ValueError):
        hosts_to_greet(doc)


def test_limit_below_one_is_refused():
    with pytest.raises(ValueError):
        hosts_to_greet({"alive": []}, 0)


def test_summary_names_target_hosts_and_greetings():
    assert summary("127.0.0.1", ["127.0.0.1"], ["hello, 127.0.0.1"], 0) == {
        "target": "127.0.0.1",
        "alive": ["127.0.0.1"],
        "greetings": ["hello, 127.0.0.1"],
        "greeted": 1,
        "skipped": 0,
    }


def test_the_workflow_imports_both_published_tools():
    from lev.levhub.recon import sweep

    assert sweep.nmap.alive.__module__ == "lev.szczecin.nmap_python.nmap"
    assert sweep.greet.hello.__module__ == "lev.levhub.hello.greet"
