// One OpenFlow flow as `ovs-ofctl dump-flows` shows it: the text, and the same flow as data —
// table, priority, cookie, counters, timeouts, the match as ordered field/value pairs and the
// actions as an ordered list of {name, argument}.
//
// Model: lib/ofp-flow.c ofputil_flow_stats_format() (the text) and lib/match.c match_format() /
// lib/ofp-actions.c ofpacts_format() (its two halves). parse_flow() reads that text back — any
// version's: the OpenFlow 1.3 spellings today's Neutron agents get (push_vlan:0x8100,
// set_field:4097->vlan_vid, goto_table:3) and the OpenFlow 1.0 ones of Havana-era dumps
// (mod_vlan_vid:1, strip_vlan, set_tunnel:0x3e9, resubmit(,10)). Plain owned data; a flow moves
// between hosts as JSON (to_json/from_json round-trip exactly).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::ovs {

/// One field of a match: `dl_dst=01:00:00:00:00:00/01:00:00:00:00:00` is {dl_dst, 01:…, 01:…};
/// a protocol shorthand such as `ip` or `arp` has an empty value.
struct MatchField {
  std::string field;
  std::string value;
  std::string mask;   ///< after '/', or empty
  /// As ovs-ofctl prints it: field[=value[/mask]].
  std::string text() const;
  bool operator==(const MatchField&) const = default;
};

/// One action or instruction: `output:2` is {output, 2}; `resubmit(,10)` is {resubmit, ",10"};
/// `learn(table=20,…)` is {learn, "table=20,…"} with its whole inner spec; `NORMAL` is {NORMAL, ""}.
/// An empty action list is the single action {drop, ""}, as ovs-ofctl prints "actions=drop".
struct Action {
  std::string name;
  std::string argument;
  std::string text;   ///< exactly as printed
  bool operator==(const Action&) const = default;
};

struct Flow {
  int table = 0;
  int priority = 32768;                      ///< OFP_DEFAULT_PRIORITY when the text has none
  std::uint64_t cookie = 0;
  std::optional<std::uint32_t> duration_sec; ///< absent in `--no-stats` text
  std::optional<std::uint32_t> duration_nsec;
  std::optional<std::uint64_t> n_packets;    ///< absent when not shown or unknown ("?")
  std::optional<std::uint64_t> n_bytes;
  int idle_timeout = 0;                      ///< 0: none
  int hard_timeout = 0;                      ///< 0: none
  int importance = 0;
  std::optional<int> idle_age;               ///< OpenFlow 1.0 (NXST) dumps only
  std::optional<int> hard_age;
  std::vector<std::string> flags;            ///< send_flow_rem, check_overlap, reset_counts, …
  std::vector<MatchField> match;             ///< in printed order, without priority
  std::vector<Action> actions;               ///< in printed order
  std::string text;                          ///< the line as ovs-ofctl prints it, without the lead blank

  /// The first match field called `field` (exact spelling), or nullptr.
  const MatchField* match_field(std::string_view field) const;
  /// The text of the match as ovs-ofctl prints it, "priority=N," first unless default.
  std::string match_text() const;
  /// The text of the actions as ovs-ofctl prints it (after "actions=").
  std::string actions_text() const;
  bool operator==(const Flow&) const = default;
};

/// Formats the flow as ofputil_flow_stats_format() does: with counters when the flow has them
/// (duration_sec set), as `--no-stats` text otherwise. format_flow(parse_flow(line)) == line.
std::string format_flow(const Flow& flow);

/// Parses one line of `ovs-ofctl dump-flows` output (leading blanks allowed). Input error,
/// naming the problem, for anything that is not such a line.
Result<Flow> parse_flow(std::string_view line);
/// Parses a whole dump: every line with "actions="; reply headers ("OFPST_FLOW reply …",
/// "NXST_FLOW reply …"), blank lines and lines starting with '#' are skipped. Errors name the line.
Result<std::vector<Flow>> parse_flows(std::string_view text);
/// Parses the match half of a flow ("priority=1,in_port=1,dl_vlan=2"); priority, when present,
/// goes to *priority.
Result<std::vector<MatchField>> parse_match(std::string_view text, int* priority = nullptr);
/// Parses the actions half of a flow (after "actions=").
Result<std::vector<Action>> parse_actions(std::string_view text);
/// Parses one action ("output:2", "resubmit(,10)", "NORMAL").
Action parse_action(std::string_view text);

void to_json(nlohmann::json& j, const MatchField& m);
void from_json(const nlohmann::json& j, MatchField& m);
void to_json(nlohmann::json& j, const Action& a);
void from_json(const nlohmann::json& j, Action& a);
void to_json(nlohmann::json& j, const Flow& f);
void from_json(const nlohmann::json& j, Flow& f);

}  // namespace sw::ovs
