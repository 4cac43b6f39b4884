"""Categories: ATT&CK tactics (`Attck`) and BlackArch tool categories (`BlackArch`).

Members are written with a capital first letter (`Attck.Reconnaissance`, `BlackArch.Scanner`);
hyphenated BlackArch keys become CamelCase (`BlackArch.CodeAudit` is `code-audit`).
"""
from __future__ import annotations

import difflib
import enum
from typing import Any


class _CategoryMeta(enum.EnumMeta):
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        members = cls.__dict__.get("_member_map_", {})
        if name in members:
            return members[name]
        close = difflib.get_close_matches(name, list(members), n=3)
        hint = f"; did you mean {', '.join(cls.__name__ + '.' + c for c in close)}?" if close else ""
        raise AttributeError(f"{cls.__name__} has no category {name!r}{hint}")


class Attck(enum.Enum, metaclass=_CategoryMeta):
    """MITRE ATT&CK tactics: `.id` (TA…), `.label`, `.key` (the member name)."""

    Reconnaissance = ("TA0043", "Reconnaissance")
    ResourceDevelopment = ("TA0042", "Resource Development")
    InitialAccess = ("TA0001", "Initial Access")
    Execution = ("TA0002", "Execution")
    Persistence = ("TA0003", "Persistence")
    PrivilegeEscalation = ("TA0004", "Privilege Escalation")
    DefenseEvasion = ("TA0005", "Defense Evasion")
    CredentialAccess = ("TA0006", "Credential Access")
    Discovery = ("TA0007", "Discovery")
    LateralMovement = ("TA0008", "Lateral Movement")
    Collection = ("TA0009", "Collection")
    CommandandControl = ("TA0011", "Command and Control")
    Exfiltration = ("TA0010", "Exfiltration")
    Impact = ("TA0040", "Impact")
    NetworkEffects = ("TA0038", "Network Effects")
    RemoteServiceEffects = ("TA0039", "Remote Service Effects")

    @property
    def id(self) -> str:
        return self.value[0]

    @property
    def label(self) -> str:
        return self.value[1]

    @property
    def key(self) -> str:
        return self.name


_BLACKARCH = [
    ("webapp", "Web application"), ("fuzzer", "Fuzzer"), ("scanner", "Scanner"), ("proxy", "Proxy"),
    ("windows", "Windows"), ("dos", "Denial of service"), ("disassembler", "Disassembler"),
    ("cracker", "Cracker"), ("voip", "VoIP"), ("exploitation", "Exploitation"), ("recon", "Reconnaissance"),
    ("spoof", "Spoofing"), ("forensic", "Forensics"), ("crypto", "Cryptography"), ("backdoor", "Backdoor"),
    ("networking", "Networking"), ("misc", "Misc"), ("defensive", "Defensive"), ("wireless", "Wireless"),
    ("automation", "Automation"), ("sniffer", "Sniffer"), ("binary", "Binary"), ("packer", "Packer"),
    ("reversing", "Reversing"), ("mobile", "Mobile"), ("malware", "Malware"), ("code-audit", "Code audit"),
    ("social", "Social engineering"), ("honeypot", "Honeypot"), ("hardware", "Hardware"),
    ("fingerprint", "Fingerprinting"), ("decompiler", "Decompiler"), ("config", "Configuration"),
    ("debugger", "Debugger"), ("firmware", "Firmware"), ("bluetooth", "Bluetooth"), ("database", "Database"),
    ("automobile", "Automobile (CAN)"), ("nfc", "NFC"), ("tunnel", "Tunnel"), ("drone", "Drone"),
    ("unpacker", "Unpacker"), ("radio", "Radio"), ("keylogger", "Keylogger"), ("stego", "Steganography"),
    ("anti-forensic", "Anti-forensics"), ("ids", "Intrusion detection"), ("gpu", "GPU"),
]


def _member(key: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in key.split("-"))


class _BlackArchCategory(enum.Enum, metaclass=_CategoryMeta):
    @property
    def key(self) -> str:
        return self.value[0]

    @property
    def label(self) -> str:
        return self.value[1]


BlackArch = _BlackArchCategory(  # type: ignore[call-overload]
    "BlackArch", [(_member(k), (k, label)) for k, label in _BLACKARCH], module=__name__, qualname="BlackArch"
)
BlackArch.__doc__ = "BlackArch categories: `.key` (e.g. code-audit) and `.label`."

__all__ = ["Attck", "BlackArch"]
