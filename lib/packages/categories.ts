/**
 * Every member of `levrt.annot.cats` (see shared LEVRT.md): ATT&CK tactics and BlackArch
 * categories, in the order the home page shows them. Manifest keys are matched loosely
 * (`Scanner`, `scanner`, `CodeAudit`, `code-audit`) through `normalizeCategory`.
 */
export interface Category {
  key: string;
  id?: string;
  label: string;
}

export const ATTCK_TACTICS: Category[] = [
  { key: "Reconnaissance", id: "TA0043", label: "Reconnaissance" },
  { key: "ResourceDevelopment", id: "TA0042", label: "Resource Development" },
  { key: "InitialAccess", id: "TA0001", label: "Initial Access" },
  { key: "Execution", id: "TA0002", label: "Execution" },
  { key: "Persistence", id: "TA0003", label: "Persistence" },
  { key: "PrivilegeEscalation", id: "TA0004", label: "Privilege Escalation" },
  { key: "DefenseEvasion", id: "TA0005", label: "Defense Evasion" },
  { key: "CredentialAccess", id: "TA0006", label: "Credential Access" },
  { key: "Discovery", id: "TA0007", label: "Discovery" },
  { key: "LateralMovement", id: "TA0008", label: "Lateral Movement" },
  { key: "Collection", id: "TA0009", label: "Collection" },
  { key: "CommandandControl", id: "TA0011", label: "Command and Control" },
  { key: "Exfiltration", id: "TA0010", label: "Exfiltration" },
  { key: "Impact", id: "TA0040", label: "Impact" },
  { key: "NetworkEffects", id: "TA0038", label: "Network Effects" },
  { key: "RemoteServiceEffects", id: "TA0039", label: "Remote Service Effects" },
];

export const BLACKARCH_CATEGORIES: Category[] = (
  [
    ["webapp", "Web application"], ["fuzzer", "Fuzzer"], ["scanner", "Scanner"], ["proxy", "Proxy"],
    ["windows", "Windows"], ["dos", "Denial of service"], ["disassembler", "Disassembler"], ["cracker", "Cracker"],
    ["voip", "VoIP"], ["exploitation", "Exploitation"], ["recon", "Reconnaissance"], ["spoof", "Spoofing"],
    ["forensic", "Forensics"], ["crypto", "Cryptography"], ["backdoor", "Backdoor"], ["networking", "Networking"],
    ["misc", "Misc"], ["defensive", "Defensive"], ["wireless", "Wireless"], ["automation", "Automation"],
    ["sniffer", "Sniffer"], ["binary", "Binary"], ["packer", "Packer"], ["reversing", "Reversing"],
    ["mobile", "Mobile"], ["malware", "Malware"], ["code-audit", "Code audit"], ["social", "Social engineering"],
    ["honeypot", "Honeypot"], ["hardware", "Hardware"], ["fingerprint", "Fingerprinting"], ["decompiler", "Decompiler"],
    ["config", "Configuration"], ["debugger", "Debugger"], ["firmware", "Firmware"], ["bluetooth", "Bluetooth"],
    ["database", "Database"], ["automobile", "Automobile (CAN)"], ["nfc", "NFC"], ["tunnel", "Tunnel"],
    ["drone", "Drone"], ["unpacker", "Unpacker"], ["radio", "Radio"], ["keylogger", "Keylogger"],
    ["stego", "Steganography"], ["anti-forensic", "Anti-forensics"], ["ids", "Intrusion detection"], ["gpu", "GPU"],
  ] as const
).map(([key, label]) => ({ key, label }));

const squash = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, "");
const attckIndex = new Map(ATTCK_TACTICS.flatMap((c) => [[squash(c.key), c], [squash(c.id ?? ""), c], [squash(c.label), c]] as const));
const blackarchIndex = new Map(BLACKARCH_CATEGORIES.flatMap((c) => [[squash(c.key), c], [squash(c.label), c]] as const));

/** The canonical key of a manifest category, or null when it is not a member. */
export function normalizeCategory(kind: "attck" | "blackarch", raw: string): string | null {
  const index = kind === "attck" ? attckIndex : blackarchIndex;
  return index.get(squash(raw))?.key ?? null;
}

export function categoryLabel(kind: "attck" | "blackarch", key: string): string {
  const list = kind === "attck" ? ATTCK_TACTICS : BLACKARCH_CATEGORIES;
  return list.find((c) => c.key === key)?.label ?? key;
}
