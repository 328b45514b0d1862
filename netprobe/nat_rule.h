// NAT rules as plain data: one model for iptables-legacy (libiptc) and nftables (libnftnl) rules.
//
// A NatView holds every NAT table found in one network namespace; each NatTable says which backend
// it came from, holds its chains (base chains first, in hook order, then user chains sorted by name —
// iptables-save's order) and each chain its rules. A NatRule keeps the matches verify needs as fields
// (addresses, interfaces, protocol, ports, mark, conntrack state, comment) plus the order of its `-m`
// modules, so that render_rule() prints it exactly as `iptables-save -t nat` does. What a decoder could
// not map is kept, never dropped: unknown xt matches as other_matches, an unknown xt target as target
// kind "other", and nftables expressions without an iptables meaning as text in `unparsed`.
//
// Everything here is a value type: no handles, no system access. JSON (to_json/from_json) is lossless.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::netprobe {

/// Where a table was read from.
enum class NatBackend {
  iptables_legacy,  ///< the x_tables "nat" table, read through libiptc ("iptables-legacy")
  nftables,         ///< an nf_tables table, read through libmnl + libnftnl ("nftables")
};
std::string_view to_string(NatBackend b);

/// `-s`/`-d`: an IPv4 address with a prefix; `mask` is set (and prefix is -1) only for a
/// non-contiguous mask, which iptables prints dotted ("10.0.0.0/255.0.255.0").
struct NatAddrMatch {
  std::string addr;
  int prefix = 32;
  std::string mask;
  bool negated = false;
  bool operator==(const NatAddrMatch&) const = default;
};

/// `-i`/`-o`: `name` without the trailing `+`; wildcard means "any interface starting with name".
struct NatIfaceMatch {
  std::string name;
  bool wildcard = false;
  bool negated = false;
  bool operator==(const NatIfaceMatch&) const = default;
};

/// `-p`: the IP protocol number (6 tcp, 17 udp, ...).
struct NatProtoMatch {
  int number = 0;
  bool negated = false;
  bool operator==(const NatProtoMatch&) const = default;
};

/// `--sport`/`--dport` of the tcp/udp match: a port or an inclusive range.
struct NatPortMatch {
  uint16_t min = 0;
  uint16_t max = 0;
  bool negated = false;
  bool operator==(const NatPortMatch&) const = default;
};

/// `--tcp-flags MASK COMP` of the tcp match (bits: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20).
struct NatTcpFlagsMatch {
  uint8_t mask = 0;
  uint8_t cmp = 0;
  bool negated = false;
  bool operator==(const NatTcpFlagsMatch&) const = default;
};

/// `-m mark --mark value[/mask]`.
struct NatMarkMatch {
  uint32_t value = 0;
  uint32_t mask = 0xffffffffu;
  bool negated = false;
  bool operator==(const NatMarkMatch&) const = default;
};

/// `-m conntrack --ctstate` (or `-m state --state`): states in iptables' print order, from
/// INVALID NEW RELATED ESTABLISHED UNTRACKED SNAT DNAT. The match holds when any state holds.
struct NatCtStateMatch {
  std::vector<std::string> states;
  bool negated = false;
  bool has(std::string_view state) const;
  bool operator==(const NatCtStateMatch&) const = default;
};

/// A match module the model has no fields for (or a second instance of a known one). `text` is
/// its options as iptables prints them when known, else a description ("[rev 1: 0x0100...]").
struct NatOtherMatch {
  std::string name;
  std::string text;
  bool operator==(const NatOtherMatch&) const = default;
};

enum class NatTargetKind { none, accept, drop, return_, jump, goto_, dnat, snat, masquerade, redirect, other };
/// "none", "accept", "drop", "return", "jump", "goto", "dnat", "snat", "masquerade", "redirect", "other".
std::string_view to_string(NatTargetKind k);
std::optional<NatTargetKind> nat_target_kind_from_string(std::string_view s);

/// What the rule does. `to_destination`/`to_source` read as iptables prints them:
/// "ADDR[-ADDR][:PORT[-PORT][/BASE]]"; `to_ports` is "PORT[-PORT]" (MASQUERADE, REDIRECT).
struct NatTarget {
  NatTargetKind kind = NatTargetKind::none;
  std::string chain;  ///< jump/goto: the chain
  std::string name;   ///< the name after -j for verdicts and xt targets ("DNAT", "ACCEPT", "MARK")
  std::string to_destination;
  std::string to_source;
  std::string to_ports;
  bool random = false;
  bool random_fully = false;
  bool persistent = false;
  std::string text;  ///< kind other: the target's options or a description of it
  bool operator==(const NatTarget&) const = default;
};

struct NatRule {
  std::string table;          ///< "nat"
  std::string chain;          ///< the chain holding the rule
  std::string family = "ip";  ///< "ip" (IPv4; legacy tables too) or "inet"

  std::optional<NatAddrMatch> src, dst;
  std::optional<NatIfaceMatch> in_iface, out_iface;
  std::optional<NatProtoMatch> protocol;

  /// The -m modules in rule order: "tcp", "udp", "mark", "conntrack", "state", "comment", and
  /// "other" for the next entry of other_matches.
  std::vector<std::string> modules;
  std::optional<NatPortMatch> sport, dport;
  std::optional<NatTcpFlagsMatch> tcp_flags;
  std::optional<NatMarkMatch> mark;
  std::optional<NatCtStateMatch> ctstate;
  std::optional<std::string> comment;
  std::vector<NatOtherMatch> other_matches;

  NatTarget target;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t handle = 0;   ///< nftables rule handle; 0 for legacy rules
  std::string unparsed;  ///< nftables expressions with no iptables meaning (rule not fully understood)

  /// True when every part of the rule was mapped onto the model (no other match, no unparsed
  /// expression, target not "other").
  bool fully_decoded() const;
  bool operator==(const NatRule&) const = default;
};

struct NatChain {
  std::string name;
  bool builtin = false;  ///< a base chain: legacy built-in chain, or nftables chain with a hook
  std::string hook;      ///< "prerouting", "input", "forward", "output", "postrouting" for base chains
  int priority = 0;      ///< nftables base chains; legacy built-ins carry iptables' nat priorities
  std::string type;      ///< "nat", "filter", "route" for base chains
  std::string policy;    ///< "ACCEPT"/"DROP" for base chains, empty for user chains
  uint64_t packets = 0;  ///< base chain counters (policy counters)
  uint64_t bytes = 0;
  std::vector<NatRule> rules;
  bool operator==(const NatChain&) const = default;
};

struct NatTable {
  std::string name;          ///< "nat" (iptables) or the nftables table name
  std::string family = "ip"; ///< "ip" or "inet"
  NatBackend backend = NatBackend::nftables;
  std::vector<NatChain> chains;

  const NatChain* find_chain(std::string_view name) const;
  bool operator==(const NatTable&) const = default;
};

/// Every NAT table of one network namespace: the legacy one (if the kernel has it) first, then nftables'.
struct NatView {
  std::vector<NatTable> tables;
  bool operator==(const NatView&) const = default;
};

/// One rule as `iptables-save` prints it: "-A CHAIN [-s ..] [-d ..] [-i ..] [-o ..] [-p ..] [-m ..]... [-j ..]".
std::string render_rule(const NatRule& r);
/// A table as `iptables-save -t nat` prints it, without the "# Generated/Completed" comment lines:
/// "*nat\n:PREROUTING ACCEPT [0:0]\n...-A ...\nCOMMIT\n".
std::string render_table(const NatTable& t);
/// The name iptables prints for an IP protocol number ("tcp", "gre"), or the number.
std::string protocol_name(int number);

/// Chains reachable from the base chains through jump/goto rules, each mapped to the chain whose
/// rule first reaches it (base chains map to ""). A chain missing here is unreferenced: its rules
/// never see a packet.
std::map<std::string, std::string> reachable_chains(const NatTable& t);
/// True when `chain` is a base chain or reachable from one.
bool is_reachable(const NatTable& t, std::string_view chain);
/// The jump path from a base chain to `chain`, both ends included ({"POSTROUTING",
/// "neutron-postrouting-bottom", "neutron-l3-agent-snat"}); empty when unreachable.
std::vector<std::string> chain_path(const NatTable& t, std::string_view chain);

void to_json(nlohmann::json& j, const NatRule& r);
void from_json(const nlohmann::json& j, NatRule& r);
void to_json(nlohmann::json& j, const NatChain& c);
void from_json(const nlohmann::json& j, NatChain& c);
void to_json(nlohmann::json& j, const NatTable& t);
void from_json(const nlohmann::json& j, NatTable& t);
void to_json(nlohmann::json& j, const NatView& v);
void from_json(const nlohmann::json& j, NatView& v);
/// from_json without exceptions: a malformed document is an input error naming what is wrong.
Result<NatView> nat_view_from_json(const nlohmann::json& j);

}  // namespace sw::netprobe
