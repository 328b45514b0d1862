#include "netprobe/nat_rule.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <set>

namespace sw::netprobe {

std::string_view to_string(NatBackend b) {
  return b == NatBackend::iptables_legacy ? "iptables-legacy" : "nftables";
}

namespace {

constexpr std::pair<NatTargetKind, std::string_view> kTargetKinds[] = {
    {NatTargetKind::none, "none"},           {NatTargetKind::accept, "accept"},
    {NatTargetKind::drop, "drop"},           {NatTargetKind::return_, "return"},
    {NatTargetKind::jump, "jump"},           {NatTargetKind::goto_, "goto"},
    {NatTargetKind::dnat, "dnat"},           {NatTargetKind::snat, "snat"},
    {NatTargetKind::masquerade, "masquerade"}, {NatTargetKind::redirect, "redirect"},
    {NatTargetKind::other, "other"},
};

std::string hex(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%x", v);
  return buf;
}

// xtables_save_string(): bare when only [A-Za-z0-9_-], else double-quoted with " \ ' escaped.
std::string save_string(std::string_view v) {
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  };
  if (!v.empty() && std::all_of(v.begin(), v.end(), plain)) return " " + std::string(v);
  std::string out = " \"";
  for (char c : v) {
    if (c == '"' || c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// libxt_tcp's print_tcpf().
std::string tcp_flag_names(uint8_t flags) {
  static constexpr std::pair<std::string_view, uint8_t> names[] = {
      {"FIN", 0x01}, {"SYN", 0x02}, {"RST", 0x04}, {"PSH", 0x08}, {"ACK", 0x10}, {"URG", 0x20}, {"ALL", 0x3f}};
  std::string out;
  while (flags) {
    size_t i = 0;
    while (i < std::size(names) && (flags & names[i].second) == 0) ++i;
    if (i == std::size(names)) break;  // bits above URG: iptables cannot set them
    if (!out.empty()) out += ',';
    out += names[i].first;
    flags &= static_cast<uint8_t>(~names[i].second);
  }
  return out.empty() ? "NONE" : out;
}

void render_addr(std::string& out, const char* opt, const std::optional<NatAddrMatch>& a) {
  if (!a) return;
  out += a->negated ? " ! " : " ";
  out += opt;
  out += ' ';
  out += a->addr;
  out += '/';
  out += a->mask.empty() ? std::to_string(a->prefix) : a->mask;
}

void render_iface(std::string& out, const char* opt, const std::optional<NatIfaceMatch>& i) {
  if (!i || (i->name.empty() && i->wildcard)) return;  // "-i +" matches any interface: iptables omits it
  out += i->negated ? " ! " : " ";
  out += opt;
  out += ' ';
  out += i->name;
  if (i->wildcard) out += '+';
}

void render_port(std::string& out, const char* opt, const std::optional<NatPortMatch>& p) {
  if (!p) return;
  if (p->negated) out += " !";
  out += ' ';
  out += opt;
  out += ' ';
  out += std::to_string(p->min);
  if (p->max != p->min) out += ':' + std::to_string(p->max);
}

std::string join(const std::vector<std::string>& v, char sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void render_nat_flags(std::string& out, const NatTarget& t) {
  if (t.random) out += " --random";
  if (t.random_fully) out += " --random-fully";
  if (t.persistent) out += " --persistent";
}

void render_target(std::string& out, const NatTarget& t) {
  switch (t.kind) {
    case NatTargetKind::none: return;
    case NatTargetKind::accept: out += " -j ACCEPT"; return;
    case NatTargetKind::drop: out += " -j DROP"; return;
    case NatTargetKind::return_: out += " -j RETURN"; return;
    case NatTargetKind::jump: out += " -j " + t.chain; return;
    case NatTargetKind::goto_: out += " -g " + t.chain; return;
    case NatTargetKind::dnat:
      out += " -j DNAT";
      if (!t.to_destination.empty()) out += " --to-destination " + t.to_destination;
      break;
    case NatTargetKind::snat:
      out += " -j SNAT";
      if (!t.to_source.empty()) out += " --to-source " + t.to_source;
      break;
    case NatTargetKind::masquerade:
      out += " -j MASQUERADE";
      if (!t.to_ports.empty()) out += " --to-ports " + t.to_ports;
      break;
    case NatTargetKind::redirect:
      out += " -j REDIRECT";
      if (!t.to_ports.empty()) out += " --to-ports " + t.to_ports;
      break;
    case NatTargetKind::other:
      out += " -j " + (t.name.empty() ? std::string("?") : t.name);
      if (!t.text.empty()) out += " " + t.text;
      return;
  }
  render_nat_flags(out, t);
}

}  // namespace

std::string_view to_string(NatTargetKind k) {
  for (const auto& [kind, name] : kTargetKinds)
    if (kind == k) return name;
  return "other";
}

std::optional<NatTargetKind> nat_target_kind_from_string(std::string_view s) {
  for (const auto& [kind, name] : kTargetKinds)
    if (name == s) return kind;
  return std::nullopt;
}

bool NatCtStateMatch::has(std::string_view state) const {
  return std::find(states.begin(), states.end(), state) != states.end();
}

bool NatRule::fully_decoded() const {
  return other_matches.empty() && unparsed.empty() && target.kind != NatTargetKind::other;
}

const NatChain* NatTable::find_chain(std::string_view n) const {
  for (const auto& c : chains)
    if (c.name == n) return &c;
  return nullptr;
}

std::string protocol_name(int number) {
  // xtables_chain_protos first, then the names Debian's /etc/protocols gives (what iptables'
  // getprotobynumber() finds there), so that rendering needs no file.
  static const std::map<int, std::string_view> names = {
      {1, "icmp"},     {2, "igmp"},      {3, "ggp"},      {4, "ipencap"},  {5, "st"},       {6, "tcp"},
      {8, "egp"},      {9, "igp"},       {12, "pup"},     {17, "udp"},     {20, "hmp"},     {22, "xns-idp"},
      {27, "rdp"},     {29, "iso-tp4"},  {33, "dccp"},    {36, "xtp"},     {37, "ddp"},     {38, "idpr-cmtp"},
      {41, "ipv6"},    {43, "ipv6-route"}, {44, "ipv6-frag"}, {45, "idrp"}, {46, "rsvp"},   {47, "gre"},
      {50, "esp"},     {51, "ah"},       {57, "skip"},    {58, "icmpv6"},  {59, "ipv6-nonxt"}, {60, "ipv6-opts"},
      {73, "rspf"},    {81, "vmtp"},     {88, "eigrp"},   {89, "ospf"},    {93, "ax.25"},   {94, "ipip"},
      {97, "etherip"}, {98, "encap"},    {103, "pim"},    {108, "ipcomp"}, {112, "vrrp"},   {115, "l2tp"},
      {124, "isis"},   {132, "sctp"},    {133, "fc"},     {135, "ipv6-mh"}, {136, "udplite"}, {137, "mpls-in-ip"},
      {138, "manet"},  {139, "hip"},     {140, "shim6"},  {141, "wesp"},   {142, "rohc"},   {143, "ethernet"},
  };
  auto it = names.find(number);
  return it != names.end() ? std::string(it->second) : std::to_string(number);
}

std::string render_rule(const NatRule& r) {
  std::string out = "-A " + r.chain;
  render_addr(out, "-s", r.src);
  render_addr(out, "-d", r.dst);
  render_iface(out, "-i", r.in_iface);
  render_iface(out, "-o", r.out_iface);
  if (r.protocol && r.protocol->number != 0)
    out += (r.protocol->negated ? " ! -p " : " -p ") + protocol_name(r.protocol->number);

  size_t other = 0;
  for (const auto& m : r.modules) {
    if (m == "tcp" || m == "udp") {
      out += " -m " + m;
      render_port(out, "--sport", r.sport);
      render_port(out, "--dport", r.dport);
      if (m == "tcp" && r.tcp_flags) {
        if (r.tcp_flags->negated) out += " !";
        out += " --tcp-flags " + tcp_flag_names(r.tcp_flags->mask) + " " + tcp_flag_names(r.tcp_flags->cmp);
      }
    } else if (m == "mark") {
      out += " -m mark";
      if (r.mark) {
        if (r.mark->negated) out += " !";
        out += " --mark " + hex(r.mark->value);
        if (r.mark->mask != 0xffffffffu) out += "/" + hex(r.mark->mask);
      }
    } else if (m == "conntrack" || m == "state") {
      out += " -m " + m;
      if (r.ctstate) {
        if (r.ctstate->negated) out += " !";
        out += m == "state" ? " --state " : " --ctstate ";
        out += join(r.ctstate->states, ',');
      }
    } else if (m == "comment") {
      out += " -m comment --comment" + save_string(r.comment.value_or(""));
    } else if (other < r.other_matches.size()) {
      const auto& o = r.other_matches[other++];
      out += " -m " + o.name;
      if (!o.text.empty()) out += " " + o.text;
    }
  }
  if (!r.unparsed.empty()) out += " [unparsed: " + r.unparsed + "]";
  render_target(out, r.target);
  return out;
}

std::string render_table(const NatTable& t) {
  std::string out = "*" + t.name + "\n";
  for (const auto& c : t.chains) {
    out += ":" + c.name + " ";
    if (c.builtin)
      out += (c.policy.empty() ? std::string("ACCEPT") : c.policy) + " [" + std::to_string(c.packets) + ":" +
             std::to_string(c.bytes) + "]\n";
    else
      out += "- [0:0]\n";
  }
  for (const auto& c : t.chains)
    for (const auto& r : c.rules) out += render_rule(r) + "\n";
  out += "COMMIT\n";
  return out;
}

std::map<std::string, std::string> reachable_chains(const NatTable& t) {
  std::map<std::string, std::string> parent;
  std::deque<const NatChain*> queue;
  for (const auto& c : t.chains) {
    if (!c.builtin) continue;
    parent.emplace(c.name, "");
    queue.push_back(&c);
  }
  while (!queue.empty()) {
    const NatChain* c = queue.front();
    queue.pop_front();
    for (const auto& r : c->rules) {
      if (r.target.kind != NatTargetKind::jump && r.target.kind != NatTargetKind::goto_) continue;
      const NatChain* next = t.find_chain(r.target.chain);
      if (!next || parent.contains(next->name)) continue;
      parent.emplace(next->name, c->name);
      queue.push_back(next);
    }
  }
  return parent;
}

bool is_reachable(const NatTable& t, std::string_view chain) {
  return reachable_chains(t).contains(std::string(chain));
}

std::vector<std::string> chain_path(const NatTable& t, std::string_view chain) {
  const auto parent = reachable_chains(t);
  std::vector<std::string> path;
  for (auto it = parent.find(std::string(chain)); it != parent.end(); it = parent.find(it->second)) {
    path.push_back(it->first);
    if (it->second.empty() || path.size() > parent.size()) break;
  }
  std::reverse(path.begin(), path.end());
  return path;
}

// ---- JSON -------------------------------------------------------------------------------------

namespace {

using nlohmann::json;

template <class T>
void get_opt(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(out);
}

json addr_json(const NatAddrMatch& a) {
  json j = {{"addr", a.addr}, {"prefix", a.prefix}, {"negated", a.negated}};
  if (!a.mask.empty()) j["mask"] = a.mask;
  return j;
}
NatAddrMatch addr_from(const json& j) {
  NatAddrMatch a;
  j.at("addr").get_to(a.addr);
  get_opt(j, "prefix", a.prefix);
  get_opt(j, "mask", a.mask);
  get_opt(j, "negated", a.negated);
  return a;
}
json iface_json(const NatIfaceMatch& i) {
  return {{"name", i.name}, {"wildcard", i.wildcard}, {"negated", i.negated}};
}
NatIfaceMatch iface_from(const json& j) {
  NatIfaceMatch i;
  j.at("name").get_to(i.name);
  get_opt(j, "wildcard", i.wildcard);
  get_opt(j, "negated", i.negated);
  return i;
}
json port_json(const NatPortMatch& p) { return {{"min", p.min}, {"max", p.max}, {"negated", p.negated}}; }
NatPortMatch port_from(const json& j) {
  NatPortMatch p;
  j.at("min").get_to(p.min);
  p.max = p.min;
  get_opt(j, "max", p.max);
  get_opt(j, "negated", p.negated);
  return p;
}

}  // namespace

void to_json(json& j, const NatRule& r) {
  j = json{{"table", r.table}, {"chain", r.chain}, {"family", r.family}};
  if (r.src) j["src"] = addr_json(*r.src);
  if (r.dst) j["dst"] = addr_json(*r.dst);
  if (r.in_iface) j["in_iface"] = iface_json(*r.in_iface);
  if (r.out_iface) j["out_iface"] = iface_json(*r.out_iface);
  if (r.protocol)
    j["protocol"] = {{"number", r.protocol->number}, {"name", protocol_name(r.protocol->number)},
                     {"negated", r.protocol->negated}};
  j["modules"] = r.modules;
  if (r.sport) j["sport"] = port_json(*r.sport);
  if (r.dport) j["dport"] = port_json(*r.dport);
  if (r.tcp_flags)
    j["tcp_flags"] = {{"mask", r.tcp_flags->mask}, {"cmp", r.tcp_flags->cmp}, {"negated", r.tcp_flags->negated}};
  if (r.mark) j["mark"] = {{"value", r.mark->value}, {"mask", r.mark->mask}, {"negated", r.mark->negated}};
  if (r.ctstate) j["ctstate"] = {{"states", r.ctstate->states}, {"negated", r.ctstate->negated}};
  if (r.comment) j["comment"] = *r.comment;
  if (!r.other_matches.empty()) {
    json others = json::array();
    for (const auto& o : r.other_matches) others.push_back({{"name", o.name}, {"text", o.text}});
    j["other_matches"] = std::move(others);
  }
  const NatTarget& t = r.target;
  json tj = {{"kind", to_string(t.kind)}};
  if (!t.chain.empty()) tj["chain"] = t.chain;
  if (!t.name.empty()) tj["name"] = t.name;
  if (!t.to_destination.empty()) tj["to_destination"] = t.to_destination;
  if (!t.to_source.empty()) tj["to_source"] = t.to_source;
  if (!t.to_ports.empty()) tj["to_ports"] = t.to_ports;
  if (t.random) tj["random"] = true;
  if (t.random_fully) tj["random_fully"] = true;
  if (t.persistent) tj["persistent"] = true;
  if (!t.text.empty()) tj["text"] = t.text;
  j["target"] = std::move(tj);
  j["packets"] = r.packets;
  j["bytes"] = r.bytes;
  if (r.handle) j["handle"] = r.handle;
  if (!r.unparsed.empty()) j["unparsed"] = r.unparsed;
}

void from_json(const json& j, NatRule& r) {
  r = NatRule{};
  j.at("table").get_to(r.table);
  j.at("chain").get_to(r.chain);
  get_opt(j, "family", r.family);
  if (j.contains("src")) r.src = addr_from(j.at("src"));
  if (j.contains("dst")) r.dst = addr_from(j.at("dst"));
  if (j.contains("in_iface")) r.in_iface = iface_from(j.at("in_iface"));
  if (j.contains("out_iface")) r.out_iface = iface_from(j.at("out_iface"));
  if (j.contains("protocol")) {
    NatProtoMatch p;
    j.at("protocol").at("number").get_to(p.number);
    get_opt(j.at("protocol"), "negated", p.negated);
    r.protocol = p;
  }
  get_opt(j, "modules", r.modules);
  if (j.contains("sport")) r.sport = port_from(j.at("sport"));
  if (j.contains("dport")) r.dport = port_from(j.at("dport"));
  if (j.contains("tcp_flags")) {
    NatTcpFlagsMatch f;
    j.at("tcp_flags").at("mask").get_to(f.mask);
    j.at("tcp_flags").at("cmp").get_to(f.cmp);
    get_opt(j.at("tcp_flags"), "negated", f.negated);
    r.tcp_flags = f;
  }
  if (j.contains("mark")) {
    NatMarkMatch m;
    j.at("mark").at("value").get_to(m.value);
    get_opt(j.at("mark"), "mask", m.mask);
    get_opt(j.at("mark"), "negated", m.negated);
    r.mark = m;
  }
  if (j.contains("ctstate")) {
    NatCtStateMatch c;
    j.at("ctstate").at("states").get_to(c.states);
    get_opt(j.at("ctstate"), "negated", c.negated);
    r.ctstate = c;
  }
  if (j.contains("comment")) r.comment = j.at("comment").get<std::string>();
  if (j.contains("other_matches"))
    for (const auto& o : j.at("other_matches"))
      r.other_matches.push_back({o.at("name").get<std::string>(), o.value("text", std::string())});
  const json& tj = j.at("target");
  const auto kind = nat_target_kind_from_string(tj.at("kind").get<std::string>());
  if (!kind) throw json::other_error::create(501, "unknown target kind '" + tj.at("kind").get<std::string>() + "'", &tj);
  NatTarget& t = r.target;
  t.kind = *kind;
  get_opt(tj, "chain", t.chain);
  get_opt(tj, "name", t.name);
  get_opt(tj, "to_destination", t.to_destination);
  get_opt(tj, "to_source", t.to_source);
  get_opt(tj, "to_ports", t.to_ports);
  get_opt(tj, "random", t.random);
  get_opt(tj, "random_fully", t.random_fully);
  get_opt(tj, "persistent", t.persistent);
  get_opt(tj, "text", t.text);
  get_opt(j, "packets", r.packets);
  get_opt(j, "bytes", r.bytes);
  get_opt(j, "handle", r.handle);
  get_opt(j, "unparsed", r.unparsed);
}

void to_json(json& j, const NatChain& c) {
  j = json{{"name", c.name}, {"builtin", c.builtin}};
  if (c.builtin) {
    j["hook"] = c.hook;
    j["priority"] = c.priority;
    j["type"] = c.type;
    j["policy"] = c.policy;
    j["packets"] = c.packets;
    j["bytes"] = c.bytes;
  }
  j["rules"] = c.rules;
}

void from_json(const json& j, NatChain& c) {
  c = NatChain{};
  j.at("name").get_to(c.name);
  get_opt(j, "builtin", c.builtin);
  get_opt(j, "hook", c.hook);
  get_opt(j, "priority", c.priority);
  get_opt(j, "type", c.type);
  get_opt(j, "policy", c.policy);
  get_opt(j, "packets", c.packets);
  get_opt(j, "bytes", c.bytes);
  get_opt(j, "rules", c.rules);
}

void to_json(json& j, const NatTable& t) {
  j = json{{"name", t.name}, {"family", t.family}, {"backend", to_string(t.backend)}, {"chains", t.chains}};
}

void from_json(const json& j, NatTable& t) {
  t = NatTable{};
  j.at("name").get_to(t.name);
  get_opt(j, "family", t.family);
  const auto backend = j.at("backend").get<std::string>();
  if (backend == "iptables-legacy")
    t.backend = NatBackend::iptables_legacy;
  else if (backend == "nftables")
    t.backend = NatBackend::nftables;
  else
    throw json::other_error::create(501, "unknown backend '" + backend + "'", &j);
  get_opt(j, "chains", t.chains);
}

void to_json(json& j, const NatView& v) { j = json{{"tables", v.tables}}; }

void from_json(const json& j, NatView& v) {
  v = NatView{};
  j.at("tables").get_to(v.tables);
}

Result<NatView> nat_view_from_json(const json& j) {
  try {
    return j.get<NatView>();
  } catch (const json::exception& e) {
    return fail(Error::input(std::string("NAT snapshot JSON: ") + e.what()));
  }
}

}  // namespace sw::netprobe
