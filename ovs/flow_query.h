// Asking questions of flows by meaning, not by spelling: "is there a flow in table 3 matching
// tun_id=0x3e9 whose actions set VLAN 1" holds for today's
//   table=3, priority=1,tun_id=0x3e9 actions=push_vlan:0x8100,set_field:4097->vlan_vid,goto_table:10
// and for Havana's
//   table=2, priority=1,tun_id=0x3e9 actions=mod_vlan_vid:1,resubmit(,10)
//
// Model: the equivalences OVS itself applies when it prints a flow for different OpenFlow
// versions (lib/meta-flow.c field aliases, ofp-actions.c's OF1.0 vs OF1.3 spellings). Pure
// functions over flow.h's data; nothing here touches OVS.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "ovs/flow.h"

namespace sw::ovs {

/// What a flow must have; every field that is set must hold.
struct FlowQuery {
  std::optional<int> table;
  std::optional<int> priority;
  std::optional<std::uint64_t> cookie;
  /// Each must be in the flow's match with the same meaning: numbers compare by value (0x3e9 ==
  /// 1001), MACs without regard to case, aliases are one field (tunnel_id = tun_id, eth_dst =
  /// dl_dst, …), and dl_vlan/vlan_vid compare the VLAN id however it is spelt (dl_vlan=1,
  /// vlan_tci=0x1001/0x1fff, vlan_tci=0x0001/0x0fff). A mask must match too; no mask, none.
  std::vector<MatchField> match;
  std::optional<int> sets_vlan;              ///< see vlan_set()
  std::optional<std::uint64_t> sets_tunnel;  ///< see tunnel_set()
  std::optional<std::string> outputs_to;     ///< a port number (or OVS's name such as IN_PORT)
  std::optional<int> continues_to_table;     ///< goto_table:N or resubmit(,N)
  std::optional<bool> strips_vlan;
  std::optional<bool> learns;
  std::optional<bool> drops;
  std::optional<bool> normal;                ///< the NORMAL action
};

/// Builds a query from match-style text: "table=3,priority=1,tun_id=0x3e9". table, priority and
/// cookie go to their fields; everything else is a match field. Input error on a bad number.
Result<FlowQuery> parse_flow_query(std::string_view text);

/// True when the flow satisfies every part of the query.
bool flow_matches(const Flow& flow, const FlowQuery& query);
/// The flows that satisfy the query, in order.
std::vector<const Flow*> find_flows(std::span<const Flow> flows, const FlowQuery& query);

/// The VLAN id the actions leave on the packet, if they set one: mod_vlan_vid:N,
/// set_field:(0x1000|N)->vlan_vid, set_field:…->vlan_tci, load:…->NXM_OF_VLAN_TCI[…].
std::optional<int> vlan_set(const Flow& flow);
/// The tunnel id the actions set: set_tunnel[64]:N, set_field:N->tun_id, load:N->NXM_NX_TUN_ID[].
std::optional<std::uint64_t> tunnel_set(const Flow& flow);
/// True when the actions remove the VLAN header: strip_vlan, pop_vlan, load:0->NXM_OF_VLAN_TCI[].
bool vlan_stripped(const Flow& flow);
/// Where the actions output: the argument of output:/enqueue:, and IN_PORT/LOCAL/ALL/FLOOD.
std::vector<std::string> output_ports(const Flow& flow);
/// The tables the actions continue in: goto_table:N, resubmit(P,N).
std::vector<int> next_tables(const Flow& flow);
/// The flow's learn action, or nullptr.
const Action* learn_action(const Flow& flow);
/// True when the flow has no actions ("actions=drop").
bool is_drop(const Flow& flow);
/// The VLAN id the match requires (dl_vlan, vlan_vid or a vlan_tci whose mask covers the id).
std::optional<int> matched_vlan(const Flow& flow);
/// A number as OVS prints one, hex (0x…) or decimal.
std::optional<std::uint64_t> parse_ovs_number(std::string_view s);

}  // namespace sw::ovs
