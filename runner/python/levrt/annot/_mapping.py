"""`Assets` and `Findings`: how a schema's documents map to the hub's asset inventory (hosts,
services, web origins) and to findings. Recorded in the manifest next to `keys`; the hub maps each
stored document with them (lib/findings/mapping.ts holds the same rules and checks them again).

Paths are written from the document's root in the grammar of `annot.Keys`: fields separated by
'.', lists as 'name[]'. An *element* path ends in a list (`hosts[]`, `hosts[].ports[]`): one item
at a time; a *field* path ends in a field (`hosts[].ip`). A field path is read in the context of
the element being mapped: `hosts[].ip` next to `hosts[].ports[]` is that port's host's address.
Through any other list a path reads every item (as MongoDB does).

A *template* is text with `{path}` placeholders (`"Cleartext {hosts[].ports[].service}"`); `{{`
and `}}` are literal braces; a template without placeholders is a constant.
"""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence, Union

SEVERITIES = ("info", "low", "medium", "high", "critical")
ASSET_KINDS = ("host", "service", "origin")
MAX_CONDITIONS = 16
MAX_VALUES = 100
MAX_TEMPLATE = 300

_SEGMENT = re.compile(r"^[^.\[\]\s{}]{1,100}$")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")

Scalar = Union[str, int, float, bool, None]


def _parts(path: Any, element: bool) -> Optional[list[str]]:
    """The path's parts, or None when it breaks the grammar (an element path ends in `[]`, a field path does not)."""
    if not isinstance(path, str) or not path or len(path) > 200:
        return None
    parts = path.split(".")
    for i, part in enumerate(parts):
        name = part[:-2] if part.endswith("[]") else part
        if not _SEGMENT.match(name):
            return None
        if i == len(parts) - 1 and part.endswith("[]") != element:
            return None
    return parts


def _lists(parts: Sequence[str]) -> list[str]:
    """The list prefixes along a path: `hosts[].ports[].port` → ['hosts[]', 'hosts[].ports[]']."""
    out = []
    for i, part in enumerate(parts):
        if part.endswith("[]"):
            out.append(".".join(parts[: i + 1]))
    return out


def _check_element(what: str, path: Any) -> Optional[str]:
    if path is None:
        return None
    if _parts(path, element=True) is None:
        raise ValueError(f"{what}: {path!r} is not a list path: write fields separated by '.', lists as 'name[]', ending in a list ('hosts[]', 'hosts[].ports[]')")
    return path


def _check_field(what: str, path: Any) -> Optional[str]:
    if path is None:
        return None
    if _parts(path, element=False) is None:
        raise ValueError(f"{what}: {path!r} is not a field path: write fields separated by '.', lists as 'name[]', ending in a field ('hosts[].ip')")
    return path


def _under(path: str, element: Optional[str]) -> bool:
    """Whether a path lies inside an element (or anywhere, for the document)."""
    return element is None or path.startswith(element + ".")


def template_paths(template: str) -> list[str]:
    """The paths a template's placeholders read; raises ValueError for a malformed template."""
    paths = []
    for m in _PLACEHOLDER.finditer(template):
        text = m.group(0)
        if text in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise ValueError(f"template {template!r}: a lone '{text}' (write '{text}{text}' for the character)")
        if _parts(m.group(1), element=False) is None:
            raise ValueError(f"template {template!r}: {{{m.group(1)}}} is not a field path ('hosts[].ports[].service')")
        paths.append(m.group(1))
    return paths


def _check_template(what: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEMPLATE or "\n" in value:
        raise ValueError(f"{what}: one line of text of at most {MAX_TEMPLATE} characters, with {{path}} placeholders, not {value!r}")
    try:
        template_paths(value)
    except ValueError as e:
        raise ValueError(f"{what}: {e}") from None
    return value


def _check_schema(kind: str, schema: Any) -> str:
    if not isinstance(schema, str) or not schema or len(schema) > 200 or any(c in schema for c in "|$\0"):
        raise ValueError(f"{kind}: schema must look like 'port_os@1.0' or '<ns>/<name>.port_os@1.0', not {schema!r}")
    return schema


class Assets:
    """Where a schema's documents hold hosts, services and web origins, for the hub's asset
    inventory:

        annot.Assets("port_os@1.0", hosts="hosts[]", address="hosts[].ip", names="hosts[].hostnames",
                     services="hosts[].ports[]", port="hosts[].ports[].port",
                     protocol="hosts[].ports[].protocol", state="hosts[].ports[].state",
                     service="hosts[].ports[].service", product="hosts[].ports[].product",
                     version="hosts[].ports[].version")

    `hosts`: the list of hosts (absent: the document is one host); `address` an IP address in it (the
    list path itself when each item is a bare address: `hosts="alive[]", address="alive[]"`);
    `names` host names (a name or a list of them). `services`: the list of a host's services (absent
    with `port` given: the host element is one service); `port` 0–65535, `protocol` tcp, udp or sctp
    (absent: tcp), `state` (a closed or filtered port is no service), `service` its name, `product`
    and `version`. `origins`: web origins, URLs (`https://example.com:8443/login` → the origin
    https://example.com:8443), a URL or a list of them, anywhere in the document."""

    FIELDS = ("hosts", "address", "names", "services", "port", "protocol", "state", "service", "product", "version", "origins")

    def __init__(
        self,
        schema: str,
        *,
        hosts: Optional[str] = None,
        address: Optional[str] = None,
        names: Optional[str] = None,
        services: Optional[str] = None,
        port: Optional[str] = None,
        protocol: Optional[str] = None,
        state: Optional[str] = None,
        service: Optional[str] = None,
        product: Optional[str] = None,
        version: Optional[str] = None,
        origins: Optional[str] = None,
    ) -> None:
        self.schema = _check_schema("Assets", schema)
        where = f"Assets({schema!r})"
        self.hosts = _check_element(f"{where} hosts", hosts)
        self.services = _check_element(f"{where} services", services)
        # a list of bare addresses: each item is the address (`hosts="alive[]", address="alive[]"`)
        self.address = address if address is not None and address == self.hosts else _check_field(f"{where} address", address)
        self.names = _check_field(f"{where} names", names)
        self.port = _check_field(f"{where} port", port)
        self.protocol = _check_field(f"{where} protocol", protocol)
        self.state = _check_field(f"{where} state", state)
        self.service = _check_field(f"{where} service", service)
        self.product = _check_field(f"{where} product", product)
        self.version = _check_field(f"{where} version", version)
        self.origins = _check_field(f"{where} origins", origins)
        if self.address is None and self.origins is None:
            raise ValueError(f"{where}: map hosts (address=…) or web origins (origins=…), or both")
        host_fields = {"hosts": self.hosts, "names": self.names, "services": self.services, "port": self.port}
        if self.address is None and any(v is not None for v in host_fields.values()):
            raise ValueError(f"{where}: hosts and services need the host's address (address=…)")
        if self.address is not None and self.address != self.hosts and not _under(self.address, self.hosts):
            raise ValueError(f"{where}: address {self.address!r} must lie in each host ({self.hosts}.…)")
        if self.names is not None and not _under(self.names, self.hosts):
            raise ValueError(f"{where}: names {self.names!r} must lie in each host ({self.hosts}.…)")
        if self.services is not None and not _under(self.services, self.hosts):
            raise ValueError(f"{where}: services {self.services!r} must be a list in each host ({self.hosts}.…)")
        service_fields = {"protocol": self.protocol, "state": self.state, "service": self.service, "product": self.product, "version": self.version}
        if self.services is not None and self.port is None:
            raise ValueError(f"{where}: services need their port (port=…)")
        if self.port is None and any(v is not None for v in service_fields.values()):
            raise ValueError(f"{where}: {', '.join(k for k, v in service_fields.items() if v is not None)} describe services: give their port (port=…)")
        element = self.services if self.services is not None else self.hosts
        for name, path in {"port": self.port, **service_fields}.items():
            if path is not None and not _under(path, element):
                raise ValueError(f"{where}: {name} {path!r} must lie in each service ({element}.…)")

    def manifest(self, schema: str) -> dict[str, Any]:
        """The manifest's entry (under the full schema name): the fields given."""
        out: dict[str, Any] = {"schema": schema}
        for f in self.FIELDS:
            v = getattr(self, f)
            if v is not None:
                out[f] = v
        return out

    def __repr__(self) -> str:
        given = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS if getattr(self, f) is not None)
        return f"Assets({self.schema!r}, {given})"


class Findings:
    """Which items of a schema's documents are findings, and how to name, rate and dedupe them:

        annot.Findings("port_os@1.0", each="hosts[].ports[]",
                       where={"hosts[].ports[].state": "open", "hosts[].ports[].service": ["telnet", "ftp"]},
                       key="cleartext-remote-access", title="Cleartext remote access ({hosts[].ports[].service})",
                       severity="medium", asset="service", evidence="hosts[].ports[]")

    `each`: the list whose items may be findings (absent: the document is one). `where`: conditions
    on fields, `{path: value}` or `{path: [values]}` (any of them), all of which must hold. `key`,
    `title`, `severity`: templates. The key names the finding within its asset: the hub keeps one
    finding per (project, asset, key) and updates it each time a scan sees it again.
    `severity` renders to info, low, medium, high or critical, after `severities` translates the
    tool's words (`{"error": "high", "warning": "medium", "note": "low"}`). `asset`: what the
    finding is about, the host, service or origin `annot.Assets` maps from the same item (or the item
    it lies in); absent: the project. `evidence`: the value kept as proof, a field or list path
    (absent: the item); the hub keeps an excerpt, its sha256 and where it was."""

    def __init__(
        self,
        schema: str,
        *,
        key: str,
        title: str,
        severity: str,
        each: Optional[str] = None,
        where: Optional[Mapping[str, Union[Scalar, Sequence[Scalar]]]] = None,
        severities: Optional[Mapping[str, str]] = None,
        asset: Optional[str] = None,
        evidence: Optional[str] = None,
    ) -> None:
        self.schema = _check_schema("Findings", schema)
        at = f"Findings({schema!r})"
        self.each = _check_element(f"{at} each", each)
        self.key = _check_template(f"{at} key", key)
        self.title = _check_template(f"{at} title", title)
        self.severity = _check_template(f"{at} severity", severity)
        if severities is None:
            severities = {}
        if not isinstance(severities, Mapping) or len(severities) > MAX_VALUES:
            raise TypeError(f"{at} severities: a dict from the tool's words to {', '.join(SEVERITIES)} (at most {MAX_VALUES})")
        for word, sev in severities.items():
            if not isinstance(word, str) or not word or len(word) > 100 or sev not in SEVERITIES:
                raise ValueError(f"{at} severities: {word!r} → {sev!r}: a word and one of {', '.join(SEVERITIES)}")
        self.severities = {w.strip().lower(): s for w, s in severities.items()}
        if not template_paths(self.severity) and self.severity.strip().lower() not in SEVERITIES and self.severity.strip().lower() not in self.severities:
            raise ValueError(f"{at} severity: {self.severity!r} is none of {', '.join(SEVERITIES)}")
        if where is None:
            where = {}
        if not isinstance(where, Mapping) or len(where) > MAX_CONDITIONS:
            raise TypeError(f"{at} where: a dict of at most {MAX_CONDITIONS} conditions, {{path: value}} or {{path: [values]}}")
        self.where: list[dict[str, Any]] = []
        for path, value in where.items():
            _check_field(f"{at} where", path)
            values = list(value) if isinstance(value, (list, tuple)) else [value]
            if not values or len(values) > MAX_VALUES or not all(v is None or isinstance(v, (str, int, float, bool)) for v in values):
                raise ValueError(f"{at} where {path!r}: a value or a list of 1 to {MAX_VALUES} values (text, numbers, true/false, None)")
            if any(isinstance(v, str) and len(v) > 200 for v in values):
                raise ValueError(f"{at} where {path!r}: values of at most 200 characters")
            self.where.append({"path": path, "in": values})
        if asset is not None and asset not in ASSET_KINDS:
            raise ValueError(f"{at} asset: one of {', '.join(ASSET_KINDS)}, or None for the project, not {asset!r}")
        self.asset = asset
        if evidence is not None and _parts(evidence, element=False) is None and _parts(evidence, element=True) is None:
            raise ValueError(f"{at} evidence: {evidence!r} is not a path ('hosts[].ports[]', 'matched-at')")
        self.evidence = evidence

    def manifest(self, schema: str) -> dict[str, Any]:
        out: dict[str, Any] = {"schema": schema, "key": self.key, "title": self.title, "severity": self.severity}
        if self.each is not None:
            out["each"] = self.each
        if self.where:
            out["where"] = [dict(c) for c in self.where]
        if self.severities:
            out["severities"] = dict(self.severities)
        if self.asset is not None:
            out["asset"] = self.asset
        if self.evidence is not None:
            out["evidence"] = self.evidence
        return out

    def __repr__(self) -> str:
        return f"Findings({self.schema!r}, key={self.key!r}, each={self.each!r}, severity={self.severity!r})"


def mapping_problem(assets: Optional[dict[str, Any]], finding: dict[str, Any]) -> Optional[str]:
    """Why a finding's asset cannot come from the schema's Assets declared beside it (None: it can)."""
    kind = finding.get("asset")
    if kind is None or assets is None:
        return None
    each = finding.get("each")
    inside = lambda element: element is None or each == element or (each or "").startswith(element + ".")  # noqa: E731
    if kind == "host":
        if "address" not in assets:
            return "asks for the host, but the schema's Assets maps no hosts"
        if not inside(assets.get("hosts")):
            return f"asks for the host, but each={each!r} does not lie in the hosts ({assets.get('hosts')})"
    if kind == "service":
        if "port" not in assets:
            return "asks for the service, but the schema's Assets maps no services"
        element = assets.get("services", assets.get("hosts"))
        if not inside(element):
            return f"asks for the service, but each={each!r} does not lie in the services ({element})"
    if kind == "origin" and "origins" not in assets:
        return "asks for the origin, but the schema's Assets maps no origins"
    return None
