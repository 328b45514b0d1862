#include "netprobe/targets.h"

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "common/strings.h"

namespace sw::netprobe {

Result<std::vector<IpAddress>> parse_targets(std::string_view file_name, std::string_view text) {
  std::vector<IpAddress> out;
  std::unordered_set<IpAddress> seen;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    const auto where = [&] { return std::string(file_name) + ":" + std::to_string(line_no) + ": "; };
    if (line.find('\0') != std::string_view::npos) return fail(Error::input(where() + "binary data, not a list of addresses"));
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) continue;
    if (line.find_first_of(" \t") != std::string_view::npos)
      return fail(Error::input(where() + "one address per line, got '" + std::string(line) + "'"));
    auto a = IpAddress::parse(line);
    if (!a) {
      std::string why = "'" + std::string(line) + "' is not an IPv4 or IPv6 address";
      if (line.find('/') != std::string_view::npos) why += " (prefixes are not expanded; list the addresses)";
      return fail(Error::input(where() + why));
    }
    if (seen.insert(*a).second) out.push_back(*a);
  }
  return out;
}

void merge_targets(std::vector<IpAddress>& into, const std::vector<IpAddress>& more) {
  std::unordered_set<IpAddress> seen(into.begin(), into.end());
  for (const auto& a : more)
    if (seen.insert(a).second) into.push_back(a);
}

Result<Endpoint> parse_host_port(std::string_view text) {
  const std::string t(text);
  std::string_view host, port;
  if (starts_with(text, "[")) {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail(Error::input("'" + t + "': expected [IPv6]:PORT"));
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return fail(Error::input("'" + t + "': expected HOST:PORT"));
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return fail(Error::input("'" + t + "': write an IPv6 address as [ADDRESS]:PORT"));
  }
  auto addr = IpAddress::parse(host);
  if (!addr) return fail(Error::input("'" + t + "': " + addr.error().message() + " (names are not resolved)"));
  auto p = parse_uint(port, 1, 65535);
  if (!p) return fail(Error::input("'" + t + "': port '" + std::string(port) + "' is not a number in 1-65535"));
  return Endpoint{*addr, static_cast<std::uint16_t>(*p)};
}

}  // namespace sw::netprobe
