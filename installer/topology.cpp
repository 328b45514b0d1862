#include "installer/topology.h"

#include <arpa/inet.h>

#include <array>
#include <cstring>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "common/log.h"
#include "installer/neutron_client.h"

namespace sw::installer {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// ---------------------------------------------------------------------------------------------
// Addresses

namespace {

struct Ip {
  int family = 0;
  std::array<unsigned char, 16> b{};
  int bits() const { return family == AF_INET ? 32 : 128; }
  auto operator<=>(const Ip&) const = default;
};

std::optional<Ip> parse_ip(std::string_view s) {
  std::string str(s);
  Ip ip;
  if (::inet_pton(AF_INET, str.c_str(), ip.b.data()) == 1) {
    ip.family = AF_INET;
    return ip;
  }
  if (::inet_pton(AF_INET6, str.c_str(), ip.b.data()) == 1) {
    ip.family = AF_INET6;
    return ip;
  }
  return std::nullopt;
}

struct Cidr {
  Ip net;
  int prefix = 0;
};

bool bit(const Ip& ip, int i) { return (ip.b[static_cast<size_t>(i / 8)] >> (7 - i % 8)) & 1; }

// Parses "a.b.c.d/n"; `host_bits` is set when the address has bits beyond the prefix.
std::optional<Cidr> parse_cidr(std::string_view s, bool* host_bits = nullptr) {
  const size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = parse_ip(s.substr(0, slash));
  if (!ip) return std::nullopt;
  const std::string_view len = s.substr(slash + 1);
  if (len.empty() || len.size() > 3 || !std::all_of(len.begin(), len.end(), ::isdigit)) return std::nullopt;
  const int prefix = std::stoi(std::string(len));
  if (prefix > ip->bits()) return std::nullopt;
  if (host_bits) {
    *host_bits = false;
    for (int i = prefix; i < ip->bits(); ++i) *host_bits = *host_bits || bit(*ip, i);
  }
  return Cidr{*ip, prefix};
}

bool contains(const Cidr& c, const Ip& ip) {
  if (c.net.family != ip.family) return false;
  for (int i = 0; i < c.prefix; ++i)
    if (bit(c.net, i) != bit(ip, i)) return false;
  return true;
}

bool overlaps(const Cidr& a, const Cidr& b) { return contains(a, b.net) || contains(b, a.net); }

Ip network_address(const Cidr& c) {
  Ip ip = c.net;
  for (int i = c.prefix; i < ip.bits(); ++i) ip.b[static_cast<size_t>(i / 8)] &= static_cast<unsigned char>(~(1 << (7 - i % 8)));
  return ip;
}

std::string ip_text(const Ip& ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(ip.family, ip.b.data(), buf, sizeof buf);
  return buf;
}

}  // namespace

bool cidr_contains(std::string_view cidr, std::string_view ip) {
  auto c = parse_cidr(cidr);
  auto a = parse_ip(ip);
  return c && a && contains(*c, *a);
}

std::optional<int> cidr_prefix_len(std::string_view cidr) {
  auto c = parse_cidr(cidr);
  if (!c) return std::nullopt;
  return c->prefix;
}

// ---------------------------------------------------------------------------------------------
// Lookups

const Topology::Network* Topology::network(std::string_view name) const {
  for (const auto& n : networks)
    if (n.name == name) return &n;
  return nullptr;
}

const Topology::Network* Topology::network_by_id(std::string_view id) const {
  for (const auto& n : networks)
    if (!id.empty() && n.id == id) return &n;
  return nullptr;
}

const Topology::Subnet* Topology::subnet(std::string_view name) const {
  for (const auto& n : networks)
    for (const auto& s : n.subnets)
      if (s.name == name) return &s;
  return nullptr;
}

const Topology::Network* Topology::network_of_subnet(std::string_view name) const {
  for (const auto& n : networks)
    for (const auto& s : n.subnets)
      if (s.name == name) return &n;
  return nullptr;
}

const Topology::Router* Topology::router(std::string_view name) const {
  for (const auto& r : routers)
    if (r.name == name) return &r;
  return nullptr;
}

const Topology::Instance* Topology::instance(std::string_view name) const {
  for (const auto& i : instances)
    if (i.name == name) return &i;
  return nullptr;
}

const Topology::Port* Topology::port(std::string_view id) const {
  for (const auto& p : ports)
    if (p.id == id) return &p;
  return nullptr;
}

std::vector<const Topology::Port*> Topology::ports_of_device(std::string_view device_id) const {
  std::vector<const Port*> out;
  for (const auto& p : ports)
    if (p.device_id == device_id) out.push_back(&p);
  return out;
}

const Topology::Network* Topology::external_network_for(std::string_view ip) const {
  for (const auto& n : networks)
    if (n.external)
      for (const auto& s : n.subnets)
        if (cidr_contains(s.cidr, ip)) return &n;
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// JSON with line numbers. nlohmann's DOM keeps no positions, so a SAX handler builds the DOM and
// records, for every value, the line it starts on, keyed by JSON pointer. The line comes from a
// counting iterator: when an event fires, the lexer has consumed the token (plus, after a number,
// one character of lookahead), so the line of the last consumed character is the token's line.

namespace {

class CountingIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = const char&;

  CountingIterator(const char* p, const char** latest) : p_(p), latest_(latest) {}
  reference operator*() const { return *p_; }
  CountingIterator& operator++() {
    *latest_ = ++p_;
    return *this;
  }
  CountingIterator operator++(int) {
    CountingIterator old = *this;
    ++*this;
    return old;
  }
  bool operator==(const CountingIterator& o) const { return p_ == o.p_; }
  bool operator!=(const CountingIterator& o) const { return p_ != o.p_; }

 private:
  const char* p_;
  const char** latest_;
};

std::string pointer_escape(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

class LineSax final : public nlohmann::json_sax<json> {
 public:
  LineSax(std::string_view text, const char* const* cursor) : begin_(text.data()), cursor_(cursor) {}

  json root;
  std::map<std::string, int> lines;  // JSON pointer → line
  std::string error;                 // "12: message" style detail, set when parsing stopped
  int error_line = 0;

  bool null() override { return place(nullptr); }
  bool boolean(bool v) override { return place(v); }
  bool number_integer(number_integer_t v) override { return place(v); }
  bool number_unsigned(number_unsigned_t v) override { return place(v); }
  bool number_float(number_float_t v, const string_t&) override { return place(v); }
  bool string(string_t& v) override { return place(v); }
  bool binary(binary_t&) override { return place(nullptr); }
  bool start_object(std::size_t) override { return open(json::object()); }
  bool end_object() override { return close(); }
  bool start_array(std::size_t) override { return open(json::array()); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    json& obj = *stack_.back();
    if (obj.contains(k)) {
      error_line = current_line();
      error = "duplicate key '" + k + "'";
      return false;
    }
    key_ = k;
    lines[ptrs_.back() + "/" + pointer_escape(k)] = current_line();
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    error_line = line_of(position == 0 ? 0 : position - 1);
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 3, column 5: syntax error ..." → the tail.
    if (auto col = what.find("column "); col != std::string::npos)
      if (auto colon = what.find(": ", col); colon != std::string::npos) what = what.substr(colon + 2);
    error = "JSON " + what;
    return false;
  }

 private:
  int line_of(size_t offset) {
    // Offsets only grow while parsing: count newlines incrementally.
    if (offset < counted_to_) {
      counted_to_ = 0;
      counted_lines_ = 1;
    }
    for (; counted_to_ < offset; ++counted_to_)
      if (begin_[counted_to_] == '\n') ++counted_lines_;
    return counted_lines_;
  }
  int current_line() {
    const size_t consumed = static_cast<size_t>(*cursor_ - begin_);
    return line_of(consumed == 0 ? 0 : consumed - 1);
  }

  // Adds a value where the parser is; returns its address (stable while it is open).
  json* add(json v, std::string* ptr) {
    if (stack_.empty()) {
      root = std::move(v);
      *ptr = "";
      lines[""] = current_line();
      return &root;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      *ptr = ptrs_.back() + "/" + std::to_string(parent.size());
      lines[*ptr] = current_line();
      parent.push_back(std::move(v));
      return &parent.back();
    }
    *ptr = ptrs_.back() + "/" + pointer_escape(key_);  // its line was recorded at the key
    json& slot = parent[key_];
    slot = std::move(v);
    return &slot;
  }
  bool place(json v) {
    std::string ptr;
    add(std::move(v), &ptr);
    return true;
  }
  bool open(json v) {
    // A topology nests five levels deep. Every level keeps its JSON pointer, so a document of
    // 100,000 nested brackets would hold 10^10 bytes of pointers: refuse it at the bracket instead.
    if (stack_.size() >= kMaxDepth) {
      error_line = current_line();
      error = "JSON nested deeper than " + std::to_string(kMaxDepth) + " levels";
      return false;
    }
    std::string ptr;
    stack_.push_back(add(std::move(v), &ptr));
    ptrs_.push_back(std::move(ptr));
    return true;
  }
  bool close() {
    stack_.pop_back();
    ptrs_.pop_back();
    return true;
  }

  static constexpr std::size_t kMaxDepth = 64;
  const char* begin_;
  const char* const* cursor_;
  std::vector<json*> stack_;
  std::vector<std::string> ptrs_;
  std::string key_;
  size_t counted_to_ = 0;
  int counted_lines_ = 1;
};

std::string type_name(const json& j) {
  switch (j.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned: return "an integer";
    case json::value_t::number_float: return "a number";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    default: return "something else";
  }
}

// Where we are in the document: the JSON pointer (for line lookup) and a readable path.
struct At {
  std::string ptr;
  std::string path;
  At key(std::string_view k) const { return {ptr + "/" + pointer_escape(k), path.empty() ? std::string(k) : path + "." + std::string(k)}; }
  At index(size_t i) const { return {ptr + "/" + std::to_string(i), path + "[" + std::to_string(i) + "]"}; }
};

class Reader {
 public:
  Reader(std::string_view name, const std::map<std::string, int>& lines, std::vector<std::string>* warnings)
      : name_(name), lines_(lines), warnings_(warnings) {}

  int line(const At& at) const {
    std::string p = at.ptr;
    for (;;) {
      if (auto it = lines_.find(p); it != lines_.end()) return it->second;
      if (p.empty()) return 0;
      p.resize(p.rfind('/'));
    }
  }
  std::string where(const At& at) const { return name_ + ":" + std::to_string(line(at)) + ": "; }
  Error error(const At& at, const std::string& msg) const {
    return Error::input(where(at) + (at.path.empty() ? "" : at.path + ": ") + msg);
  }
  void warn(const At& at, const std::string& msg) const {
    std::string w = where(at) + (at.path.empty() ? "" : at.path + ": ") + msg;
    if (warnings_)
      warnings_->push_back(std::move(w));
    else
      sw::log::warn(w);
  }

  Result<void> object(const json& j, const At& at, std::initializer_list<std::string_view> known) const {
    if (!j.is_object()) return fail(error(at, "expected an object, got " + type_name(j)));
    for (const auto& [k, v] : j.items())
      if (std::find(known.begin(), known.end(), k) == known.end())
        warn(at.key(k), "unknown key '" + k + "', ignored");
    return {};
  }

  Result<std::string> str(const json& obj, const At& at, std::string_view key, bool required = false) const {
    auto it = obj.find(key);
    if (it == obj.end()) {
      if (required) return fail(error(at, "missing '" + std::string(key) + "'"));
      return std::string();
    }
    if (!it->is_string()) return fail(error(at.key(key), "expected a string, got " + type_name(*it)));
    if (required && it->get<std::string>().empty()) return fail(error(at.key(key), "must not be empty"));
    return it->get<std::string>();
  }
  /// A string or null (→ ""), absent → nullopt.
  Result<std::optional<std::string>> nullable_str(const json& obj, const At& at, std::string_view key) const {
    auto it = obj.find(key);
    if (it == obj.end()) return std::optional<std::string>();
    if (it->is_null()) return std::optional<std::string>("");
    if (!it->is_string()) return fail(error(at.key(key), "expected a string or null, got " + type_name(*it)));
    return std::optional<std::string>(it->get<std::string>());
  }
  Result<bool> boolean(const json& obj, const At& at, std::string_view key, bool fallback) const {
    auto it = obj.find(key);
    if (it == obj.end()) return fallback;
    if (!it->is_boolean()) return fail(error(at.key(key), "expected true or false, got " + type_name(*it)));
    return it->get<bool>();
  }
  Result<std::optional<long long>> integer(const json& obj, const At& at, std::string_view key, long long lo,
                                           long long hi) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::optional<long long>();
    if (!it->is_number_integer()) return fail(error(at.key(key), "expected an integer, got " + type_name(*it)));
    const long long v = it->is_number_unsigned() && it->get<unsigned long long>() > static_cast<unsigned long long>(hi)
                            ? hi + 1
                            : it->get<long long>();
    if (v < lo || v > hi)
      return fail(error(at.key(key), "must be between " + std::to_string(lo) + " and " + std::to_string(hi)));
    return std::optional<long long>(v);
  }
  Result<std::vector<std::string>> strings(const json& obj, const At& at, std::string_view key) const {
    std::vector<std::string> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    const At a = at.key(key);
    if (!it->is_array()) return fail(error(a, "expected an array of strings, got " + type_name(*it)));
    for (size_t i = 0; i < it->size(); ++i) {
      const json& v = (*it)[i];
      if (!v.is_string()) return fail(error(a.index(i), "expected a string, got " + type_name(v)));
      out.push_back(v.get<std::string>());
    }
    return out;
  }
  /// The array under `key` (absent → empty); each element must be an object.
  Result<std::vector<std::pair<const json*, At>>> objects(const json& obj, const At& at, std::string_view key) const {
    std::vector<std::pair<const json*, At>> out;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return out;
    const At a = at.key(key);
    if (!it->is_array()) return fail(error(a, "expected an array, got " + type_name(*it)));
    for (size_t i = 0; i < it->size(); ++i) {
      if (!(*it)[i].is_object()) return fail(error(a.index(i), "expected an object, got " + type_name((*it)[i])));
      out.emplace_back(&(*it)[i], a.index(i));
    }
    return out;
  }

 private:
  std::string name_;
  const std::map<std::string, int>& lines_;
  std::vector<std::string>* warnings_;
};

Result<Topology::Subnet> read_subnet(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"name", "id", "cidr", "gateway_ip", "enable_dhcp", "allocation_pools", "dns_nameservers"}));
  Topology::Subnet s;
  s.line = r.line(at);
  s.name = SW_TRY(r.str(j, at, "name", true));
  s.id = SW_TRY(r.str(j, at, "id"));
  s.cidr = SW_TRY(r.str(j, at, "cidr", true));
  s.gateway_ip = SW_TRY(r.nullable_str(j, at, "gateway_ip"));
  s.enable_dhcp = SW_TRY(r.boolean(j, at, "enable_dhcp", true));
  for (const auto& [p, pat] : SW_TRY(r.objects(j, at, "allocation_pools"))) {
    SW_TRY_VOID(r.object(*p, pat, {"start", "end"}));
    s.allocation_pools.push_back({SW_TRY(r.str(*p, pat, "start", true)), SW_TRY(r.str(*p, pat, "end", true))});
  }
  s.dns_nameservers = SW_TRY(r.strings(j, at, "dns_nameservers"));
  return s;
}

Result<Topology::Network> read_network(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"name", "id", "external", "shared", "provider", "mtu", "dhcp_agent_hosts", "subnets"}));
  Topology::Network n;
  n.line = r.line(at);
  n.name = SW_TRY(r.str(j, at, "name", true));
  n.id = SW_TRY(r.str(j, at, "id"));
  n.external = SW_TRY(r.boolean(j, at, "external", false));
  n.shared = SW_TRY(r.boolean(j, at, "shared", false));
  if (auto p = j.find("provider"); p != j.end() && !p->is_null()) {
    const At pat = at.key("provider");
    SW_TRY_VOID(r.object(*p, pat, {"network_type", "physical_network", "segmentation_id"}));
    n.provider.network_type = SW_TRY(r.str(*p, pat, "network_type"));
    n.provider.physical_network = SW_TRY(r.str(*p, pat, "physical_network"));
    n.provider.segmentation_id = SW_TRY(r.integer(*p, pat, "segmentation_id", 0, 0xffffffffLL));
  }
  if (auto m = SW_TRY(r.integer(j, at, "mtu", 68, 65535))) n.mtu = static_cast<int>(*m);
  n.dhcp_agent_hosts = SW_TRY(r.strings(j, at, "dhcp_agent_hosts"));
  for (const auto& [s, sat] : SW_TRY(r.objects(j, at, "subnets"))) n.subnets.push_back(SW_TRY(read_subnet(r, *s, sat)));
  return n;
}

Result<Topology::Router> read_router(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"name", "id", "external_gateway", "gateway_ip", "interfaces", "l3_agent_hosts"}));
  Topology::Router x;
  x.line = r.line(at);
  x.name = SW_TRY(r.str(j, at, "name", true));
  x.id = SW_TRY(r.str(j, at, "id"));
  x.external_gateway = SW_TRY(r.nullable_str(j, at, "external_gateway")).value_or("");
  x.gateway_ip = SW_TRY(r.str(j, at, "gateway_ip"));
  x.interfaces = SW_TRY(r.strings(j, at, "interfaces"));
  x.l3_agent_hosts = SW_TRY(r.strings(j, at, "l3_agent_hosts"));
  return x;
}

Result<Topology::Rule> read_rule(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"protocol", "port", "port_max", "direction", "ethertype", "remote_ip_prefix"}));
  Topology::Rule x;
  x.line = r.line(at);
  // The protocol may be a name or an IP protocol number.
  if (auto p = j.find("protocol"); p != j.end() && p->is_number_integer()) {
    auto n = SW_TRY(r.integer(j, at, "protocol", 0, 255));
    x.protocol = std::to_string(*n);
  } else {
    x.protocol = SW_TRY(r.nullable_str(j, at, "protocol")).value_or("");
  }
  if (auto p = SW_TRY(r.integer(j, at, "port", 1, 65535))) x.port = static_cast<int>(*p);
  if (auto p = SW_TRY(r.integer(j, at, "port_max", 1, 65535))) x.port_max = static_cast<int>(*p);
  if (auto d = SW_TRY(r.str(j, at, "direction")); !d.empty()) x.direction = d;
  if (auto e = SW_TRY(r.str(j, at, "ethertype")); !e.empty()) x.ethertype = e;
  x.remote_ip_prefix = SW_TRY(r.str(j, at, "remote_ip_prefix"));
  return x;
}

Result<Topology::Instance> read_instance(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"name", "network", "host", "fixed_ip", "floating_ip", "port_id", "mac", "status",
                               "floating_ip_id"}));
  Topology::Instance x;
  x.line = r.line(at);
  x.name = SW_TRY(r.str(j, at, "name", true));
  x.network = SW_TRY(r.str(j, at, "network", true));
  x.host = SW_TRY(r.str(j, at, "host"));
  x.fixed_ip = SW_TRY(r.str(j, at, "fixed_ip"));
  x.floating_ip = SW_TRY(r.nullable_str(j, at, "floating_ip")).value_or("");
  x.port_id = SW_TRY(r.str(j, at, "port_id"));
  x.mac = SW_TRY(r.str(j, at, "mac"));
  x.status = SW_TRY(r.str(j, at, "status"));
  x.floating_ip_id = SW_TRY(r.str(j, at, "floating_ip_id"));
  return x;
}

Result<Topology::Port> read_port(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"id", "name", "network", "device_owner", "device_id", "host", "mac", "status", "fixed_ips"}));
  Topology::Port p;
  p.line = r.line(at);
  p.id = SW_TRY(r.str(j, at, "id", true));
  p.name = SW_TRY(r.str(j, at, "name"));
  p.network = SW_TRY(r.str(j, at, "network", true));
  p.device_owner = SW_TRY(r.str(j, at, "device_owner"));
  p.device_id = SW_TRY(r.str(j, at, "device_id"));
  p.host = SW_TRY(r.str(j, at, "host"));
  p.mac = SW_TRY(r.str(j, at, "mac"));
  p.status = SW_TRY(r.str(j, at, "status"));
  for (const auto& [f, fat] : SW_TRY(r.objects(j, at, "fixed_ips"))) {
    SW_TRY_VOID(r.object(*f, fat, {"subnet", "ip_address"}));
    p.fixed_ips.push_back({SW_TRY(r.str(*f, fat, "subnet")), SW_TRY(r.str(*f, fat, "ip_address", true))});
  }
  return p;
}

Result<Topology::Agent> read_agent(const Reader& r, const json& j, const At& at) {
  SW_TRY_VOID(r.object(j, at, {"id", "agent_type", "binary", "host", "alive", "admin_state_up"}));
  Topology::Agent a;
  a.line = r.line(at);
  a.id = SW_TRY(r.str(j, at, "id"));
  a.agent_type = SW_TRY(r.str(j, at, "agent_type"));
  a.binary = SW_TRY(r.str(j, at, "binary", true));
  a.host = SW_TRY(r.str(j, at, "host", true));
  a.alive = SW_TRY(r.boolean(j, at, "alive", false));
  a.admin_state_up = SW_TRY(r.boolean(j, at, "admin_state_up", true));
  return a;
}

// Line of a field when the file is known, else the element's own line.
using LineOf = std::function<int(const std::string& ptr, int element_line)>;

Result<void> validate_impl(const Topology& t, std::string_view name, TopologyRules rules, const LineOf& line_of) {
  auto err = [&](const std::string& ptr, int element_line, const std::string& msg) {
    const int line = line_of(ptr, element_line);
    return fail(Error::input(std::string(name) + (line > 0 ? ":" + std::to_string(line) : std::string()) + ": " + msg));
  };
  std::set<std::string> seen;
  struct TenantCidr {
    std::string subnet;
    Cidr cidr;
    std::string text;
  };
  std::vector<TenantCidr> tenant, external;  // subnets seen so far, by kind
  static const std::set<std::string> kTypes = {"flat", "vlan", "gre", "vxlan", "geneve", "local"};

  for (size_t i = 0; i < t.networks.size(); ++i) {
    const auto& n = t.networks[i];
    const std::string np = "/networks/" + std::to_string(i);
    const std::string what = "network '" + n.name + "'";
    if (!seen.insert("network " + n.name).second) return err(np + "/name", n.line, what + " is defined twice");
    if (!n.provider.network_type.empty() && !kTypes.contains(n.provider.network_type))
      return err(np + "/provider/network_type", n.line,
                 what + ": provider network_type '" + n.provider.network_type +
                     "' is not one of flat, vlan, gre, vxlan, geneve, local");
    for (size_t k = 0; k < n.subnets.size(); ++k) {
      const auto& s = n.subnets[k];
      const std::string sp = np + "/subnets/" + std::to_string(k);
      const std::string sw = "subnet '" + s.name + "'";
      if (!seen.insert("subnet " + s.name).second) return err(sp + "/name", s.line, sw + " is defined twice");
      bool host_bits = false;
      auto cidr = parse_cidr(s.cidr, &host_bits);
      if (!cidr) return err(sp + "/cidr", s.line, sw + ": cidr '" + s.cidr + "' is not a valid CIDR");
      if (host_bits)
        return err(sp + "/cidr", s.line,
                   sw + ": cidr '" + s.cidr + "' has host bits set (did you mean " + ip_text(network_address(*cidr)) +
                       "/" + std::to_string(cidr->prefix) + "?)");
      std::optional<Ip> gw;
      if (s.gateway_ip && !s.gateway_ip->empty()) {
        gw = parse_ip(*s.gateway_ip);
        if (!gw) return err(sp + "/gateway_ip", s.line, sw + ": gateway_ip '" + *s.gateway_ip + "' is not an address");
        if (!contains(*cidr, *gw))
          return err(sp + "/gateway_ip", s.line, sw + ": gateway_ip " + *s.gateway_ip + " is outside " + s.cidr);
      }
      for (size_t p = 0; p < s.allocation_pools.size(); ++p) {
        const auto& pool = s.allocation_pools[p];
        const std::string pp = sp + "/allocation_pools/" + std::to_string(p);
        auto a = parse_ip(pool.start);
        auto b = parse_ip(pool.end);
        if (!a || !contains(*cidr, *a))
          return err(pp + "/start", s.line, sw + ": allocation pool start '" + pool.start + "' is not an address in " + s.cidr);
        if (!b || !contains(*cidr, *b))
          return err(pp + "/end", s.line, sw + ": allocation pool end '" + pool.end + "' is not an address in " + s.cidr);
        if (*b < *a) return err(pp, s.line, sw + ": allocation pool " + pool.start + "-" + pool.end + " ends before it starts");
        if (gw && !(*gw < *a) && !(*b < *gw))
          return err(pp, s.line, sw + ": the gateway " + *s.gateway_ip + " lies inside allocation pool " + pool.start +
                                     "-" + pool.end);
      }
      for (size_t d = 0; d < s.dns_nameservers.size(); ++d)
        if (!parse_ip(s.dns_nameservers[d]))
          return err(sp + "/dns_nameservers/" + std::to_string(d), s.line,
                     sw + ": dns nameserver '" + s.dns_nameservers[d] + "' is not an address");
      if (!rules.observed) {
        // A tenant subnet inside the external one: its router would have its gateway and an
        // interface on the same addresses (Neutron refuses the interface), and floating IPs clash.
        for (const auto& o : n.external ? tenant : external)
          if (overlaps(o.cidr, *cidr))
            return err(sp + "/cidr", s.line,
                       sw + " (" + s.cidr + ") overlaps " + (n.external ? "tenant" : "external") + " subnet '" +
                           o.subnet + "' (" + o.text + ")");
        if (!n.external)
          for (const auto& o : tenant)
            if (overlaps(o.cidr, *cidr))
              return err(sp + "/cidr", s.line,
                         sw + " (" + s.cidr + ") overlaps subnet '" + o.subnet + "' (" + o.text + ")");
      }
      (n.external ? external : tenant).push_back({s.name, *cidr, s.cidr});
    }
  }

  std::map<std::string, std::string> interface_owner;  // subnet → router
  for (size_t i = 0; i < t.routers.size(); ++i) {
    const auto& r = t.routers[i];
    const std::string rp = "/routers/" + std::to_string(i);
    const std::string what = "router '" + r.name + "'";
    if (!seen.insert("router " + r.name).second) return err(rp + "/name", r.line, what + " is defined twice");
    if (!r.external_gateway.empty()) {
      const auto* n = t.network(r.external_gateway);
      if (!n) return err(rp + "/external_gateway", r.line, what + ": external_gateway '" + r.external_gateway + "' is not a defined network");
      if (!n->external)
        return err(rp + "/external_gateway", r.line,
                   what + ": external_gateway '" + r.external_gateway + "' is not an external network (\"external\": true)");
    }
    for (size_t k = 0; k < r.interfaces.size(); ++k) {
      const std::string& sn = r.interfaces[k];
      const std::string ip = rp + "/interfaces/" + std::to_string(k);
      const auto* s = t.subnet(sn);
      if (!s) return err(ip, r.line, what + ": interface subnet '" + sn + "' is not defined");
      if (rules.observed) continue;
      if (s->gateway_ip && s->gateway_ip->empty())
        return err(ip, r.line, what + ": interface subnet '" + sn + "' has no gateway_ip for the router to take");
      auto [it, fresh] = interface_owner.emplace(sn, r.name);
      if (!fresh)
        return err(ip, r.line,
                   what + ": subnet '" + sn + "' is already an interface of router '" + it->second + "'");
    }
  }

  for (size_t i = 0; i < t.security_group_rules.size(); ++i) {
    const auto& r = t.security_group_rules[i];
    const std::string rp = "/security_group_rules/" + std::to_string(i);
    const std::string what = "security group rule " + std::to_string(i + 1);
    static const std::set<std::string> kNamed = {"", "icmp", "tcp", "udp", "ipv6-icmp", "icmpv6", "sctp", "gre", "any"};
    const bool numeric = !r.protocol.empty() && std::all_of(r.protocol.begin(), r.protocol.end(), ::isdigit);
    if (!numeric && !kNamed.contains(r.protocol) && !rules.observed)
      return err(rp + "/protocol", r.line, what + ": protocol '" + r.protocol + "' is not icmp, tcp, udp or a number");
    const bool ports = r.protocol == "tcp" || r.protocol == "udp" || r.protocol == "sctp" || r.protocol == "6" ||
                       r.protocol == "17";
    if ((r.port || r.port_max) && !ports)
      return err(rp + "/port", r.line, what + ": a port needs protocol tcp or udp");
    if (r.port_max && !r.port) return err(rp + "/port_max", r.line, what + ": port_max without port");
    if (r.port_max && *r.port_max < *r.port) return err(rp + "/port_max", r.line, what + ": port_max is below port");
    if (r.direction != "ingress" && r.direction != "egress")
      return err(rp + "/direction", r.line, what + ": direction '" + r.direction + "' is not ingress or egress");
    if (r.ethertype != "IPv4" && r.ethertype != "IPv6")
      return err(rp + "/ethertype", r.line, what + ": ethertype '" + r.ethertype + "' is not IPv4 or IPv6");
    if (!r.remote_ip_prefix.empty() && !parse_cidr(r.remote_ip_prefix))
      return err(rp + "/remote_ip_prefix", r.line, what + ": remote_ip_prefix '" + r.remote_ip_prefix + "' is not a CIDR");
  }

  std::set<std::string> floating, fixed;
  for (size_t i = 0; i < t.instances.size(); ++i) {
    const auto& x = t.instances[i];
    const std::string xp = "/instances/" + std::to_string(i);
    const std::string what = "instance '" + x.name + "'";
    if (!seen.insert("instance " + x.name).second) return err(xp + "/name", x.line, what + " is defined twice");
    const auto* net = t.network(x.network);
    if (!net) return err(xp + "/network", x.line, what + ": network '" + x.network + "' is not defined");
    if (!x.fixed_ip.empty()) {
      if (!parse_ip(x.fixed_ip)) return err(xp + "/fixed_ip", x.line, what + ": fixed_ip '" + x.fixed_ip + "' is not an address");
      if (std::none_of(net->subnets.begin(), net->subnets.end(),
                       [&](const auto& s) { return cidr_contains(s.cidr, x.fixed_ip); }))
        return err(xp + "/fixed_ip", x.line, what + ": fixed_ip " + x.fixed_ip + " is outside every subnet of network '" + x.network + "'");
      if (!fixed.insert(x.network + " " + x.fixed_ip).second)
        return err(xp + "/fixed_ip", x.line, what + ": fixed_ip " + x.fixed_ip + " is used twice");
    }
    if (!x.floating_ip.empty()) {
      if (!parse_ip(x.floating_ip))
        return err(xp + "/floating_ip", x.line, what + ": floating_ip '" + x.floating_ip + "' is not an address");
      const auto* ext = t.external_network_for(x.floating_ip);
      if (!ext) {
        std::string subnets;
        for (const auto& n : t.networks)
          if (n.external)
            for (const auto& s : n.subnets) subnets += (subnets.empty() ? "" : ", ") + s.cidr;
        return err(xp + "/floating_ip", x.line,
                   what + ": floating IP " + x.floating_ip + " is outside every external subnet (" +
                       (subnets.empty() ? std::string("there is none") : subnets) + ")");
      }
      if (!floating.insert(x.floating_ip).second)
        return err(xp + "/floating_ip", x.line, what + ": floating IP " + x.floating_ip + " is used twice");
      // Neutron associates a floating IP only through a router joining both networks.
      if (rules.observed) continue;
      const bool routed = std::any_of(t.routers.begin(), t.routers.end(), [&](const auto& r) {
        return r.external_gateway == ext->name &&
               std::any_of(r.interfaces.begin(), r.interfaces.end(),
                           [&](const std::string& s) { const auto* n = t.network_of_subnet(s); return n && n->name == x.network; });
      });
      if (!routed)
        return err(xp + "/floating_ip", x.line,
                   what + ": no router has its gateway on '" + ext->name + "' and an interface on '" + x.network +
                       "', so floating IP " + x.floating_ip + " cannot be associated");
    }
  }

  for (size_t i = 0; i < t.ports.size(); ++i) {
    const auto& p = t.ports[i];
    const std::string pp = "/ports/" + std::to_string(i);
    if (!t.network(p.network)) return err(pp + "/network", p.line, "port " + p.id + ": network '" + p.network + "' is not defined");
    for (size_t k = 0; k < p.fixed_ips.size(); ++k)
      if (!p.fixed_ips[k].subnet.empty() && !t.subnet(p.fixed_ips[k].subnet))
        return err(pp + "/fixed_ips/" + std::to_string(k) + "/subnet", p.line,
                   "port " + p.id + ": subnet '" + p.fixed_ips[k].subnet + "' is not defined");
  }
  return {};
}

}  // namespace

Result<void> validate_topology(const Topology& t, std::string_view name, TopologyRules rules) {
  return validate_impl(t, name, rules, [](const std::string&, int element_line) { return element_line; });
}

Result<Topology> parse_topology(std::string_view name, std::string_view text, std::vector<std::string>* warnings) {
  const char* cursor = text.data();
  LineSax sax(text, &cursor);
  CountingIterator first(text.data(), &cursor), last(text.data() + text.size(), &cursor);
  const bool ok = json::sax_parse(first, last, &sax);
  if (!ok || !sax.error.empty())
    return fail(Error::input(std::string(name) + ":" + std::to_string(sax.error_line ? sax.error_line : 1) + ": " +
                             (sax.error.empty() ? std::string("JSON syntax error") : sax.error)));
  const json& root = sax.root;
  Reader r(name, sax.lines, warnings);
  const At top;
  SW_TRY_VOID(r.object(root, top, {"project", "user", "networks", "routers", "security_group_rules", "instances",
                                   "ports", "agents"}));
  Topology t;
  t.source = std::string(name);
  t.project = SW_TRY(r.str(root, top, "project"));
  t.user = SW_TRY(r.str(root, top, "user"));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "networks"))) t.networks.push_back(SW_TRY(read_network(r, *j, at)));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "routers"))) t.routers.push_back(SW_TRY(read_router(r, *j, at)));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "security_group_rules")))
    t.security_group_rules.push_back(SW_TRY(read_rule(r, *j, at)));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "instances"))) t.instances.push_back(SW_TRY(read_instance(r, *j, at)));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "ports"))) t.ports.push_back(SW_TRY(read_port(r, *j, at)));
  for (const auto& [j, at] : SW_TRY(r.objects(root, top, "agents"))) t.agents.push_back(SW_TRY(read_agent(r, *j, at)));
  // A file with ids or ports was written from an observation: judged as Neutron already judged it.
  const bool observed = !t.ports.empty() || std::any_of(t.networks.begin(), t.networks.end(), [](const auto& n) { return !n.id.empty(); });
  SW_TRY_VOID(validate_impl(t, name, TopologyRules{.observed = observed},
                            [&](const std::string& ptr, int element_line) {
                              const int l = r.line(At{ptr, ""});
                              return l > 0 ? l : element_line;
                            }));
  return t;
}

Result<Topology> read_topology_file(const std::string& path, std::vector<std::string>* warnings) {
  std::ifstream in(path);
  if (!in) return fail_errno(errno, "topology file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_topology(path, ss.str(), warnings);
}

// ---------------------------------------------------------------------------------------------
// Writer

ojson topology_to_json(const Topology& t) {
  ojson out = ojson::object();
  if (!t.project.empty()) out["project"] = t.project;
  if (!t.user.empty()) out["user"] = t.user;
  out["networks"] = ojson::array();
  for (const auto& n : t.networks) {
    ojson j;
    j["name"] = n.name;
    if (!n.id.empty()) j["id"] = n.id;
    j["external"] = n.external;
    j["shared"] = n.shared;
    const auto& p = n.provider;
    if (!p.network_type.empty() || !p.physical_network.empty() || p.segmentation_id) {
      ojson pj = ojson::object();
      if (!p.network_type.empty()) pj["network_type"] = p.network_type;
      if (!p.physical_network.empty()) pj["physical_network"] = p.physical_network;
      if (p.segmentation_id) pj["segmentation_id"] = *p.segmentation_id;
      j["provider"] = pj;
    }
    if (n.mtu) j["mtu"] = *n.mtu;
    if (!n.dhcp_agent_hosts.empty()) j["dhcp_agent_hosts"] = n.dhcp_agent_hosts;
    j["subnets"] = ojson::array();
    for (const auto& s : n.subnets) {
      ojson sj;
      sj["name"] = s.name;
      if (!s.id.empty()) sj["id"] = s.id;
      sj["cidr"] = s.cidr;
      if (s.gateway_ip) sj["gateway_ip"] = s.gateway_ip->empty() ? ojson(nullptr) : ojson(*s.gateway_ip);
      sj["enable_dhcp"] = s.enable_dhcp;
      if (!s.allocation_pools.empty()) {
        sj["allocation_pools"] = ojson::array();
        for (const auto& pool : s.allocation_pools) sj["allocation_pools"].push_back({{"start", pool.start}, {"end", pool.end}});
      }
      if (!s.dns_nameservers.empty()) sj["dns_nameservers"] = s.dns_nameservers;
      j["subnets"].push_back(std::move(sj));
    }
    out["networks"].push_back(std::move(j));
  }
  out["routers"] = ojson::array();
  for (const auto& r : t.routers) {
    ojson j;
    j["name"] = r.name;
    if (!r.id.empty()) j["id"] = r.id;
    j["external_gateway"] = r.external_gateway.empty() ? ojson(nullptr) : ojson(r.external_gateway);
    if (!r.gateway_ip.empty()) j["gateway_ip"] = r.gateway_ip;
    j["interfaces"] = r.interfaces;
    if (!r.l3_agent_hosts.empty()) j["l3_agent_hosts"] = r.l3_agent_hosts;
    out["routers"].push_back(std::move(j));
  }
  out["security_group_rules"] = ojson::array();
  for (const auto& r : t.security_group_rules) {
    ojson j = ojson::object();
    if (!r.protocol.empty()) j["protocol"] = r.protocol;
    if (r.port) j["port"] = *r.port;
    if (r.port_max) j["port_max"] = *r.port_max;
    if (r.direction != "ingress") j["direction"] = r.direction;
    if (r.ethertype != "IPv4") j["ethertype"] = r.ethertype;
    if (!r.remote_ip_prefix.empty()) j["remote_ip_prefix"] = r.remote_ip_prefix;
    out["security_group_rules"].push_back(std::move(j));
  }
  out["instances"] = ojson::array();
  for (const auto& x : t.instances) {
    ojson j;
    j["name"] = x.name;
    j["network"] = x.network;
    if (!x.host.empty()) j["host"] = x.host;
    if (!x.fixed_ip.empty()) j["fixed_ip"] = x.fixed_ip;
    if (!x.floating_ip.empty()) j["floating_ip"] = x.floating_ip;
    if (!x.port_id.empty()) j["port_id"] = x.port_id;
    if (!x.mac.empty()) j["mac"] = x.mac;
    if (!x.status.empty()) j["status"] = x.status;
    if (!x.floating_ip_id.empty()) j["floating_ip_id"] = x.floating_ip_id;
    out["instances"].push_back(std::move(j));
  }
  if (!t.ports.empty()) {
    out["ports"] = ojson::array();
    for (const auto& p : t.ports) {
      ojson j;
      j["id"] = p.id;
      j["name"] = p.name;
      j["network"] = p.network;
      j["device_owner"] = p.device_owner;
      j["device_id"] = p.device_id;
      j["host"] = p.host;
      j["mac"] = p.mac;
      j["status"] = p.status;
      j["fixed_ips"] = ojson::array();
      for (const auto& f : p.fixed_ips) j["fixed_ips"].push_back({{"subnet", f.subnet}, {"ip_address", f.ip_address}});
      out["ports"].push_back(std::move(j));
    }
  }
  if (!t.agents.empty()) {
    out["agents"] = ojson::array();
    for (const auto& a : t.agents)
      out["agents"].push_back({{"id", a.id}, {"agent_type", a.agent_type}, {"binary", a.binary}, {"host", a.host},
                               {"alive", a.alive}, {"admin_state_up", a.admin_state_up}});
  }
  return out;
}

std::string write_topology(const Topology& t) { return topology_to_json(t).dump(2) + "\n"; }

// ---------------------------------------------------------------------------------------------
// From the API

namespace {

// Gives every item a unique, non-empty name: "<name>@<first 8 of id>" when empty or repeated.
template <class T>
std::map<std::string, std::string> unique_names(const std::vector<T>& items) {
  std::map<std::string, int> count;
  for (const auto& i : items) ++count[i.name];
  std::map<std::string, std::string> by_id;
  for (const auto& i : items)
    by_id[i.id] = (i.name.empty() || count[i.name] > 1) ? (i.name.empty() ? "" : i.name) + "@" + i.id.substr(0, 8) : i.name;
  return by_id;
}

// Agent scheduling is admin-only in Neutron's default policy: with a project member's credentials
// the topology is read without it (one warning) rather than not at all.
Result<std::vector<Agent>> admin_only(Result<std::vector<Agent>> r, bool* warned) {
  if (r || r.error().kind() != ErrorKind::permission) return r;
  if (!*warned) sw::log::warn("Neutron agents are not visible with these credentials (admin only): " + r.error().message());
  *warned = true;
  return std::vector<Agent>();
}

std::vector<std::string> hosts_of(const std::vector<Agent>& agents) {
  std::vector<std::string> out;
  for (const auto& a : agents) out.push_back(a.host);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

Result<Topology> read_topology_from_api(const NeutronClient& neutron) {
  const std::vector<Network> networks = SW_TRY(neutron.list_networks());
  const std::vector<Subnet> subnets = SW_TRY(neutron.list_subnets());
  const std::vector<Router> routers = SW_TRY(neutron.list_routers());
  const std::vector<Port> ports = SW_TRY(neutron.list_ports());
  const std::vector<FloatingIp> fips = SW_TRY(neutron.list_floating_ips());
  bool warned = false;
  const std::vector<Agent> agents = SW_TRY(admin_only(neutron.list_agents(), &warned));

  auto net_name = unique_names(networks);
  auto subnet_name = unique_names(subnets);
  auto router_name = unique_names(routers);

  Topology t;
  for (const auto& n : networks) {
    Topology::Network tn;
    tn.name = net_name[n.id];
    tn.id = n.id;
    tn.external = n.external;
    tn.shared = n.shared;
    tn.provider = {n.network_type, n.physical_network, n.segmentation_id};
    tn.mtu = n.mtu;
    bool dhcp = false;
    for (const auto& s : subnets) {
      if (s.network_id != n.id) continue;
      Topology::Subnet ts;
      ts.name = subnet_name[s.id];
      ts.id = s.id;
      ts.cidr = s.cidr;
      ts.gateway_ip = s.gateway_ip;
      ts.enable_dhcp = s.enable_dhcp;
      for (const auto& p : s.allocation_pools) ts.allocation_pools.push_back({p.start, p.end});
      ts.dns_nameservers = s.dns_nameservers;
      dhcp = dhcp || s.enable_dhcp;
      tn.subnets.push_back(std::move(ts));
    }
    if (dhcp) tn.dhcp_agent_hosts = hosts_of(SW_TRY(admin_only(neutron.network_dhcp_agents(n.id), &warned)));
    t.networks.push_back(std::move(tn));
  }
  auto name_of_net = [&](const std::string& id) {
    auto it = net_name.find(id);
    return it == net_name.end() ? id : it->second;
  };
  auto name_of_subnet = [&](const std::string& id) {
    auto it = subnet_name.find(id);
    return it == subnet_name.end() ? id : it->second;
  };

  for (const auto& r : routers) {
    Topology::Router tr;
    tr.name = router_name[r.id];
    tr.id = r.id;
    if (r.gateway) {
      tr.external_gateway = name_of_net(r.gateway->network_id);
      for (const auto& f : r.gateway->external_fixed_ips)
        if (f.ip_address.find(':') == std::string::npos) {
          tr.gateway_ip = f.ip_address;
          break;
        }
    }
    for (const auto& p : ports) {
      if (p.device_id != r.id || p.device_owner == "network:router_gateway") continue;
      if (p.device_owner.find("router_interface") == std::string::npos &&
          p.device_owner != "network:ha_router_replicated_interface")
        continue;
      for (const auto& f : p.fixed_ips) tr.interfaces.push_back(name_of_subnet(f.subnet_id));
    }
    tr.l3_agent_hosts = hosts_of(SW_TRY(admin_only(neutron.router_l3_agents(r.id), &warned)));
    t.routers.push_back(std::move(tr));
  }

  std::set<std::string> groups;
  for (const auto& p : ports) {
    Topology::Port tp;
    tp.id = p.id;
    tp.name = p.name;
    tp.network = name_of_net(p.network_id);
    tp.device_owner = p.device_owner;
    tp.device_id = p.device_id;
    tp.host = p.host_id;
    tp.mac = p.mac_address;
    tp.status = p.status;
    for (const auto& f : p.fixed_ips) tp.fixed_ips.push_back({name_of_subnet(f.subnet_id), f.ip_address});
    t.ports.push_back(std::move(tp));

    if (!p.device_owner.starts_with("compute:")) continue;
    Topology::Instance x;
    x.name = p.name.empty() ? p.device_id : p.name;
    if (x.name.empty()) x.name = p.id;
    x.network = name_of_net(p.network_id);
    x.host = p.host_id;
    x.fixed_ip = p.fixed_ips.empty() ? "" : p.fixed_ips.front().ip_address;
    x.port_id = p.id;
    x.mac = p.mac_address;
    x.status = p.status;
    for (const auto& f : fips)
      if (f.port_id == p.id) {
        x.floating_ip = f.floating_ip_address;
        x.floating_ip_id = f.id;
        break;
      }
    if (t.instance(x.name)) x.name += "@" + p.id.substr(0, 8);
    t.instances.push_back(std::move(x));
    groups.insert(p.security_groups.begin(), p.security_groups.end());
  }

  // The ingress rules that let traffic reach instances: those of the groups their ports use.
  if (!groups.empty()) {
    for (const auto& r : SW_TRY(neutron.list_security_group_rules({{"direction", "ingress"}}))) {
      if (!groups.contains(r.security_group_id) || !r.remote_group_id.empty() || r.direction != "ingress") continue;
      Topology::Rule tr;
      tr.protocol = r.protocol;
      tr.direction = r.direction;
      tr.ethertype = r.ethertype;
      tr.remote_ip_prefix = r.remote_ip_prefix;
      const bool ports_apply = tr.protocol == "tcp" || tr.protocol == "udp" || tr.protocol == "6" || tr.protocol == "17";
      if (ports_apply && r.port_range_min) {
        tr.port = r.port_range_min;
        if (r.port_range_max && r.port_range_max != r.port_range_min) tr.port_max = r.port_range_max;
      }
      const bool dup = std::any_of(t.security_group_rules.begin(), t.security_group_rules.end(), [&](const auto& o) {
        return o.protocol == tr.protocol && o.port == tr.port && o.port_max == tr.port_max && o.ethertype == tr.ethertype &&
               o.remote_ip_prefix == tr.remote_ip_prefix;
      });
      if (!dup) t.security_group_rules.push_back(std::move(tr));
    }
  }

  for (const auto& a : agents)
    t.agents.push_back({a.id, a.agent_type, a.binary, a.host, a.alive, a.admin_state_up, 0});

  SW_TRY_VOID(validate_topology(t, "Neutron API", TopologyRules{.observed = true}));
  return t;
}

}  // namespace sw::installer
