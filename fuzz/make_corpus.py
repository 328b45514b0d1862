#!/usr/bin/env python3
"""Regenerates fuzz/corpus/<target>/ from the project's real data (run from the repository root).

answer_file, topology, snapshot: the lab's and the tests' own files (snapshots trimmed: compact JSON,
a few namespaces, a few flows per bridge, so each seed stays small and fast to mutate).
nat_nftables: the kernel dumps of tests/netprobe/nat_fixtures/*.dump as binary message streams, whole
and one message per seed. nat_iptables: ipt_entry blobs laid out as the kernel does (x86_64), one per
rule shape neutron's l3 agent writes. netlink_*: netlink/<kind>/*.bin when present (captured by
fuzz/capture_netlink.py in a throwaway namespace).
"""
import json, os, shutil, socket, struct, sys

ROOT = os.getcwd()
OUT = os.path.join(ROOT, "fuzz/corpus")

def put(target, name, data):
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def read(p):
    with open(os.path.join(ROOT, p), "rb") as f:
        return f.read()

# --- answer files
for p in ["lab/answers.txt", "tests/installer/testdata/hangout-havana.txt",
          "tests/installer/testdata/multinode-master.txt", "tests/checks/testdata/lab_current/answers.txt"]:
    put("fuzz_answer_file", p.replace("/", "_"), read(p))
put("fuzz_answer_file", "tiny.txt", "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\n"
    "CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\nCONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n")

# --- topologies
for p in ["lab/topology.json", "tests/checks/testdata/lab_current/topology.json",
          "tests/checks/testdata/trace/topology.json", "tests/installer/testdata/api/hangout_topology.json"]:
    put("fuzz_topology", p.replace("/", "_"), read(p))

# --- snapshots, trimmed
def trim(snap):
    snap["namespaces"] = snap.get("namespaces", [])[:3]
    for f in snap.get("flows", []):
        dump = f.get("dump")
        if isinstance(dump, dict) and isinstance(dump.get("flows"), list):
            dump["flows"] = dump["flows"][:6]
    for v in [snap.get("root", {})] + snap["namespaces"]:
        net = v.get("net", {}) if isinstance(v, dict) else {}
        for k in ("routes", "neighbours", "sysctls"):
            if isinstance(net.get(k), list):
                net[k] = net[k][:6]
        if isinstance(v.get("processes"), list):
            v["processes"] = v["processes"][:3]
    return snap
for p in ["tests/checks/testdata/lab_current/network.json", "tests/checks/testdata/lab_current/compute1.json",
          "tests/checks/testdata/lab_current/compute2.json", "tests/checks/testdata/trace/network.json",
          "tests/checks/testdata/trace/compute1.json"]:
    snap = trim(json.loads(read(p)))
    put("fuzz_snapshot", p.replace("/", "_"), json.dumps(snap, separators=(",", ":"), sort_keys=True))

# --- nftables dumps
for name in ["qrouter-nft.dump", "forms-nft.dump", "native-nft.dump"]:
    msgs = []
    for line in read("tests/netprobe/nat_fixtures/" + name).decode().splitlines():
        if not line or line.startswith("#"):
            continue
        kind, hexs = line.split()
        msgs.append(bytes.fromhex(hexs))
    put("fuzz_nat_nftables", name + ".bin", b"".join(m + b"\0" * (-len(m) % 4) for m in msgs))
    for i, m in enumerate(msgs):
        put("fuzz_nat_nftables", "%s.%03d.bin" % (name, i), m)

# --- ipt_entry blobs (struct ipt_entry: ipt_ip 84, nfcache 4, target_offset 2, next_offset 2,
# comefrom 4, counters 16 = 112 bytes; matches and target: 32-byte header + data, 8-aligned)
def al8(n): return (n + 7) & ~7
def ip4(s): return socket.inet_aton(s)
def iface(name): return name.encode().ljust(16, b"\0")
def mask(name):
    n = len(name.rstrip("+")) + (0 if name.endswith("+") else 1)
    return (b"\xff" * n).ljust(16, b"\0") if name else b"\0" * 16
def ipt_ip(src="0.0.0.0", smsk="0.0.0.0", dst="0.0.0.0", dmsk="0.0.0.0", iniface="", outiface="", proto=0, inv=0):
    return (ip4(src) + ip4(dst) + ip4(smsk) + ip4(dmsk) + iface(iniface) + iface(outiface) + mask(iniface)
            + mask(outiface) + struct.pack("<HBB", proto, 0, inv))
def ext(name, rev, data):
    size = 32 + al8(len(data))
    return struct.pack("<H", size) + name.encode().ljust(29, b"\0") + bytes([rev]) + data.ljust(al8(len(data)), b"\0")
def entry(ip, matches, target):
    body = b"".join(matches)
    toff = 112 + len(body)
    nxt = toff + len(target)
    return ip + struct.pack("<IHHI", 0, toff, nxt, 0) + struct.pack("<QQ", 3, 180) + body + target
def std(verdict): return ext("", 0, struct.pack("<i", verdict))
def nat_range(flags, lo, hi, plo=0, phi=0):  # nf_nat_ipv4_multi_range_compat, one range
    return struct.pack("<II", 1, flags) + ip4(lo) + ip4(hi) + struct.pack(">HH", plo, phi)
seeds = {
    "accept": (0, entry(ipt_ip(), [], std(-2))),
    "jump_snat_chain": (4, entry(ipt_ip(), [], std(1024))),
    "dnat_floating": (0, entry(ipt_ip(dst="172.16.13.3", dmsk="255.255.255.255"), [],
                                ext("DNAT", 0, nat_range(1, "10.0.0.3", "10.0.0.3")))),
    "snat_floating": (0, entry(ipt_ip(src="10.0.0.3", smsk="255.255.255.255"), [],
                                ext("SNAT", 0, nat_range(1, "172.16.13.3", "172.16.13.3")))),
    "snat_qg": (0, entry(ipt_ip(outiface="qg-1234abcd-12"), [], ext("SNAT", 0, nat_range(1, "172.16.13.2", "172.16.13.2")))),
    "masquerade": (0, entry(ipt_ip(src="10.0.0.0", smsk="255.255.255.0", outiface="eth+"), [],
                            ext("MASQUERADE", 0, nat_range(0, "0.0.0.0", "0.0.0.0")))),
    "redirect_metadata": (0, entry(ipt_ip(dst="169.254.169.254", dmsk="255.255.255.255", iniface="qr-+", proto=6),
                                   [ext("tcp", 0, struct.pack("<HHHHBBBB", 0, 65535, 80, 80, 0, 0, 0, 0))],
                                   ext("REDIRECT", 0, nat_range(4, "0.0.0.0", "0.0.0.0", 9697, 9697)))),
    "return": (3, entry(ipt_ip(), [], std(-5))),
    "mark_match": (0, entry(ipt_ip(iniface="qg-+", inv=1), [ext("mark", 1, struct.pack("<IIB", 2, 0xffff, 1))], std(-2))),
}
for name, (sel, blob) in seeds.items():
    put("fuzz_nat_iptables", name + ".bin", bytes([sel]) + blob)

# --- netlink messages, captured from the kernel in a throwaway namespace (root only; skipped otherwise)
def dump(msg_type, family):
    """One NLM_F_DUMP request in the calling namespace; returns the reply messages."""
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)  # NETLINK_ROUTE
    body = struct.pack("<BBHiII", family, 0, 0, 0, 0, 0) if msg_type == 18 else struct.pack("<B3xi", family, 0)
    s.sendto(struct.pack("<IHHII", 16 + len(body), msg_type, 0x301, 1, 0) + body, (0, 0))
    out = []
    while True:
        buf = s.recv(65536)
        off = 0
        while off < len(buf):
            n, t = struct.unpack_from("<IH", buf, off)
            if t == 3:  # NLMSG_DONE
                return out
            out.append(buf[off:off + n])
            off += (n + 3) & ~3
if len(sys.argv) > 1 and sys.argv[1] == "--dump-here":
    for kind, t in (("link", 18), ("address", 22), ("route", 26)):
        for i, m in enumerate(dump(t, 0)):
            put("fuzz_netlink_" + kind, "%s_%02d.bin" % (sys.argv[2], i), m)
    sys.exit(0)
if os.geteuid() == 0:
    import subprocess
    ns = "swfzseed%d" % os.getpid()
    sh = lambda c: subprocess.run(["ip", "netns", "exec", ns, "sh", "-c", c], check=False)
    subprocess.run(["ip", "netns", "add", ns], check=True)
    try:
        sh("ip link set lo up; ip link add qr-1 type veth peer name tap-1; ip link add br-x type bridge;"
           "ip link set tap-1 master br-x; ip link add vx0 type vxlan id 1000 local 10.19.0.7 remote 10.19.0.2 dstport 4789;"
           "ip link add dummy0 type veth peer name qg-peer; ip link set dev dummy0 alias uplink; ip link add tun0 type tun 2>/dev/null ||"
           " ip tuntap add dev tun0 mode tap; for l in qr-1 tap-1 br-x vx0 dummy0; do ip link set $l up; done;"
           "ip addr add 10.0.0.1/24 brd + dev qr-1; ip addr add 172.16.13.2/24 dev dummy0 label dummy0:fip;"
           "ip -6 addr add 2001:db8::1/64 dev qr-1 nodad; ip route add 10.20.0.0/16 via 10.0.0.254 metric 7;"
           "ip route add 192.0.2.0/24 nexthop via 10.0.0.2 nexthop via 10.0.0.3; ip route add blackhole 198.51.100.0/24;"
           "ip route add 203.0.113.0/24 dev dummy0 table 100; ip -6 route add 2001:db8:1::/64 via 2001:db8::2")
        subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--dump-here", "ns"],
                       check=True)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)
