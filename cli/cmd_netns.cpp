// stackwire netns list [--json]
// stackwire netns show NS [--json]
// stackwire netns ping NS DEST... [--targets FILE] [--count N] [--timeout S] [--size BYTES] [--dont-fragment] [--json]
// stackwire netns tcp NS HOST:PORT [--timeout S] [--json]
// stackwire netns arp NS IFACE IP [--timeout S] [--json]
//
// NS is a name in /run/netns, a path to a namespace file, or `--pid PID` in its place. Everything is
// read and probed natively (netprobe/): the text mirrors `ip -o link/addr`, `ip route show table all`,
// `ip neigh`, ping's summary and arping. Exit 0 when everything answered, 1 when a probe failed,
// 2 for bad input (unknown namespace or interface, malformed address/port/file, not root).
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/command.h"
#include "cli/commands.h"
#include "netprobe/arp_probe.h"
#include "netprobe/icmp_probe.h"
#include "netprobe/netns.h"
#include "netprobe/rt_names.h"
#include "netprobe/snapshot.h"
#include "netprobe/targets.h"
#include "netprobe/tcp_probe.h"

namespace sw::cli {
namespace {

using namespace sw::netprobe;

constexpr std::uint32_t kIffRunning = 0x40;

struct Common {
  std::vector<std::string> args;  // NS (unless --pid) followed by the subcommand's own positionals
  std::string pid;
  double timeout_s = 1.0;
  bool json = false;
};

struct PingArgs : Common {
  std::string targets_file;
  int count = 3;
  std::size_t size = 56;
  bool dont_fragment = false;
};

void out(const std::string& s) { std::fwrite(s.data(), 1, s.size(), stdout); }

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// Splits the positionals into the namespace and the rest; with --pid there is no NS positional.
struct Resolved {
  NetnsRef ref;
  std::vector<std::string> rest;
};

Result<Resolved> resolve_ns(const Common& c) {
  std::optional<std::string_view> ns, pid;
  std::size_t first = 0;
  if (!c.pid.empty()) {
    pid = c.pid;
  } else if (!c.args.empty()) {
    ns = c.args.front();
    first = 1;
  }
  auto ref = SW_TRY(NetnsRef::from_cli(ns, pid));
  return Resolved{std::move(ref), std::vector<std::string>(c.args.begin() + static_cast<std::ptrdiff_t>(first), c.args.end())};
}

Result<std::chrono::milliseconds> timeout_of(double s) {
  if (!(s >= 0.001 && s <= 3600)) return fail(Error::input("--timeout " + fmt("%g", s) + ": must be between 0.001 and 3600 seconds"));
  return std::chrono::milliseconds(std::llround(s * 1000));
}

nlohmann::json ns_json(const NetnsRef& ref, int fd) {
  nlohmann::json j{{"ref", ref.kind() == NetnsRef::Kind::pid ? "pid:" + ref.value() : ref.value()}, {"inode", nullptr}};
  if (auto id = netns_id(fd)) j["inode"] = id->inode;
  return j;
}

// ---- netns list ------------------------------------------------------------------------------

Result<int> run_list(const Common& c) {
  const auto entries = SW_TRY(list_netns());
  if (c.json) {
    print_json(nlohmann::json{{"namespaces", entries}});
    return 0;
  }
  std::string s;
  for (const auto& e : entries) {
    s += e.name;
    if (e.nsid) s += " (id: " + std::to_string(*e.nsid) + ")";
    if (e.inode) s += " net:[" + std::to_string(e.inode) + "]";
    else s += " (not a mounted namespace)";
    s += "\n";
  }
  out(s);
  return 0;
}

// ---- netns show ------------------------------------------------------------------------------

std::string link_line(const Link& l) {
  std::string s = std::to_string(l.ifindex) + ": " + l.name;
  if (l.link) {
    if (l.link_netnsid) s += "@if" + std::to_string(*l.link);
    else if (!l.link_name.empty()) s += "@" + l.link_name;
    else s += "@if" + std::to_string(*l.link);
  }
  s += ": <";
  bool first = true;
  for (const auto& f : link_flag_names(l.flags & ~kIffRunning)) {
    s += (first ? "" : ",") + f;
    first = false;
  }
  s += "> mtu " + std::to_string(l.mtu);
  if (l.master) s += " master " + (l.master_name.empty() ? std::to_string(*l.master) : l.master_name);
  s += " state " + operstate_name(l.operstate);
  s += " link/" + link_type_name(l.link_type);
  if (!l.mac.empty()) s += " " + l.mac;
  if (!l.broadcast.empty()) s += " brd " + l.broadcast;
  if (l.link_netnsid) s += " link-netnsid " + std::to_string(*l.link_netnsid);
  if (!l.kind.empty()) s += " " + l.kind + (l.tun_type.empty() ? "" : " type " + l.tun_type);
  if (l.tunnel) {
    const auto& t = *l.tunnel;
    if (t.id) s += " id " + std::to_string(*t.id);
    if (t.remote.valid()) s += " remote " + t.remote.to_string();
    if (t.local.valid()) s += " local " + t.local.to_string();
    if (t.port) s += " dstport " + std::to_string(*t.port);
    if (t.ikey) s += " ikey " + std::to_string(*t.ikey);
    if (t.okey) s += " okey " + std::to_string(*t.okey);
  }
  if (!l.slave_kind.empty()) s += " " + l.slave_kind + "_slave";
  return s + "\n";
}

std::string address_line(const Address& a) {
  std::string s = std::to_string(a.ifindex) + ": " + a.ifname + "    " + (a.family() == AF_INET6 ? "inet6 " : "inet ");
  s += a.local.to_string();
  if (a.peer.valid()) s += " peer " + a.peer.to_string();
  s += "/" + std::to_string(a.prefixlen);
  if (a.broadcast.valid()) s += " brd " + a.broadcast.to_string();
  s += " scope " + route_scope_name(a.scope);
  for (const auto& f : addr_flag_names(a.flags))
    if (f != "permanent") s += " " + f;
  if (!(a.flags & 0x80 /* IFA_F_PERMANENT */)) s += " dynamic";
  if (!a.label.empty()) s += " " + a.label;
  return s + "\n";
}

std::string route_line(const Route& r) {
  std::string s;
  if (r.type != RTN_UNICAST) s += route_type_name(r.type) + " ";
  s += r.dst_string();
  if (r.src.valid()) s += " from " + r.src.to_string() + "/" + std::to_string(r.src_len);
  if (r.gateway.valid()) s += " via " + r.gateway.to_string();
  if (r.oif) s += " dev " + (r.oif_name.empty() ? std::to_string(*r.oif) : r.oif_name);
  if (r.table != RT_TABLE_MAIN) s += " table " + route_table_name(r.table);
  if (r.protocol != RTPROT_BOOT) s += " proto " + route_protocol_name(r.protocol);
  if (r.scope != RT_SCOPE_UNIVERSE) s += " scope " + route_scope_name(r.scope);
  if (r.prefsrc.valid()) s += " src " + r.prefsrc.to_string();
  if (r.metric) s += " metric " + std::to_string(*r.metric);
  for (const auto& f : route_flag_names(r.flags)) s += " " + f;
  if (r.mtu) s += " mtu " + std::to_string(*r.mtu);
  if (r.pref) s += " pref " + route_pref_name(*r.pref);
  for (const auto& nh : r.nexthops) {
    s += " nexthop";
    if (nh.gateway.valid()) s += " via " + nh.gateway.to_string();
    s += " dev " + (nh.oif_name.empty() ? std::to_string(nh.oif) : nh.oif_name) + " weight " + std::to_string(nh.weight);
  }
  return s + "\n";
}

std::string neighbour_line(const Neighbour& n) {
  std::string s = n.dst.to_string() + " dev " + n.ifname;
  if (!n.lladdr.empty()) s += " lladdr " + n.lladdr;
  for (const auto& f : neigh_flag_names(n.flags)) s += " " + f;
  for (const auto& st : neigh_state_names(n.state)) s += " " + st;
  return s + "\n";
}

std::string snapshot_text(const NetnsSnapshot& snap) {
  std::string s = "netns " + (snap.name.empty() ? std::string("(unnamed)") : snap.name) + " net:[" +
                  std::to_string(snap.inode) + "]\n";
  s += "links:\n";
  for (const auto& l : snap.links) s += "  " + link_line(l);
  s += "addresses:\n";
  for (const auto& a : snap.addresses) s += "  " + address_line(a);
  s += "routes:\n";
  for (const auto& r : snap.routes) s += "  " + route_line(r);
  s += "neighbours:\n";
  for (const auto& n : snap.neighbours)
    if (!(n.state & 0x40 /* NUD_NOARP, hidden as `ip neigh` does */)) s += "  " + neighbour_line(n);
  s += "sysctls:\n";
  for (const auto& [k, v] : snap.sysctls.values) {
    const bool wanted = k == "net.ipv4.ip_forward" || k == "net.ipv6.conf.all.forwarding" ||
                        k.ends_with(".rp_filter") || (k.starts_with("net.ipv4.conf.") && k.ends_with(".forwarding"));
    if (wanted) s += "  " + k + " = " + std::to_string(v) + "\n";
  }
  return s;
}

Result<int> run_show(const Common& c) {
  auto r = SW_TRY(resolve_ns(c));
  if (!r.rest.empty()) return fail(Error::input("netns show: unexpected argument '" + r.rest.front() + "'"));
  const auto snap = SW_TRY(inspect(r.ref));
  if (c.json) print_json(snap);
  else out(snapshot_text(snap));
  return 0;
}

// ---- netns ping ------------------------------------------------------------------------------

Result<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(Error::from_errno(errno ? errno : ENOENT, "--targets " + path));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return fail(Error::from_errno(errno, "--targets " + path + ": read"));
  return ss.str();
}

std::string ping_text(const PingReport& rep) {
  std::string s;
  for (const auto& t : rep.targets) {
    s += t.target.to_string() + ": " + std::to_string(t.transmitted) + " packets transmitted, " +
         std::to_string(t.received) + " received, " + fmt("%.3g", t.loss_percent()) + "% packet loss";
    if (t.transmitted < t.scheduled) s += ", " + std::to_string(t.scheduled - t.transmitted) + " not sent";
    if (t.rtt_min_ms)
      s += ", rtt min/avg/max/mdev = " + fmt("%.3f", *t.rtt_min_ms) + "/" + fmt("%.3f", *t.rtt_avg_ms) + "/" +
           fmt("%.3f", *t.rtt_max_ms) + "/" + fmt("%.3f", *t.rtt_mdev_ms) + " ms";
    if (t.status != PingStatus::answered) s += " (" + std::string(to_string(t.status)) + ": " + t.detail + ")";
    s += "\n";
  }
  const int answered = rep.answered();
  s += "--- " + std::to_string(rep.targets.size()) + (rep.targets.size() == 1 ? " target: " : " targets: ") +
       std::to_string(answered) + " answered, " + std::to_string(static_cast<int>(rep.targets.size()) - answered) +
       " failed, time " + fmt("%.0f", rep.elapsed_ms) + "ms ---\n";
  return s;
}

Result<int> run_ping(const PingArgs& a) {
  auto r = SW_TRY(resolve_ns(a));
  std::vector<IpAddress> targets;
  for (const auto& d : r.rest) {
    auto ip = IpAddress::parse(d);
    if (!ip) return fail(Error::input("DEST " + ip.error().message() + " (names are not resolved)"));
    merge_targets(targets, {*ip});
  }
  if (!a.targets_file.empty()) {
    const std::string text = SW_TRY(read_file(a.targets_file));
    merge_targets(targets, SW_TRY(parse_targets(a.targets_file, text)));
  }
  if (targets.empty()) return fail(Error::input("netns ping: no destination: give DEST... or --targets FILE"));
  PingOptions o;
  o.count = a.count;
  o.timeout = SW_TRY(timeout_of(a.timeout_s));
  o.size = a.size;
  o.dont_fragment = a.dont_fragment;
  auto fd = SW_TRY(open_netns(r.ref));
  auto rep = ping(fd.get(), targets, o);
  if (!rep) return fail(std::move(rep.error()).context(r.ref.describe()));
  if (a.json) {
    nlohmann::json j = *rep;
    j["netns"] = ns_json(r.ref, fd.get());
    print_json(j);
  } else {
    out(ping_text(*rep));
  }
  return rep->all_answered() ? 0 : 1;
}

// ---- netns tcp -------------------------------------------------------------------------------

Result<int> run_tcp(const Common& c) {
  auto r = SW_TRY(resolve_ns(c));
  if (r.rest.size() != 1)
    return fail(Error::input("netns tcp: expected one HOST:PORT, got " + std::to_string(r.rest.size()) + " arguments"));
  const auto to = SW_TRY(parse_host_port(r.rest.front()));
  const auto timeout = SW_TRY(timeout_of(c.timeout_s));
  auto fd = SW_TRY(open_netns(r.ref));
  auto res = tcp_probe(fd.get(), to, timeout);
  if (!res) return fail(std::move(res.error()).context(r.ref.describe()));
  if (c.json) {
    nlohmann::json j = *res;
    j["netns"] = ns_json(r.ref, fd.get());
    print_json(j);
  } else {
    const std::string where = to.host.is_v6() ? "[" + to.host.to_string() + "]:" + std::to_string(to.port)
                                              : to.host.to_string() + ":" + std::to_string(to.port);
    out(where + " " + std::string(to_string(res->status)) + " (" +
        (res->status == TcpStatus::open ? "" : res->detail + ", ") + fmt("%.3f", res->elapsed_ms) + " ms)\n");
  }
  return res->status == TcpStatus::open ? 0 : 1;
}

// ---- netns arp -------------------------------------------------------------------------------

Result<int> run_arp(const Common& c) {
  auto r = SW_TRY(resolve_ns(c));
  if (r.rest.size() != 2)
    return fail(Error::input("netns arp: expected IFACE IP, got " + std::to_string(r.rest.size()) + " arguments"));
  const auto ip = IpAddress::parse(r.rest[1]);
  if (!ip) return fail(Error::input("IP " + ip.error().message()));
  const auto timeout = SW_TRY(timeout_of(c.timeout_s));
  auto fd = SW_TRY(open_netns(r.ref));
  auto res = arp_probe(fd.get(), r.rest[0], *ip, timeout);
  if (!res) return fail(std::move(res.error()).context(r.ref.describe()));
  if (c.json) {
    nlohmann::json j = *res;
    j["netns"] = ns_json(r.ref, fd.get());
    print_json(j);
  } else if (res->answered) {
    out("reply from " + res->target.to_string() + " [" + res->mac + "] on " + res->ifname + " " +
        fmt("%.3f", res->elapsed_ms) + "ms\n");
  } else {
    out("no reply from " + res->target.to_string() + " on " + res->ifname + " within " + fmt("%.0f", res->elapsed_ms) +
        "ms (" + std::to_string(res->requests) + (res->requests == 1 ? " request" : " requests") + " sent from " +
        res->source.to_string() + ")\n");
  }
  return res->answered ? 0 : 1;
}

void add_ns_options(CLI::App* cmd, Common& c, const std::string& positionals, const std::string& help) {
  cmd->add_option(positionals, c.args, help);
  cmd->add_option("--pid", c.pid, "The namespace of process PID (takes the place of NS)")->type_name("PID");
  cmd->add_flag("--json", c.json, "As JSON");
}

}  // namespace

void add_netns_command(CLI::App& app) {
  auto* netns = app.add_subcommand("netns", "Look inside network namespaces and probe from them, natively");
  netns->require_subcommand(1);

  auto list_args = std::make_shared<Common>();
  auto* list = netns->add_subcommand("list", "Named namespaces in /run/netns, with nsid and inode (`ip netns list`)");
  list->add_flag("--json", list_args->json, "As JSON");
  list->callback([list_args] { finish(run_list(*list_args)); });

  auto show_args = std::make_shared<Common>();
  auto* show = netns->add_subcommand("show", "Links, addresses, routes (all tables), neighbours and router sysctls of NS");
  add_ns_options(show, *show_args, "NS", "A name in /run/netns or a path to a namespace file");
  show->callback([show_args] { finish(run_show(*show_args)); });

  auto ping_args = std::make_shared<PingArgs>();
  auto* pingc = netns->add_subcommand("ping", "ICMP echo from inside NS to every DEST at once");
  add_ns_options(pingc, *ping_args, "NS DEST", "NS (a name in /run/netns or a path), then IPv4/IPv6 destinations");
  pingc->add_option("--targets", ping_args->targets_file, "More destinations, one address per line ('#' comments)")
      ->type_name("FILE");
  pingc->add_option("--count", ping_args->count, "Echoes per destination (default 3)")
      ->type_name("N")
      ->check(CLI::Range(1, 1000));
  pingc->add_option("--timeout", ping_args->timeout_s, "Seconds each echo waits for its reply (default 1)")->type_name("S");
  pingc->add_option("--size", ping_args->size, "ICMP payload bytes (default 56)")
      ->type_name("BYTES")
      ->check(CLI::Range(0, 65507));
  pingc->add_flag("--dont-fragment", ping_args->dont_fragment, "Set DF: packets above the path MTU fail instead of fragmenting");
  pingc->callback([ping_args] { finish(run_ping(*ping_args)); });

  auto tcp_args = std::make_shared<Common>();
  auto* tcp = netns->add_subcommand("tcp", "TCP connect from inside NS to HOST:PORT: open, refused or timeout");
  add_ns_options(tcp, *tcp_args, "NS HOST:PORT", "NS (a name in /run/netns or a path), then IP:PORT or [IPv6]:PORT");
  tcp->add_option("--timeout", tcp_args->timeout_s, "Seconds to wait for the handshake (default 1)")->type_name("S");
  tcp->callback([tcp_args] { finish(run_tcp(*tcp_args)); });

  auto arp_args = std::make_shared<Common>();
  auto* arp = netns->add_subcommand("arp", "ARP who-has IP on IFACE inside NS");
  add_ns_options(arp, *arp_args, "NS IFACE IP", "NS (a name in /run/netns or a path), the interface, the IPv4 address");
  arp->add_option("--timeout", arp_args->timeout_s, "Seconds to wait for a reply (default 1)")->type_name("S");
  arp->callback([arp_args] { finish(run_arp(*arp_args)); });
}

}  // namespace sw::cli
