/**
 * Mappings and documents for tests and the bench: the nmap example's declarations as its manifest
 * records them (runner/python/tests/test_annot_mapping.py checks that side) and nmap-shaped
 * documents. Pure.
 */

export const PORT_OS = "szczecin/nmap_python.port_os@1.0";

const CLEARTEXT = ["ftp", "telnet", "exec", "login", "shell"];

/** The `assets` and `findings` of the nmap example's manifest (port_os and alive; the port_os findings used here). */
export const NMAP_MAPPINGS = {
  assets: [
    {
      schema: PORT_OS,
      hosts: "hosts[]",
      address: "hosts[].ip",
      names: "hosts[].hostnames",
      services: "hosts[].ports[]",
      port: "hosts[].ports[].port",
      protocol: "hosts[].ports[].protocol",
      state: "hosts[].ports[].state",
      service: "hosts[].ports[].service",
      product: "hosts[].ports[].product",
      version: "hosts[].ports[].version",
    },
    { schema: "szczecin/nmap_python.alive@1.0", hosts: "alive[]", address: "alive[]" },
  ],
  findings: [
    {
      schema: PORT_OS,
      each: "hosts[].ports[]",
      where: [
        { path: "hosts[].ports[].state", in: ["open"] },
        { path: "hosts[].ports[].service", in: CLEARTEXT },
      ],
      key: "cleartext-remote-access",
      severity: "medium",
      asset: "service",
      evidence: "hosts[].ports[]",
      title: "Cleartext remote access service reachable: {hosts[].ports[].service} on {hosts[].ports[].port}/{hosts[].ports[].protocol} (named by port number)",
    },
  ],
};

export interface PortSpec {
  port: number;
  state?: string;
  service?: string | null;
  protocol?: string;
  product?: string | null;
  version?: string | null;
}

/** One port as the nmap example's parse_xml writes it. */
export function nmapPort(p: PortSpec) {
  return { port: p.port, protocol: p.protocol ?? "tcp", state: p.state ?? "open", service: p.service ?? null, product: p.product ?? null, version: p.version ?? null };
}

/** A port_os document: hosts by address, each with its ports. */
export function nmapDocument(target: string, hosts: { ip: string; names?: string[]; ports: PortSpec[] }[]) {
  return {
    target,
    hosts: hosts.map((h) => ({ ip: h.ip, hostnames: h.names ?? [], status: "up", ports: h.ports.map(nmapPort), os: [{ name: "Linux 5.X", accuracy: 96 }] })),
  };
}
