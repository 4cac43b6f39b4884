import { test } from "node:test";
import assert from "node:assert/strict";
import { addressRefusal, hostAllowListed, ipv6Groups, urlRefusal } from "./address-policy.ts";

// every form a webhook target may take to reach somewhere it must not, and some it may
const REFUSED = [
  "127.0.0.1", "127.255.255.254", "0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.255",
  "169.254.169.254", "169.254.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1", "192.0.0.8", "192.0.2.1", "198.18.0.1",
  "198.19.255.255", "198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
  "::", "::1", "0:0:0:0:0:0:0:1", "fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "fc00::1", "fd00::1", "fd00:ec2::254", "ff02::1", "ff05::2",
  "::ffff:127.0.0.1", "::ffff:7f00:1", "::FFFF:169.254.169.254", "::ffff:a9fe:a9fe", "::ffff:10.0.0.1", "::ffff:0:127.0.0.1",
  "::127.0.0.1", "::7f00:1", "::8.8.8.8", "64:ff9b::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a9fe:a9fe::",
  "2001::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001:db8::1", "100::1",
];
const ALLOWED = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "169.253.255.255", "2606:4700:4700::1111", "2a00:1450:4001::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"];

test("every private, loopback, link-local, metadata, reserved and embedded form is refused", () => {
  for (const a of REFUSED) assert.ok(addressRefusal(a), `${a} must be refused`);
});

test("public addresses, also embedded in IPv6, pass", () => {
  for (const a of ALLOWED) assert.equal(addressRefusal(a), null, a);
});

test("a refusal says why, naming the embedded form", () => {
  assert.match(addressRefusal("169.254.169.254")!, /metadata/);
  assert.match(addressRefusal("::ffff:127.0.0.1")!, /^IPv4-mapped loopback/);
  assert.match(addressRefusal("fd00:ec2::254")!, /metadata/);
  assert.equal(addressRefusal("example.com"), "not an IP address");
  assert.equal(addressRefusal("127.1"), "not an IP address");
});

test("ipv6Groups expands every spelling", () => {
  assert.deepEqual(ipv6Groups("::1"), [0, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipv6Groups("::ffff:1.2.3.4"), [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
  assert.deepEqual(ipv6Groups("fe80::1%lo"), [0xfe80, 0, 0, 0, 0, 0, 0, 1]);
  assert.deepEqual(ipv6Groups("1:2:3:4:5:6:7:8"), [1, 2, 3, 4, 5, 6, 7, 8]);
});

test("URLs: https only, http and private only for allow-listed hosts, literals judged before any lookup", () => {
  const u = (s: string) => new URL(s);
  assert.equal(urlRefusal(u("https://hooks.example.com/x"), []), null);
  assert.match(urlRefusal(u("http://hooks.example.com/x"), [])!, /https/);
  assert.match(urlRefusal(u("ftp://hooks.example.com/x"), [])!, /https/);
  assert.match(urlRefusal(u("https://user:pw@hooks.example.com/x"), [])!, /user name/);
  // the WHATWG parser turns decimal, hex and short forms into the dotted address first
  for (const s of ["https://127.0.0.1/", "https://2130706433/", "https://0x7f.1/", "https://017700000001/", "https://[::ffff:127.0.0.1]/", "https://[::1]:8443/", "https://169.254.169.254/latest", "https://localhost/", "https://a.localhost/"]) {
    assert.ok(urlRefusal(u(s), []), s);
  }
  assert.equal(urlRefusal(u("http://127.0.0.1:9000/hook"), ["127.0.0.1"]), null);
  assert.equal(urlRefusal(u("http://127.0.0.1:9000/hook"), ["127.0.0.1:9000"]), null);
  assert.match(urlRefusal(u("http://127.0.0.1:9001/hook"), ["127.0.0.1:9000"])!, /https/);
  assert.match(urlRefusal(u("https://127.0.0.1:9001/hook"), ["127.0.0.1:9000"])!, /loopback/);
});

test("allow-list entries match the host exactly, with or without a port, brackets optional", () => {
  assert.ok(hostAllowListed(new URL("http://[::1]:8080/"), ["[::1]:8080"]));
  assert.ok(hostAllowListed(new URL("http://[::1]:8080/"), ["::1"]));
  assert.ok(hostAllowListed(new URL("https://Chat.LAN/"), ["chat.lan:443"]));
  assert.ok(!hostAllowListed(new URL("https://evil-chat.lan/"), ["chat.lan"]));
  assert.ok(!hostAllowListed(new URL("https://chat.lan.evil.com/"), ["chat.lan"]));
});
