#include "ovs/flow_query.h"

#include <cctype>

#include "common/strings.h"

namespace sw::ovs {
namespace {

std::string_view canonical_field(std::string_view f) {
  static constexpr std::pair<std::string_view, std::string_view> aliases[] = {
      {"tunnel_id", "tun_id"},  {"eth_src", "dl_src"},     {"eth_dst", "dl_dst"},
      {"eth_type", "dl_type"},  {"ip_src", "nw_src"},      {"ip_dst", "nw_dst"},
      {"ip_proto", "nw_proto"}, {"ip_ecn", "nw_ecn"},      {"ip_ttl", "nw_ttl"},
      {"tcp_src", "tp_src"},    {"tcp_dst", "tp_dst"},     {"udp_src", "tp_src"},
      {"udp_dst", "tp_dst"},    {"NXM_OF_IN_PORT", "in_port"}, {"vlan_vid", "dl_vlan"},
  };
  for (const auto& [from, to] : aliases)
    if (f == from) return to;
  return f;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool same_value(std::string_view a, std::string_view b) {
  const auto na = parse_ovs_number(a), nb = parse_ovs_number(b);
  if (na && nb) return *na == *nb;
  return lower(a) == lower(b);
}

// The VLAN id a vlan_tci=V[/M] match requires, when its mask covers all 12 id bits.
std::optional<int> vlan_from_tci(const MatchField& m) {
  const auto v = parse_ovs_number(m.value);
  if (!v) return std::nullopt;
  if (m.mask.empty()) {
    if (!(*v & 0x1000)) return std::nullopt;
    return static_cast<int>(*v & 0xfff);
  }
  const auto mask = parse_ovs_number(m.mask);
  if (!mask || (*mask & 0xfff) != 0xfff) return std::nullopt;
  return static_cast<int>(*v & 0xfff);
}

bool field_matches(const Flow& flow, const MatchField& want) {
  const auto name = canonical_field(want.field);
  if (name == "dl_vlan") {
    const auto have = matched_vlan(flow);
    const auto v = parse_ovs_number(want.value);
    return have && v && static_cast<std::uint64_t>(*have) == (*v & 0xfff);
  }
  for (const auto& m : flow.match) {
    if (canonical_field(m.field) != name) continue;
    if (!same_value(m.value, want.value)) continue;
    if (want.mask.empty() != m.mask.empty()) continue;
    if (!want.mask.empty() && !same_value(m.mask, want.mask)) continue;
    return true;
  }
  return false;
}

// "V->dest" of set_field/load: V and dest.
std::optional<std::pair<std::string_view, std::string_view>> assignment(const Action& a) {
  const std::string_view arg = a.argument;
  const auto arrow = arg.find("->");
  if (arrow == std::string_view::npos) return std::nullopt;
  return std::pair{arg.substr(0, arrow), arg.substr(arrow + 2)};
}

// The value of a set_field, without a "/mask".
std::optional<std::uint64_t> assigned_number(std::string_view v) {
  const auto slash = v.find('/');
  return parse_ovs_number(slash == std::string_view::npos ? v : v.substr(0, slash));
}

bool is_number(std::string_view s) { return !s.empty() && parse_uint(s).has_value(); }

}  // namespace

std::optional<std::uint64_t> parse_ovs_number(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) {
    s.remove_prefix(2);
    if (s.empty() || s.size() > 16) return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
      const int d = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                    : (c >= 'a' && c <= 'f')                   ? c - 'a' + 10
                    : (c >= 'A' && c <= 'F')                   ? c - 'A' + 10
                                                               : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + static_cast<std::uint64_t>(d);
    }
    return v;
  }
  const auto v = parse_uint(s);
  if (!v) return std::nullopt;
  return *v;
}

std::optional<int> matched_vlan(const Flow& flow) {
  for (const auto& m : flow.match) {
    if (m.field == "dl_vlan" && m.mask.empty()) {
      if (const auto v = parse_ovs_number(m.value)) return static_cast<int>(*v & 0xfff);
    } else if (m.field == "vlan_vid") {
      const auto v = parse_ovs_number(m.value);
      const auto mask = m.mask.empty() ? std::optional<std::uint64_t>(0x1fff) : parse_ovs_number(m.mask);
      if (v && mask && (*mask & 0xfff) == 0xfff) return static_cast<int>(*v & 0xfff);
    } else if (m.field == "vlan_tci") {
      if (const auto v = vlan_from_tci(m)) return v;
    }
  }
  return std::nullopt;
}

std::optional<int> vlan_set(const Flow& flow) {
  std::optional<int> vlan;
  for (const auto& a : flow.actions) {
    if (a.name == "mod_vlan_vid") {
      if (const auto v = parse_ovs_number(a.argument)) vlan = static_cast<int>(*v & 0xfff);
      continue;
    }
    if (a.name == "strip_vlan" || a.name == "pop_vlan") {
      vlan.reset();
      continue;
    }
    const auto asg = assignment(a);
    if (!asg || (a.name != "set_field" && a.name != "load")) continue;
    const auto [value, dest] = *asg;
    const auto v = assigned_number(value);
    if (!v) continue;
    if (dest == "vlan_vid" || dest == "OXM_OF_VLAN_VID[]" || dest == "NXM_OF_VLAN_TCI[0..11]") {
      vlan = static_cast<int>(*v & 0xfff);
    } else if (dest == "vlan_tci" || dest == "NXM_OF_VLAN_TCI[]") {
      if (*v & 0x1000) vlan = static_cast<int>(*v & 0xfff);
      else vlan.reset();
    }
  }
  return vlan;
}

std::optional<std::uint64_t> tunnel_set(const Flow& flow) {
  std::optional<std::uint64_t> id;
  for (const auto& a : flow.actions) {
    if (a.name == "set_tunnel" || a.name == "set_tunnel64") {
      if (const auto v = parse_ovs_number(a.argument)) id = v;
      continue;
    }
    const auto asg = assignment(a);
    if (!asg || (a.name != "set_field" && a.name != "load")) continue;
    const auto [value, dest] = *asg;
    if (dest == "tun_id" || dest == "tunnel_id" || dest == "NXM_NX_TUN_ID[]" || dest == "OXM_OF_TUNNEL_ID[]")
      if (const auto v = assigned_number(value)) id = v;
  }
  return id;
}

bool vlan_stripped(const Flow& flow) {
  for (const auto& a : flow.actions) {
    if (a.name == "strip_vlan" || a.name == "pop_vlan") return true;
    const auto asg = assignment(a);
    if (!asg || (a.name != "set_field" && a.name != "load")) continue;
    const auto [value, dest] = *asg;
    if ((dest == "NXM_OF_VLAN_TCI[]" || dest == "vlan_tci") && assigned_number(value) == 0u) return true;
  }
  return false;
}

std::vector<std::string> output_ports(const Flow& flow) {
  std::vector<std::string> out;
  for (const auto& a : flow.actions) {
    if (a.name == "output") out.push_back(a.argument);
    else if (a.name == "enqueue") out.emplace_back(split(a.argument, ':')[0]);
    else if (a.argument.empty() &&
             (is_number(a.name) || a.name == "IN_PORT" || a.name == "LOCAL" || a.name == "ALL" || a.name == "FLOOD"))
      out.push_back(a.name);
  }
  return out;
}

std::vector<int> next_tables(const Flow& flow) {
  std::vector<int> out;
  for (const auto& a : flow.actions) {
    if (a.name == "goto_table") {
      if (const auto t = parse_uint(a.argument, 0, 254)) out.push_back(static_cast<int>(*t));
    } else if (a.name == "resubmit") {
      // resubmit(PORT,TABLE[,ct]) or resubmit:PORT (same table).
      const auto parts = split(a.argument, ',');
      if (parts.size() >= 2)
        if (const auto t = parse_uint(parts[1], 0, 254)) out.push_back(static_cast<int>(*t));
    }
  }
  return out;
}

const Action* learn_action(const Flow& flow) {
  for (const auto& a : flow.actions)
    if (a.name == "learn") return &a;
  return nullptr;
}

bool is_drop(const Flow& flow) {
  return flow.actions.empty() || (flow.actions.size() == 1 && flow.actions[0].name == "drop");
}

Result<FlowQuery> parse_flow_query(std::string_view text) {
  FlowQuery q;
  int priority = -1;
  auto fields = SW_TRY(parse_match(text, &priority));
  if (priority >= 0) q.priority = priority;
  for (auto& m : fields) {
    if (m.field == "table") {
      const auto t = parse_uint(m.value, 0, 254);
      if (!t) return fail(Error::input("table='" + m.value + "' is not a number in 0..254"));
      q.table = static_cast<int>(*t);
    } else if (m.field == "cookie") {
      const auto c = parse_ovs_number(m.value);
      if (!c) return fail(Error::input("cookie='" + m.value + "' is not a number"));
      q.cookie = *c;
    } else {
      q.match.push_back(std::move(m));
    }
  }
  return q;
}

bool flow_matches(const Flow& flow, const FlowQuery& q) {
  if (q.table && flow.table != *q.table) return false;
  if (q.priority && flow.priority != *q.priority) return false;
  if (q.cookie && flow.cookie != *q.cookie) return false;
  for (const auto& m : q.match)
    if (!field_matches(flow, m)) return false;
  if (q.sets_vlan && vlan_set(flow) != q.sets_vlan) return false;
  if (q.sets_tunnel && tunnel_set(flow) != q.sets_tunnel) return false;
  if (q.outputs_to) {
    bool found = false;
    for (const auto& p : output_ports(flow)) found = found || same_value(p, *q.outputs_to);
    if (!found) return false;
  }
  if (q.continues_to_table) {
    bool found = false;
    for (int t : next_tables(flow)) found = found || t == *q.continues_to_table;
    if (!found) return false;
  }
  if (q.strips_vlan && vlan_stripped(flow) != *q.strips_vlan) return false;
  if (q.learns && (learn_action(flow) != nullptr) != *q.learns) return false;
  if (q.drops && is_drop(flow) != *q.drops) return false;
  if (q.normal) {
    bool found = false;
    for (const auto& a : flow.actions) found = found || (a.name == "NORMAL" && a.argument.empty());
    if (found != *q.normal) return false;
  }
  return true;
}

std::vector<const Flow*> find_flows(std::span<const Flow> flows, const FlowQuery& q) {
  std::vector<const Flow*> out;
  for (const auto& f : flows)
    if (flow_matches(f, q)) out.push_back(&f);
  return out;
}

}  // namespace sw::ovs
