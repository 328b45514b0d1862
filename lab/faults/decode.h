// Pure decoders for what fault injection reads on a lab host: the text of `ip netns list`,
// `ip -o -4 addr`, `ip -o link`, `iptables -S`, `ovs-ofctl dump-flows`, `ovs-vsctl --format=json`, and
// the lab's answer and topology files. No system access here; tests feed them text.
//
// Fault injection may shell out (lab code, unlike netprobe/ovs/checks): these tools are exactly what an
// operator would use to break, and to repair, the host by hand.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::lab::faults {

/// Names in `ip netns list` output ("qrouter-… (id: 1)" → "qrouter-…"), in order.
std::vector<std::string> parse_netns_list(std::string_view text);

/// One IPv4 address from `ip -o -4 addr show`.
struct Ipv4Addr {
  std::string dev;
  std::string cidr;  ///< "172.16.13.1/24"
};
std::vector<Ipv4Addr> parse_ipv4_addrs(std::string_view text);

/// One link from `ip -o link show`.
struct LinkInfo {
  std::string name;  ///< without "@ifN"
  int mtu = 0;
  bool up = false;   ///< administratively up (the UP flag)
};
std::vector<LinkInfo> parse_links(std::string_view text);

/// Splits an iptables-save/`iptables -S` rule into words: blanks separate, double quotes group
/// ("Perform source NAT on outgoing traffic."), backslash escapes inside quotes.
std::vector<std::string> split_rule_words(std::string_view text);

/// One `-A CHAIN …` line of `iptables -S`.
struct IptRule {
  std::string chain;
  std::vector<std::string> spec;  ///< the words after "-A CHAIN"
  int position = 0;               ///< 1-based place among the chain's rules
  std::string text;               ///< the line as printed
  /// The word after opt ("-d" → "172.16.13.3/32"), or nullopt.
  std::optional<std::string> option(std::string_view opt) const;
};
/// Every -A line of `iptables -S` output (one table), with positions per chain.
std::vector<IptRule> parse_iptables_rules(std::string_view text);

/// One flow of `ovs-ofctl dump-flows`.
struct FlowLine {
  int table = 0;
  std::string match;     ///< "priority=1,tun_id=0x8cf"
  std::string actions;   ///< "push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10"
  std::string add_flow;  ///< the line as add-flow text: statistics (duration, n_packets, …) removed
  /// The value of a match field ("tun_id" → "0x8cf"), or nullopt.
  std::optional<std::string> match_field(std::string_view name) const;
};
/// Decodes one dump line; nullopt for header lines ("OFPST_FLOW reply …") and anything else.
std::optional<FlowLine> parse_flow_line(std::string_view line);
std::vector<FlowLine> parse_flow_dump(std::string_view text);

/// One row of `ovs-vsctl --format=json [--columns=…] list|find TABLE`: scalar columns as text (a set
/// of one as its element, an empty set as ""), map columns as maps.
struct OvsRow {
  std::map<std::string, std::string> scalars;
  std::map<std::string, std::map<std::string, std::string>> maps;
  std::string scalar(std::string_view column) const;
  std::string map_value(std::string_view column, std::string_view key) const;
};
Result<std::vector<OvsRow>> parse_ovs_json(std::string_view text);

/// An ovsdb value as ovs-vsctl reads it back: a JSON string literal ("10.19.0.2" → "\"10.19.0.2\"").
std::string ovs_quote(std::string_view value);

/// KEY's value in an answer file's text (last assignment wins), or nullopt.
std::optional<std::string> answer_value(std::string_view text, std::string_view key);

/// What faults aim at, from the lab's topology file.
struct TopologyFacts {
  std::string instance;        ///< the first instance with a floating IP (else the first instance)
  std::string instance_host;   ///< its host, "compute1"
  std::string floating_ip;     ///< "172.16.13.3" ("" if none)
  std::string external_cidr;   ///< the external network's first subnet, "172.16.13.0/24"
  std::string external_gateway;  ///< its gateway_ip, "172.16.13.1"
};
Result<TopologyFacts> parse_topology_facts(std::string_view text, const std::string& file);

/// True when ip lies in cidr ("10.0.0.1/24", "10.0.0.3"); false on malformed input.
bool in_subnet(std::string_view cidr, std::string_view ip);
/// "172.16.13.1" + "172.16.13.0/24" → "172.16.13.1/24"; "" on malformed input.
std::string with_prefix_of(std::string_view ip, std::string_view cidr);

/// True when an L3 agent log (its tail) says, after the last line containing start_marker (the
/// service tool's "stackwire starts neutron-l3-agent"), "Finished a router update for <router_id>":
/// the agent restarted and has processed the router, NAT rules included.
bool l3_agent_finished_router(std::string_view log, std::string_view start_marker, std::string_view router_id);

/// The smallest VLAN tag ≥ 100 (and < 4095) that no port uses: a tag no network on the bridge has.
int pick_unused_tag(const std::vector<int>& used);

}  // namespace sw::lab::faults
