"""`levrt.Secret`: a project secret bound to a parameter. The workflow holds a handle only; a Cr
forwards it as a whole env value, and only the tool container it starts gets the value."""
import json
import os
import typing

import pytest

import levrt
from levrt import Cr, Secret, annot
from levrt._plan import rebuild
from levrt._refs import SECRETS_ENV, mentions_secret, revive, to_json
from levrt.introspect import _function, _Problems

REF = "s" * 8 + "0123456789abcdef"
TOKEN = '{"$lev":"secret","id":"' + REF + '"}'


def test_a_secret_handle_is_opaque_and_round_trips_as_a_typed_reference():
    s = Secret(REF, "shodan")
    assert levrt.Secret is Secret and "Secret" in levrt.__all__
    assert s.name == "shodan" and not hasattr(s, "path")
    assert repr(s) == "<levrt.Secret 'shodan'>"
    assert revive(json.loads(json.dumps(to_json({"k": [s], "n": 1})))) == {"k": [s], "n": 1}
    assert revive({"$lev": "secret", "id": REF}).name == "secret"
    for bad in ["", "short", "../../etc", "x" * 65, None, 3]:
        with pytest.raises((ValueError, TypeError)):
            Secret(bad)  # type: ignore[arg-type]


def test_as_text_a_secret_is_a_placeholder_the_runner_recognises_only_as_a_whole_env_value():
    s = Secret(REF, "shodan")
    assert str(s) == TOKEN and f"{s}" == TOKEN and f"{s:>40}" == TOKEN
    assert "KEY=" + s == "KEY=" + TOKEN and s + "!" == TOKEN + "!"
    assert mentions_secret("x " + TOKEN) and mentions_secret(json.dumps(s.to_json())) and not mentions_secret("$lev secret")
    with pytest.raises(TypeError):
        s + 1  # type: ignore[operator]


def test_the_value_is_only_in_a_tool_container_whose_cr_forwards_it(monkeypatch):
    s = Secret(REF, "shodan")
    monkeypatch.delenv(SECRETS_ENV, raising=False)
    with pytest.raises(PermissionError, match="only in a tool container whose Cr forwards it"):
        s.value()
    # the runner sets LEV_SECRETS (ids → variables) beside the variables it filled in
    monkeypatch.setenv(SECRETS_ENV, json.dumps({REF: "API_KEY"}))
    monkeypatch.setenv("API_KEY", "the-value-0123")
    assert s.value() == "the-value-0123"
    # another secret of the run that this container was not given
    with pytest.raises(PermissionError):
        Secret("t" * 20, "other").value()
    monkeypatch.setenv(SECRETS_ENV, "not json")
    with pytest.raises(PermissionError):
        s.value()


def test_cr_forwards_a_secret_as_a_whole_env_value_and_refuses_it_anywhere_else():
    s = Secret(REF, "shodan")
    assert Cr("img", env={"API_KEY": s, "MODE": "fast"}).spec()["env"] == ["API_KEY=" + TOKEN, "MODE=fast"]
    assert Cr("img", env=["API_KEY=" + s, "A=b"]).spec()["env"] == ["API_KEY=" + TOKEN, "A=b"]
    with pytest.raises(ValueError, match="whole env value"):
        Cr("img", env=["AUTH=Bearer " + s])
    with pytest.raises(ValueError, match="whole env value"):
        Cr("img", env={"AUTH": "Bearer " + s})
    with pytest.raises(ValueError, match="command line"):
        Cr("img", cmd=["--key", str(s)])
    with pytest.raises(ValueError, match="command line"):
        Cr("img", cmd=[f"--key={s}"])
    with pytest.raises(TypeError, match="cannot be written into a file"):
        Cr("img", files={"/etc/key": s})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="cannot be written into a file"):
        Cr("img", files={"/etc/conf.json": json.dumps({"key": s.to_json()})})
    with pytest.raises(ValueError, match="cannot be written into a file"):
        Cr("img", files={"/etc/key": str(s).encode()})
    with pytest.raises(TypeError, match="a string or a levrt.Secret"):
        Cr("img", env={"N": 3})  # type: ignore[dict-item]
    with pytest.raises(ValueError, match="variable names"):
        Cr("img", env={"BAD-NAME": "x"})


def test_a_mode_taking_a_secret_rebuilds_the_same_handle_and_env_in_its_tool_container(rt, monkeypatch):
    from lev.levtest.rt import compat

    s = Secret(REF, "shodan")
    spec = compat.with_secret(s, "q1").spec()
    assert spec["env"] == ["API_KEY=" + TOKEN, "PLAIN=1"]
    builder = spec["entry"]["builder"]
    # the mode's arguments carry the handle (id and name), never a value
    assert builder["args"] == [{"$lev": "secret", "id": REF, "name": "shodan"}, "q1"]
    rebuilt = rebuild(json.loads(json.dumps(spec["entry"])))
    assert rebuilt.spec()["env"] == spec["env"]
    assert rebuilt.entry is not None and rebuilt.entry.remote.builder.args == [s, "q1"]




def _params(fn):
    problems = _Problems()
    return _function(fn, fn.__name__, problems)["params"], problems.items


def test_introspection_records_secret_parameters_by_annotation_or_by_annot_param():
    def typed(key: Secret, maybe: typing.Optional[Secret] = None, text: "Secret | None" = None, q: str = "") -> Cr: ...

    params, problems = _params(typed)
    assert [(p["name"], p["type"], p["required"]) for p in params] == [
        ("key", "secret", True), ("maybe", "secret", False), ("text", "secret", False), ("q", "str", False),
    ]
    assert problems == []

    @annot.meta(params=[annot.Param("api_key", "the Shodan key", kind="secret")])
    def by_param(api_key, target: str) -> Cr: ...

    params, problems = _params(by_param)
    assert params[0]["type"] == "secret" and params[0]["desc"] == "the Shodan key"
    assert params[1]["type"] == "str"

    def with_default(key: Secret = "oops") -> Cr: ...  # type: ignore[assignment]

    params, problems = _params(with_default)
    assert params[0]["default"] is None
    assert [p["code"] for p in problems] == ["secret-default"]
    with pytest.raises(ValueError, match="kind is one of file, secret"):
        annot.Param("k", kind="password")


def test_the_workflow_receives_handles_for_secret_arguments():
    args = revive({"key": {"$lev": "secret", "id": REF, "name": "wpscan"}, "n": 2})
    assert isinstance(args["key"], Secret) and args["key"].name == "wpscan" and args["n"] == 2
    assert os.environ.get(SECRETS_ENV) is None
