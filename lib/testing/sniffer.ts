/**
 * What a granted host-network tool with NET_RAW could read on the hub's machine: a plain container
 * with `--network host --cap-add NET_RAW` (uid 0, every other capability dropped) that captures
 * every frame on every interface, `lo` included, with an AF_PACKET socket, into a file the test
 * reads afterwards. The capture is bounded in bytes and time; it sends nothing.
 *
 * The machine may be shared (other hubs, other tests): `tcpSegments` and `listeningTcpPorts` let a
 * test attribute what it finds to its own processes.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Docker from "dockerode";

const IMAGE = "levhub/python:bookworm";
const MAX_BYTES = 256 * 1024 * 1024;
const MAX_SECONDS = 300;

// ETH_P_ALL on an unbound AF_PACKET socket: every frame of every interface, both directions
const SCRIPT = `
import os, socket, sys, time
limit, until = int(sys.argv[1]), time.time() + int(sys.argv[2])
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.ntohs(0x0003))
s.settimeout(0.1)
total = 0
with open("/out/capture.bin", "wb") as out:
    open("/out/ready", "w").close()
    while time.time() < until and not os.path.exists("/out/stop") and total < limit:
        try:
            frame = s.recv(262144)
        except socket.timeout:
            continue
        out.write(len(frame).to_bytes(4, "big") + frame)
        total += len(frame)
`;

export interface Capture {
  /** every captured frame, as captured */
  frames: Buffer[];
  /** all frames' bytes, one after another (for searching) */
  bytes: Buffer;
}

export interface Sniffer {
  /** ends the capture and returns it */
  stop(): Promise<Capture>;
}

/** Starts the capture; resolves once the socket is open (frames from then on are captured). */
export async function startSniffer(docker = new Docker()): Promise<Sniffer> {
  const dir = mkdtempSync(path.join(tmpdir(), "levhub-sniff-"));
  const container = await docker.createContainer({
    Image: IMAGE,
    Cmd: ["python3", "-c", SCRIPT, String(MAX_BYTES), String(MAX_SECONDS)],
    User: "0",
    Labels: { "levhub.test": "sniffer" },
    HostConfig: { NetworkMode: "host", CapDrop: ["ALL"], CapAdd: ["NET_RAW"], Binds: [`${dir}:/out`], SecurityOpt: ["no-new-privileges"] },
  });
  const remove = async () => {
    await container.remove({ force: true }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await container.start();
    const deadline = Date.now() + 30_000;
    while (!existsSync(path.join(dir, "ready"))) {
      const state = (await container.inspect()).State;
      if (!state.Running) throw new Error(`the sniffer exited (${state.ExitCode}) before it listened: ${(await container.logs({ stdout: true, stderr: true })).toString().slice(-2000)}`);
      if (Date.now() > deadline) throw new Error("the sniffer did not listen within 30 s");
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await remove();
    throw err;
  }
  return {
    async stop() {
      try {
        writeFileSync(path.join(dir, "stop"), "");
        await container.wait();
        const raw = readFileSync(path.join(dir, "capture.bin"));
        const frames: Buffer[] = [];
        for (let at = 0; at + 4 <= raw.length; ) {
          const n = raw.readUInt32BE(at);
          frames.push(raw.subarray(at + 4, at + 4 + n));
          at += 4 + n;
        }
        return { frames, bytes: Buffer.concat(frames) };
      } finally {
        await remove();
      }
    },
  };
}

export interface TcpSegment {
  src: number;
  dst: number;
  payload: Buffer;
}

/** The TCP segments of Ethernet frames (IPv4, and IPv6 without extension headers); anything else is skipped. */
export function tcpSegments(frames: Buffer[]): TcpSegment[] {
  const out: TcpSegment[] = [];
  for (const f of frames) {
    if (f.length < 14) continue;
    const type = f.readUInt16BE(12);
    let tcp: number;
    if (type === 0x0800 && f.length >= 34) {
      if (f[23] !== 6) continue;
      tcp = 14 + (f[14] & 0x0f) * 4;
    } else if (type === 0x86dd && f.length >= 54) {
      if (f[20] !== 6) continue;
      tcp = 14 + 40;
    } else continue;
    if (f.length < tcp + 20) continue;
    const body = tcp + (f[tcp + 12] >> 4) * 4;
    out.push({ src: f.readUInt16BE(tcp), dst: f.readUInt16BE(tcp + 2), payload: f.subarray(Math.min(body, f.length)) });
  }
  return out;
}

/** The TCP ports process `pid` listens on (its sockets in /proc/<pid>/fd matched with /proc/net/tcp{,6}). */
export function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      // closed meanwhile
    }
  }
  const ports: number[] = [];
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    for (const line of readFileSync(table, "utf8").split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      // local_address is ADDR:PORT in hex, st 0A is LISTEN, inode is the tenth column
      if (cols.length > 9 && cols[3] === "0A" && inodes.has(cols[9])) ports.push(parseInt(cols[1].split(":")[1], 16));
    }
  }
  return ports;
}
