"""Categories: ATT&CK tactics (`Attck`) and BlackArch tool categories (`BlackArch`).

Members are written with a capital first letter (`Attck.Reconnaissance`, `BlackArch.Scanner`);
hyphenated BlackArch keys become CamelCase (`BlackArch.CodeAudit` is `code-audit`).
"""
from __future__ import annotations

import enum
from typing import Any


def _suggest(family: str, name: str, members: list[str]) -> str:
    """Close member names: spelling slips, prefixes (`Recon` → `Reconnaissance`), other case."""
    low = name.lower()
    close = [m for m in members if m.lower() == low]
    import difflib

    close += [m for m in difflib.get_close_matches(name, members, n=3, cutoff=0.5) if m not in close]
    close += [m for m in members if low and (m.lower().startswith(low) or low in m.lower()) and m not in close]
    if close:
        return "; did you mean " + ", ".join(f"{family}.{c}" for c in close[:4]) + "?"
    return f"; its members are {', '.join(members)}"


class _CategoryMeta(enum.EnumMeta):
    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        members = cls.__dict__.get("_member_map_", {})
        if name in members:
            return members[name]
        raise AttributeError(f"{cls.__name__} has no category {name!r}{_suggest(cls.__name__, name, list(members))}")


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


class BlackArch(enum.Enum, metaclass=_CategoryMeta):
    """BlackArch tool categories: `.key` (e.g. `code-audit`) and `.label`. Members are written
    out (not generated) so editors complete them."""

    Webapp = ("webapp", "Web application")
    Fuzzer = ("fuzzer", "Fuzzer")
    Scanner = ("scanner", "Scanner")
    Proxy = ("proxy", "Proxy")
    Windows = ("windows", "Windows")
    Dos = ("dos", "Denial of service")
    Disassembler = ("disassembler", "Disassembler")
    Cracker = ("cracker", "Cracker")
    Voip = ("voip", "VoIP")
    Exploitation = ("exploitation", "Exploitation")
    Recon = ("recon", "Reconnaissance")
    Spoof = ("spoof", "Spoofing")
    Forensic = ("forensic", "Forensics")
    Crypto = ("crypto", "Cryptography")
    Backdoor = ("backdoor", "Backdoor")
    Networking = ("networking", "Networking")
    Misc = ("misc", "Misc")
    Defensive = ("defensive", "Defensive")
    Wireless = ("wireless", "Wireless")
    Automation = ("automation", "Automation")
    Sniffer = ("sniffer", "Sniffer")
    Binary = ("binary", "Binary")
    Packer = ("packer", "Packer")
    Reversing = ("reversing", "Reversing")
    Mobile = ("mobile", "Mobile")
    Malware = ("malware", "Malware")
    CodeAudit = ("code-audit", "Code audit")
    Social = ("social", "Social engineering")
    Honeypot = ("honeypot", "Honeypot")
    Hardware = ("hardware", "Hardware")
    Fingerprint = ("fingerprint", "Fingerprinting")
    Decompiler = ("decompiler", "Decompiler")
    Config = ("config", "Configuration")
    Debugger = ("debugger", "Debugger")
    Firmware = ("firmware", "Firmware")
    Bluetooth = ("bluetooth", "Bluetooth")
    Database = ("database", "Database")
    Automobile = ("automobile", "Automobile (CAN)")
    Nfc = ("nfc", "NFC")
    Tunnel = ("tunnel", "Tunnel")
    Drone = ("drone", "Drone")
    Unpacker = ("unpacker", "Unpacker")
    Radio = ("radio", "Radio")
    Keylogger = ("keylogger", "Keylogger")
    Stego = ("stego", "Steganography")
    AntiForensic = ("anti-forensic", "Anti-forensics")
    Ids = ("ids", "Intrusion detection")
    Gpu = ("gpu", "GPU")

    @property
    def key(self) -> str:
        return self.value[0]

    @property
    def label(self) -> str:
        return self.value[1]


__all__ = ["Attck", "BlackArch"]
