// One host's observed state, taken natively and read-only: the host's own network namespace and every
// named namespace in its /run/netns (links, addresses, routes, neighbours, sysctls, NAT rules, and
// the processes living in each — dnsmasq in qdhcp-, haproxy/the metadata proxy in qrouter-), its
// OVSDB, and the OpenFlow tables of every bridge. `stackwire snapshot --json` prints it; verify takes
// its own host's natively and the other hosts' by running `stackwire snapshot --json` on them over
// ssh, then reads that JSON back with parse_host_snapshot() — the JSON round-trips losslessly.
//
// A part that cannot be read (ovsdb-server down, a namespace deleted mid-snapshot, a bridge whose
// management socket is gone) is recorded as an error string on that part; the snapshot as a whole
// still succeeds, so checks can say precisely what was unreadable.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/nat_rule.h"
#include "netprobe/snapshot.h"
#include "ovs/flow_dump.h"
#include "ovs/snapshot.h"

namespace sw::checks {

/// One line of a dnsmasq --dhcp-hostsfile ("fa:16:3e:d1:0f:75,host-10-0-0-163.openstacklocal,10.0.0.163",
/// Neutron's form; "MAC,set:TAG,NAME,[2001:db8::5]" for IPv6).
struct DhcpHostEntry {
  std::vector<std::string> macs;       ///< lower case
  std::string name;                    ///< "" = none
  std::vector<std::string> addresses;  ///< IPv4 literals, IPv6 ones without their brackets
  int line = 0;                        ///< 1-based, in the file
  bool operator==(const DhcpHostEntry&) const = default;
};

/// What a dnsmasq process serves as static leases: its --dhcp-hostsfile, read through the process's
/// own root (/proc/PID/root), and whether the process itself may read it — dnsmasq drops to nobody
/// and re-reads the file as nobody on every SIGHUP, so a directory closed to others on the way
/// makes it answer each request with "no address available" while the file looks right to root.
struct DhcpHostsFile {
  std::string path;                  ///< as on dnsmasq's command line
  std::vector<DhcpHostEntry> hosts;  ///< in file order
  std::string error;                 ///< not empty: stackwire could not read it, and why
  /// Not empty: the process's own credentials (fsuid/fsgid/groups) cannot read it, and where the
  /// walk stops ("/var/lib/neutron: mode 0750 neutron:neutron, no search permission for uid 65534").
  std::string denied;
  bool operator==(const DhcpHostsFile&) const = default;
};

/// A process whose network namespace is the namespace it is listed under.
struct ProcessInfo {
  int pid = 0;
  std::string comm;                  ///< /proc/PID/comm ("dnsmasq", "haproxy")
  std::vector<std::string> cmdline;  ///< argv, from /proc/PID/cmdline
  std::optional<DhcpHostsFile> dhcp_hosts;  ///< dnsmasq with --dhcp-hostsfile only
  bool operator==(const ProcessInfo&) const = default;
};

/// One network namespace of the host (the host's own, or a named one).
struct NamespaceView {
  netprobe::NetnsSnapshot net;  ///< net.name: the /run/netns name ("" for the host's own namespace)
  netprobe::NatView nat;        ///< its NAT tables (legacy and nftables)
  std::vector<ProcessInfo> processes;  ///< sorted by pid
  std::string error;  ///< not empty: this namespace (or its NAT) could not be read, and why
  bool operator==(const NamespaceView&) const = default;
};

/// The OpenFlow tables of one bridge.
struct BridgeFlows {
  std::string bridge;
  ovs::FlowDump dump;
  std::string error;  ///< not empty: the flows could not be read, and why
  bool operator==(const BridgeFlows&) const = default;
};

struct HostSnapshot {
  int version = 1;
  std::string hostname;       ///< uname nodename
  std::int64_t taken_at_ms = 0;  ///< wall clock, ms since the epoch
  NamespaceView root;         ///< the host's own network namespace
  std::vector<NamespaceView> namespaces;  ///< every named namespace in /run/netns, sorted by name
  std::optional<ovs::OvsSnapshot> ovs;    ///< nullopt when OVSDB could not be read (see ovs_error)
  std::string ovs_error;
  std::vector<BridgeFlows> flows;  ///< one per bridge in OVSDB, in OVSDB's order

  /// The named namespace, or nullptr.
  const NamespaceView* find_namespace(std::string_view name) const;
  /// The flows of this bridge, or nullptr (also when they could not be read).
  const ovs::FlowDump* bridge_flows(std::string_view bridge) const;
  bool operator==(const HostSnapshot&) const = default;
};

struct HostSnapshotOptions {
  std::string ovs_db;      ///< OVSDB remote; empty: OVS's default (honours OVS_RUNDIR)
  std::string ovs_rundir;  ///< where <bridge>.mgmt live; empty: OVS's default
  bool flows = true;       ///< read OpenFlow tables
  std::chrono::milliseconds timeout{10000};  ///< per OVSDB / OpenFlow connection
};

/// Takes the calling process's host snapshot (its network namespace is the host's). Named
/// namespaces are read on up to min(cores, 4) threads of their own while this thread scans /proc
/// and reads the host's namespace and OVS.
Result<HostSnapshot> take_host_snapshot(const HostSnapshotOptions& options = {});
/// take_host_snapshot() and write_host_snapshot_json() in one pass, what `snapshot --json` does:
/// each named namespace is turned into its text on the thread that read it and written in turn, so
/// neither the whole snapshot nor its text is ever held (at 2,000 namespaces that was 130 MB).
/// True when anything at all could be read (OVSDB, or a namespace with a link); an error only when
/// /run/netns cannot be listed, before anything is written.
Result<bool> stream_host_snapshot_json(const HostSnapshotOptions& options,
                                       const std::function<void(std::string_view)>& sink);

void to_json(nlohmann::json& j, const HostSnapshot& s);
/// The same document as to_json(j, s), written straight to compact text with a trailing newline —
/// what `snapshot --json` prints. Each namespace is turned into JSON and written on its own and the
/// flows go through ovs::flow_dump_json_text, so the whole snapshot never exists as one nlohmann
/// tree: at 2,000 namespaces that tree and its indented dump were most of the time and the memory.
std::string host_snapshot_json_text(const HostSnapshot& s);
/// The same text handed to `sink` piece by piece (one namespace, one bridge's flows at a time), so a
/// caller writing to a file or stdout never holds the whole document either.
void write_host_snapshot_json(const HostSnapshot& s, const std::function<void(std::string_view)>& sink);
/// Reads `stackwire snapshot --json` output; `name` prefixes errors ("10.15.0.7: snapshot: ...").
Result<HostSnapshot> parse_host_snapshot(std::string_view name, std::string_view text);

}  // namespace sw::checks
