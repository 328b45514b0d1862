#include "lab/faults/decode.h"

#include <arpa/inet.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "common/strings.h"

namespace sw::lab::faults {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  for (auto l : split(text, '\n')) {
    l = trim(l);
    if (!l.empty()) out.push_back(l);
  }
  return out;
}

std::vector<std::string_view> blank_split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
    const size_t b = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
    if (i > b) out.push_back(s.substr(b, i - b));
  }
  return out;
}

std::optional<uint32_t> ipv4(std::string_view s) {
  in_addr a{};
  const std::string str(s);
  if (::inet_pton(AF_INET, str.c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

// A scalar ovsdb JSON value as text: "x", 5, true, ["uuid","…"], ["set",[]] → "", ["set",[x]] → x.
std::optional<std::string> ovs_scalar(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number()) return v.dump();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_array() && v.size() == 2 && v[0].is_string()) {
    const auto kind = v[0].get<std::string>();
    if (kind == "uuid" || kind == "named-uuid") return v[1].get<std::string>();
    if (kind == "set") {
      if (v[1].empty()) return std::string();
      if (v[1].size() == 1) return ovs_scalar(v[1][0]);
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<std::string> parse_netns_list(std::string_view text) {
  std::vector<std::string> out;
  for (auto l : lines_of(text)) {
    const auto sp = l.find(' ');
    out.emplace_back(l.substr(0, sp));
  }
  return out;
}

std::vector<Ipv4Addr> parse_ipv4_addrs(std::string_view text) {
  // "6: br-ex    inet 172.16.13.1/24 scope global br-ex\       valid_lft …"
  std::vector<Ipv4Addr> out;
  for (auto l : lines_of(text)) {
    const auto w = blank_split(l);
    for (size_t i = 0; i + 1 < w.size(); ++i)
      if (w[i] == "inet" && w.size() >= 2) {
        Ipv4Addr a;
        a.dev = std::string(w[1]);
        if (const auto at = a.dev.find('@'); at != std::string::npos) a.dev.resize(at);
        a.cidr = std::string(w[i + 1]);
        out.push_back(std::move(a));
        break;
      }
  }
  return out;
}

std::vector<LinkInfo> parse_links(std::string_view text) {
  // "3: eth2@if7: <BROADCAST,MULTICAST,NOARP,UP,LOWER_UP> mtu 1500 qdisc …"
  std::vector<LinkInfo> out;
  for (auto l : lines_of(text)) {
    const auto w = blank_split(l);
    if (w.size() < 3 || w[0].empty() || w[0].back() != ':') continue;
    LinkInfo li;
    std::string_view name = w[1];
    if (!name.empty() && name.back() == ':') name.remove_suffix(1);
    if (const auto at = name.find('@'); at != std::string_view::npos) name = name.substr(0, at);
    li.name = std::string(name);
    const auto flags = w[2];
    if (flags.size() >= 2 && flags.front() == '<' && flags.back() == '>')
      for (auto f : split(flags.substr(1, flags.size() - 2), ','))
        if (f == "UP") li.up = true;
    for (size_t i = 3; i + 1 < w.size(); ++i)
      if (w[i] == "mtu") {
        if (const auto m = parse_uint(w[i + 1], 0, 1 << 20)) li.mtu = static_cast<int>(*m);
        break;
      }
    out.push_back(std::move(li));
  }
  return out;
}

std::vector<std::string> split_rule_words(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) break;
    std::string word;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
      if (text[i] == '"') {
        ++i;
        while (i < text.size() && text[i] != '"') {
          if (text[i] == '\\' && i + 1 < text.size()) ++i;
          word += text[i++];
        }
        if (i < text.size()) ++i;  // closing quote
      } else {
        word += text[i++];
      }
    }
    out.push_back(std::move(word));
  }
  return out;
}

std::optional<std::string> IptRule::option(std::string_view opt) const {
  for (size_t i = 0; i + 1 < spec.size(); ++i)
    if (spec[i] == opt) return spec[i + 1];
  return std::nullopt;
}

std::vector<IptRule> parse_iptables_rules(std::string_view text) {
  std::vector<IptRule> out;
  std::map<std::string, int> count;
  for (auto l : lines_of(text)) {
    if (!starts_with(l, "-A ")) continue;
    auto words = split_rule_words(l);
    if (words.size() < 2) continue;
    IptRule r;
    r.chain = words[1];
    r.spec.assign(words.begin() + 2, words.end());
    r.position = ++count[r.chain];
    r.text = std::string(l);
    out.push_back(std::move(r));
  }
  return out;
}

std::optional<std::string> FlowLine::match_field(std::string_view name) const {
  for (auto f : split(match, ',')) {
    const auto eq = f.find('=');
    if (eq != std::string_view::npos && trim(f.substr(0, eq)) == name) return std::string(trim(f.substr(eq + 1)));
  }
  return std::nullopt;
}

std::optional<FlowLine> parse_flow_line(std::string_view line) {
  // Dump: " cookie=0x4f69, duration=53.3s, table=3, n_packets=9, n_bytes=1418, priority=1,tun_id=0x8cf actions=…"
  // add-flow text: "cookie=0x4f69,table=3,priority=1,tun_id=0x8cf,actions=…"
  line = trim(line);
  auto act = line.find(" actions=");
  if (act == std::string_view::npos) act = line.find(",actions=");
  if (act == std::string_view::npos) return std::nullopt;
  FlowLine f;
  f.actions = std::string(trim(line.substr(act + 9)));
  std::string add, match;
  for (auto field : split(line.substr(0, act), ',')) {
    field = trim(field);
    if (field.empty()) continue;
    const auto eq = field.find('=');
    const auto key = eq == std::string_view::npos ? field : field.substr(0, eq);
    if (key == "duration" || key == "n_packets" || key == "n_bytes" || key == "idle_age" || key == "hard_age")
      continue;
    if (key == "table") {
      const auto t = eq == std::string_view::npos ? std::nullopt : parse_uint(field.substr(eq + 1), 0, 254);
      if (!t) return std::nullopt;
      f.table = static_cast<int>(*t);
    }
    add += std::string(field) + ",";
    if (key == "cookie" || key == "table" || key == "idle_timeout" || key == "hard_timeout" || key == "reset_counts" ||
        key == "send_flow_rem" || key == "check_overlap" || key == "importance" || key == "no_packet_counts" ||
        key == "no_byte_counts")
      continue;
    match += (match.empty() ? "" : ",") + std::string(field);
  }
  f.match = match;
  f.add_flow = add + "actions=" + f.actions;
  return f;
}

std::vector<FlowLine> parse_flow_dump(std::string_view text) {
  std::vector<FlowLine> out;
  for (auto l : lines_of(text))
    if (auto f = parse_flow_line(l)) out.push_back(std::move(*f));
  return out;
}

std::string OvsRow::scalar(std::string_view column) const {
  const auto it = scalars.find(std::string(column));
  return it == scalars.end() ? std::string() : it->second;
}

std::string OvsRow::map_value(std::string_view column, std::string_view key) const {
  const auto it = maps.find(std::string(column));
  if (it == maps.end()) return {};
  const auto k = it->second.find(std::string(key));
  return k == it->second.end() ? std::string() : k->second;
}

Result<std::vector<OvsRow>> parse_ovs_json(std::string_view text) {
  try {
    const auto j = nlohmann::json::parse(text);
    const auto& headings = j.at("headings");
    std::vector<OvsRow> out;
    for (const auto& row : j.at("data")) {
      if (row.size() != headings.size()) return fail(Error::input("ovs-vsctl JSON: a row with the wrong number of cells"));
      OvsRow r;
      for (size_t i = 0; i < row.size(); ++i) {
        const auto col = headings[i].get<std::string>();
        const auto& v = row[i];
        if (v.is_array() && v.size() == 2 && v[0] == "map") {
          auto& m = r.maps[col];
          for (const auto& kv : v[1]) {
            const auto k = ovs_scalar(kv.at(0));
            const auto val = ovs_scalar(kv.at(1));
            if (k && val) m[*k] = *val;
          }
        } else if (const auto s = ovs_scalar(v)) {
          r.scalars[col] = *s;
        }
      }
      out.push_back(std::move(r));
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(std::string("ovs-vsctl JSON: ") + e.what()));
  }
}

std::string ovs_quote(std::string_view value) { return nlohmann::json(std::string(value)).dump(); }

std::optional<std::string> answer_value(std::string_view text, std::string_view key) {
  std::optional<std::string> out;
  for (auto l : lines_of(text)) {
    if (l.front() == '#' || l.front() == '[') continue;
    const auto eq = l.find('=');
    if (eq == std::string_view::npos || trim(l.substr(0, eq)) != key) continue;
    out = std::string(trim(l.substr(eq + 1)));
  }
  return out;
}

Result<TopologyFacts> parse_topology_facts(std::string_view text, const std::string& file) {
  try {
    const auto j = nlohmann::json::parse(text);
    TopologyFacts t;
    if (j.contains("instances"))
      for (const auto& i : j.at("instances")) {
        const auto fip = i.value("floating_ip", std::string());
        if (t.instance.empty() || (t.floating_ip.empty() && !fip.empty())) {
          t.instance = i.at("name").get<std::string>();
          t.instance_host = i.at("host").get<std::string>();
          t.floating_ip = fip;
        }
      }
    if (j.contains("networks"))
      for (const auto& n : j.at("networks")) {
        if (!n.value("external", false) || !n.contains("subnets") || n.at("subnets").empty()) continue;
        const auto& s = n.at("subnets").at(0);
        t.external_cidr = s.at("cidr").get<std::string>();
        t.external_gateway = s.value("gateway_ip", std::string());
        break;
      }
    return t;
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(file + ": not a topology file: " + e.what()));
  }
}

bool in_subnet(std::string_view cidr, std::string_view ip) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return false;
  const auto net = ipv4(cidr.substr(0, slash));
  const auto len = parse_uint(cidr.substr(slash + 1), 0, 32);
  const auto addr = ipv4(ip);
  if (!net || !len || !addr) return false;
  const uint32_t mask = *len == 0 ? 0 : ~uint32_t{0} << (32 - *len);
  return (*net & mask) == (*addr & mask);
}

std::string with_prefix_of(std::string_view ip, std::string_view cidr) {
  const auto slash = cidr.find('/');
  if (slash == std::string_view::npos || !ipv4(ip) || !parse_uint(cidr.substr(slash + 1), 0, 32)) return {};
  return std::string(ip) + std::string(cidr.substr(slash));
}

bool l3_agent_finished_router(std::string_view log, std::string_view start_marker, std::string_view router_id) {
  const auto start = log.rfind(start_marker);
  if (start == std::string_view::npos || router_id.empty()) return false;
  return log.find("Finished a router update for " + std::string(router_id), start) != std::string_view::npos;
}

int pick_unused_tag(const std::vector<int>& used) {
  for (int t = 100; t < 4095; ++t)
    if (std::find(used.begin(), used.end(), t) == used.end()) return t;
  return 4094;
}

}  // namespace sw::lab::faults
