// Small readers of snapshots and of Neutron's conventions, shared by the checks (checks.cpp) and
// the path trace (trace.cpp) so both read a host the same way: device names from port ids, a
// device's IPv4 addresses, a host's tunnel endpoint, a network's local VLAN, the floating-IP DNAT
// rule, which hosts should hold a router or a network's DHCP, and fix commands run on a host from
// the host verify runs on. Pure functions over plain data; nothing here touches the system.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/checks.h"
#include "checks/expected.h"
#include "checks/host_snapshot.h"
#include "installer/topology.h"
#include "netprobe/nat_rule.h"
#include "netprobe/snapshot.h"
#include "ovs/bridge.h"
#include "ovs/flow_dump.h"

namespace sw::checks::inspect {

inline constexpr std::size_t kDevNameIdLen = 11;  // neutron: DEVICE_NAME_MAX_LEN 14 - len("qr-")

std::string join(const std::vector<std::string>& v, std::string_view sep = ", ");
/// One shell word: bare when made of harmless characters, else single-quoted.
std::string shq(std::string_view s);
/// "24" of "10.0.0.0/24" ("" without a slash); "10.0.0.0" of "10.0.0.0/24".
std::string prefix_of(std::string_view cidr);
std::string addr_of(std::string_view cidr);

/// Neutron's device name for a port: prefix by owner (qr-, qg-, else tap) + the port id's first
/// 11 characters.
std::string device_of(const installer::Topology::Port& p);
/// The port's first IPv4 address, or nullptr.
const installer::Topology::FixedIp* first_v4(const installer::Topology::Port& p);
/// "10.0.0.1/24": the address with its subnet's prefix (/32 when the subnet is unknown).
std::string cidr_for(const installer::Topology& topology, const installer::Topology::FixedIp& f);

/// The device's IPv4 addresses as "ADDR/PREFIX", in kernel order.
std::vector<std::string> v4_addrs(const netprobe::NetnsSnapshot& ns, std::string_view ifname);
/// Whether the device holds this "ADDR/PREFIX".
bool holds(const netprobe::NetnsSnapshot& ns, std::string_view ifname, std::string_view cidr);
/// "up", "down", "up (no carrier)", or "missing" for nullptr.
std::string link_state(const netprobe::Link* l);

/// The host's tunnel endpoint: the tunnel interface's IPv4 address, or (netdev datapath) that of
/// the OVS bridge holding the interface as a port; with no tunnel interface configured, the
/// management `address` when the host holds it. `holder` (when given) receives the device holding
/// it. "" when none.
std::string tunnel_endpoint(const Expected& e, const HostSnapshot& snap, std::string_view address,
                            std::string* holder = nullptr);

/// A tenant network's local VLAN on a host: what br-tun's tun_id=`seg` flow sets (the agent's own
/// choice, in any OpenFlow dialect and table), else the agent's note in the other_config of one of
/// `devices` (br-int ports of the network's ports on this host; current agents), else the tag the
/// first of them carries.
std::optional<int> network_local_vlan(std::uint64_t seg, const std::vector<std::string>& devices,
                                      const ovs::Bridge& brint, const ovs::FlowDump* tun_flows);

/// A rule of a namespace's NAT, with the table and chain it sits in.
struct NatRuleRef {
  const netprobe::NatTable* table;
  const netprobe::NatChain* chain;
  const netprobe::NatRule* rule;
};
/// Every rule of the chains called `chain`, in every NAT table of the namespace.
std::vector<NatRuleRef> rules_in(const NamespaceView& ns, std::string_view chain);
/// `-d FIP/32 -j DNAT --to-destination FIXED[:port]`: the L3 agent's floating IP DNAT.
bool is_fip_dnat(const netprobe::NatRule& r, std::string_view fip, std::string_view fixed);

/// Whether the host (by its Neutron name `host_name`) should hold router r: an L3 agent there hosts
/// it, or Neutron names none and the host has the network role.
bool should_host_router(const installer::Topology::Router& r, const ExpectedHost& h, std::string_view host_name);
/// Whether the host should hold network n's qdhcp- namespace (same rule with the DHCP agents).
bool should_serve_dhcp(const installer::Topology::Network& n, const ExpectedHost& h, std::string_view host_name);
/// Whether router r has an interface on the network called `network`.
bool routes_network(const installer::Topology& topology, const installer::Topology::Router& r, std::string_view network);

/// `cmd` as run on the observed host from the host verify runs on (bare when local, else over ssh).
std::string on_host(const HostObservation& h, const std::string& cmd);
/// The command restarting `service` there (systemctl, else the lab's sw-service).
std::string restart_on(const HostObservation& h, const std::string& service);

}  // namespace sw::checks::inspect
