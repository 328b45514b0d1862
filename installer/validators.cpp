#include "installer/validators.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <set>

#include "common/strings.h"

namespace sw::installer {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_name_char(char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; }

std::unexpected<Error> bad(std::string message) { return fail(Error::input(std::move(message))); }

// "10.15.0.300" and "10.15.0" look like addresses, not host names: say so instead of accepting
// them as names no resolver will find.
bool looks_numeric(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_digit(c) || c == '.'; });
}

}  // namespace

std::string quoted_value(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

bool is_ipv4(std::string_view s) {
  if (s.empty() || s.size() > 15) return false;
  const std::string z(s);
  in_addr a{};
  return ::inet_pton(AF_INET, z.c_str(), &a) == 1;
}

bool is_ipv6(std::string_view s) {
  if (s.empty() || s.size() > 45 || s.find(':') == std::string_view::npos) return false;
  const std::string z(s);
  in6_addr a{};
  return ::inet_pton(AF_INET6, z.c_str(), &a) == 1;
}

bool is_hostname(std::string_view s) {
  if (s.ends_with('.')) s.remove_suffix(1);  // a fully qualified name may end in a dot
  if (s.empty() || s.size() > 253 || looks_numeric(s)) return false;
  for (auto label : split(s, '.')) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-'; }))
      return false;
  }
  return true;
}

bool is_loopback_host(std::string_view s) {
  if (s == "localhost" || s == "localhost.localdomain" || s == "::1") return true;
  return is_ipv4(s) && s.starts_with("127.");
}

Result<std::string> parse_host(std::string_view s) {
  if (s.empty()) return bad("empty host (allowed: an IPv4 or IPv6 address or a host name)");
  if (is_ipv4(s) || is_ipv6(s) || is_hostname(s)) return std::string(s);
  if (looks_numeric(s)) return bad(quoted_value(s) + " is not a valid IPv4 address");
  if (s.find(':') != std::string_view::npos && s.find_first_not_of("0123456789abcdefABCDEF:.") ==
                                                   std::string_view::npos)
    return bad(quoted_value(s) + " is not a valid IPv6 address");
  return bad(quoted_value(s) +
             " is not a host (allowed: an IPv4 or IPv6 address, or a host name of letters, digits, "
             "'-' and '.')");
}

std::vector<std::string> split_list(std::string_view s) {
  std::vector<std::string> out;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (!item.empty()) out.emplace_back(item);
  }
  return out;
}

Result<std::vector<std::string>> parse_host_list(std::string_view s, bool allow_empty) {
  std::vector<std::string> hosts;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in host list " + quoted_value(s) + " (allowed: hosts separated by commas)");
    }
    auto host = SW_TRY(parse_host(item));
    if (std::find(hosts.begin(), hosts.end(), host) != hosts.end())
      return bad(quoted_value(host) + " is listed twice");
    hosts.push_back(std::move(host));
  }
  if (hosts.empty() && !allow_empty)
    return bad("no host given (allowed: one or more hosts separated by commas)");
  return hosts;
}

std::string Cidr::network() const {
  const int family = v6 ? AF_INET6 : AF_INET;
  std::array<unsigned char, 16> bytes{};
  (void)::inet_pton(family, address.c_str(), bytes.data());
  const unsigned bits = v6 ? 128 : 32;
  for (unsigned bit = prefix; bit < bits; ++bit)
    bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, bytes.data(), text, sizeof text);
  return std::string(text) + "/" + std::to_string(prefix);
}

Result<Cidr> parse_cidr(std::string_view s) {
  const auto slash = s.find('/');
  if (slash == std::string_view::npos)
    return bad(quoted_value(s) + " is not a CIDR (allowed: ADDRESS/PREFIX, e.g. 172.24.4.224/28)");
  const auto addr = s.substr(0, slash);
  Cidr c;
  c.address = std::string(addr);
  if (is_ipv4(addr)) {
    c.v6 = false;
  } else if (is_ipv6(addr)) {
    c.v6 = true;
  } else {
    return bad(quoted_value(s) + " is not a CIDR: " + quoted_value(addr) + " is not an IPv4 or IPv6 address");
  }
  const unsigned max = c.v6 ? 128 : 32;
  const auto prefix = parse_uint(s.substr(slash + 1), 0, max);
  if (!prefix)
    return bad(quoted_value(s) + " is not a CIDR: the prefix length must be 0.." + std::to_string(max));
  c.prefix = static_cast<unsigned>(*prefix);
  // Compare bytes, not text: IPv6 has many spellings of one address.
  const int family = c.v6 ? AF_INET6 : AF_INET;
  std::array<unsigned char, 16> a{}, n{};
  (void)::inet_pton(family, c.address.c_str(), a.data());
  const auto net = c.network();
  const std::string net_addr = net.substr(0, net.find('/'));
  (void)::inet_pton(family, net_addr.c_str(), n.data());
  c.host_bits_zero = a == n;
  return c;
}

Result<std::vector<Cidr>> parse_cidr_list(std::string_view s, bool allow_empty) {
  std::vector<Cidr> out;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in CIDR list " + quoted_value(s));
    }
    out.push_back(SW_TRY(parse_cidr(item)));
  }
  if (out.empty() && !allow_empty) return bad("no CIDR given (allowed: CIDRs separated by commas)");
  return out;
}

Result<std::string> parse_iface_name(std::string_view s) {
  static constexpr std::string_view rules =
      " (kernel rules: 1..15 bytes, not '.' or '..', no '/', ':' or blanks; stackwire allows "
      "letters, digits, '-', '_' and '.')";
  if (s.empty()) return bad("empty interface name" + std::string(rules));
  if (s.size() > 15)
    return bad(quoted_value(s) + " is not an interface name: " + std::to_string(s.size()) +
               " bytes, the kernel allows 15" + std::string(rules));
  if (s == "." || s == "..") return bad(quoted_value(s) + " is not an interface name" + std::string(rules));
  for (char c : s) {
    if (is_name_char(c)) continue;
    std::string what;
    if (c == '/') what = "'/'";
    else if (c == ':') what = "':'";
    else if (c == ' ' || c == '\t') what = "a blank";
    else what = quoted_value(std::string_view(&c, 1));
    return bad(quoted_value(s) + " is not an interface name: it contains " + what + std::string(rules));
  }
  return std::string(s);
}

Result<std::uint16_t> parse_port(std::string_view s) {
  const auto v = parse_uint(s, 1, 65535);
  if (!v) return bad(quoted_value(s) + " is not a port (allowed: 1..65535)");
  return static_cast<std::uint16_t>(*v);
}

Result<std::vector<IdRange>> parse_id_ranges(std::string_view s, std::uint32_t lo, std::uint32_t hi,
                                             std::string_view space) {
  std::vector<IdRange> out;
  const std::string limits = std::to_string(lo) + ".." + std::to_string(hi);
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in range list " + quoted_value(s));
    }
    const auto parts = split(item, ':');
    if (parts.size() != 2)
      return bad(quoted_value(item) + " is not a range (allowed: MIN:MAX within " + std::string(space) +
                 " " + limits + ", e.g. 1000:3000)");
    IdRange r;
    for (int i = 0; i < 2; ++i) {
      const auto part = trim(parts[static_cast<size_t>(i)]);
      const auto v = parse_uint(part, 0, ~0ULL);
      if (!v)
        return bad(quoted_value(item) + " is not a range: " + quoted_value(part) +
                   " is not a number (allowed: MIN:MAX, e.g. 1000:3000)");
      if (*v < lo || *v > hi)
        return bad(quoted_value(item) + ": " + std::string(part) + " is outside " + std::string(space) +
                   " " + limits);
      (i == 0 ? r.min : r.max) = static_cast<std::uint32_t>(*v);
    }
    if (r.min > r.max)
      return bad(quoted_value(item) + ": the range is reversed (" + std::to_string(r.min) + " > " +
                 std::to_string(r.max) + "; allowed: MIN:MAX with MIN <= MAX)");
    out.push_back(r);
  }
  return out;
}

bool ranges_overlap(const std::vector<IdRange>& ranges) {
  for (size_t i = 0; i < ranges.size(); ++i)
    for (size_t j = i + 1; j < ranges.size(); ++j)
      if (ranges[i].min <= ranges[j].max && ranges[j].min <= ranges[i].max) return true;
  return false;
}

Result<std::string> parse_physnet(std::string_view s) {
  if (s.empty()) return bad("empty physical network name");
  if (s.size() > 64 || !std::all_of(s.begin(), s.end(), is_name_char))
    return bad(quoted_value(s) +
               " is not a physical network name (allowed: up to 64 letters, digits, '-', '_', '.')");
  return std::string(s);
}

Result<std::vector<VlanRange>> parse_vlan_ranges(std::string_view s) {
  std::vector<VlanRange> out;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in VLAN range list " + quoted_value(s));
    }
    const auto parts = split(item, ':');
    if (parts.size() != 1 && parts.size() != 3)
      return bad(quoted_value(item) +
                 " is not a VLAN range (allowed: PHYSNET or PHYSNET:MIN:MAX with VLAN ids "
                 "1..4094, e.g. physnet1:1000:2999)");
    VlanRange v;
    v.physnet = SW_TRY(parse_physnet(trim(parts[0])));
    if (parts.size() == 3) {
      const std::string range = std::string(trim(parts[1])) + ":" + std::string(trim(parts[2]));
      auto r = parse_id_ranges(range, 1, 4094, "the VLAN id space");
      if (!r) return bad(quoted_value(item) + ": " + r.error().message());
      v.range = r->front();
    }
    for (const auto& prev : out)
      if (prev.physnet == v.physnet && (!prev.range || !v.range))
        return bad(quoted_value(v.physnet) + " is listed twice, once without a range");
    out.push_back(std::move(v));
  }
  return out;
}

Result<std::vector<BridgeIface>> parse_bridge_ifaces(std::string_view s, bool use_subnets) {
  std::vector<BridgeIface> out;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in bridge:interface list " + quoted_value(s));
    }
    const auto colon = item.find(':');
    if (colon == std::string_view::npos || item.find(':', colon + 1) != std::string_view::npos)
      return bad(quoted_value(item) + " is not a BRIDGE:INTERFACE pair (e.g. br-ex:eth3)");
    BridgeIface p;
    auto bridge = parse_iface_name(trim(item.substr(0, colon)));
    if (!bridge) return bad(quoted_value(item) + ": bridge " + bridge.error().message());
    p.bridge = *bridge;
    const auto iface_text = trim(item.substr(colon + 1));
    if (use_subnets) {
      auto c = parse_cidr(iface_text);
      if (!c) return bad(quoted_value(item) + ": with CONFIG_USE_SUBNETS=y " + c.error().message());
      p.iface = std::string(iface_text);
    } else {
      auto iface = parse_iface_name(iface_text);
      if (!iface) return bad(quoted_value(item) + ": " + iface.error().message());
      p.iface = *iface;
    }
    for (const auto& prev : out)
      if (prev.iface == p.iface)
        return bad("interface " + quoted_value(p.iface) + " is given to both " + quoted_value(prev.bridge) +
                   " and " + quoted_value(p.bridge) + " (an interface can be in one bridge only)");
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::vector<BridgeMapping>> parse_bridge_mappings(std::string_view s) {
  std::vector<BridgeMapping> out;
  for (auto item : split(s, ',')) {
    item = trim(item);
    if (item.empty()) {
      if (trim(s).empty()) break;
      return bad("empty item in bridge mapping list " + quoted_value(s));
    }
    const auto colon = item.find(':');
    if (colon == std::string_view::npos || item.find(':', colon + 1) != std::string_view::npos)
      return bad(quoted_value(item) + " is not a PHYSNET:BRIDGE mapping (e.g. extnet:br-ex)");
    BridgeMapping m;
    auto physnet = parse_physnet(trim(item.substr(0, colon)));
    if (!physnet) return bad(quoted_value(item) + ": " + physnet.error().message());
    auto bridge = parse_iface_name(trim(item.substr(colon + 1)));
    if (!bridge) return bad(quoted_value(item) + ": bridge " + bridge.error().message());
    m.physnet = *physnet;
    m.bridge = *bridge;
    for (const auto& prev : out) {
      if (prev.physnet == m.physnet)
        return bad("physical network " + quoted_value(m.physnet) + " is mapped twice");
      if (prev.bridge == m.bridge)
        return bad("bridge " + quoted_value(m.bridge) + " is mapped to both " + quoted_value(prev.physnet) +
                   " and " + quoted_value(m.physnet));
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<void> check_ssh_public_key(std::string_view text) {
  if (text.find("PRIVATE KEY-----") != std::string_view::npos)
    return bad("is a private key, not a public key (give the .pub file)");
  std::string_view line;
  for (auto l : split(text, '\n')) {
    l = trim(l);
    if (!l.empty() && !l.starts_with('#')) {
      line = l;
      break;
    }
  }
  if (line.empty()) return bad("is empty, not an ssh public key");
  const auto fields = split(line, ' ');
  const auto type = fields[0];
  static constexpr std::array<std::string_view, 4> prefixes = {"ssh-", "ecdsa-sha2-",
                                                               "sk-ssh-", "sk-ecdsa-sha2-"};
  const bool known_type = std::any_of(prefixes.begin(), prefixes.end(),
                                      [&](std::string_view p) { return type.starts_with(p); });
  if (!known_type || fields.size() < 2 || !fields[1].starts_with("AAAA"))
    return bad(
        "is not an ssh public key (expected one line 'ssh-ed25519 AAAA... comment', "
        "'ssh-rsa AAAA...' or 'ecdsa-sha2-... AAAA...')");
  return {};
}

std::size_t edit_distance(std::string_view a, std::string_view b, std::size_t at_most) {
  // Three rolling rows of the (Damerau) table in one allocation: an answer file full of unknown
  // keys asks this for every catalogue key, so a table of vectors per call was the cost (found by
  // fuzz_answer_file timing out).
  const size_t m = b.size();
  std::vector<size_t> rows(3 * (m + 1));
  size_t* prev2 = rows.data();
  size_t* prev = prev2 + (m + 1);
  size_t* cur = prev + (m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  size_t prev_min = 0;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= m; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      row_min = std::min(row_min, cur[j]);
    }
    // Later rows add to this row or (a transposition, +1) to the one before: once both are past the
    // bound, so is the answer. Most catalogue keys are ruled out after a few rows this way.
    if (row_min > at_most && prev_min > at_most) return at_most + 1;
    prev_min = row_min;
    std::swap(prev2, prev);
    std::swap(prev, cur);
  }
  return std::min(prev[m], at_most + 1);
}

}  // namespace sw::installer
