#include "netprobe/ip_address.h"

#include <arpa/inet.h>

#include <cstring>
#include <nlohmann/json.hpp>

namespace sw::netprobe {

Result<IpAddress> IpAddress::parse(std::string_view text) {
  IpAddress a;
  const std::string s(text);
  if (s.empty()) return fail(Error::input("empty address"));
  if (::inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    return a;
  }
  if (::inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    return a;
  }
  return fail(Error::input("'" + s + "' is not an IPv4 or IPv6 address"));
}

std::optional<IpAddress> IpAddress::from_bytes(std::span<const std::byte> raw) {
  IpAddress a;
  if (raw.size() == 4) a.family = AF_INET;
  else if (raw.size() == 16) a.family = AF_INET6;
  else return std::nullopt;
  std::memcpy(a.bytes.data(), raw.data(), raw.size());
  return a;
}

IpAddress IpAddress::v4(std::uint32_t host_order) {
  IpAddress a;
  a.family = AF_INET;
  const std::uint32_t n = htonl(host_order);
  std::memcpy(a.bytes.data(), &n, 4);
  return a;
}

std::uint32_t IpAddress::v4_host_order() const {
  std::uint32_t n;
  std::memcpy(&n, bytes.data(), 4);
  return ntohl(n);
}

std::string IpAddress::to_string() const {
  if (!valid()) return {};
  char buf[INET6_ADDRSTRLEN];
  if (!::inet_ntop(family, bytes.data(), buf, sizeof buf)) return {};
  return buf;
}

std::string format_lladdr(std::span<const std::byte> raw) {
  static constexpr char hex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (i) s += ':';
    const auto b = static_cast<unsigned>(raw[i]);
    s += hex[b >> 4];
    s += hex[b & 15];
  }
  return s;
}

Result<std::array<std::uint8_t, 6>> parse_mac(std::string_view text) {
  std::array<std::uint8_t, 6> mac{};
  std::size_t n = 0, pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find(':', pos), text.size());
    const std::string_view group = text.substr(pos, end - pos);
    if (n == 6 || group.empty() || group.size() > 2) break;
    unsigned v = 0;
    bool ok = true;
    for (char c : group) {
      v <<= 4;
      if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
      else ok = false;
    }
    if (!ok) break;
    mac[n++] = static_cast<std::uint8_t>(v);
    if (end == text.size()) {
      if (n == 6) return mac;
      break;
    }
    pos = end + 1;
  }
  return fail(Error::input("'" + std::string(text) + "' is not a MAC address"));
}

void to_json(nlohmann::json& j, const IpAddress& a) {
  if (a.valid()) j = a.to_string();
  else j = nullptr;
}

void from_json(const nlohmann::json& j, IpAddress& a) {
  if (j.is_null()) {
    a = IpAddress{};
    return;
  }
  auto r = IpAddress::parse(j.get<std::string>());
  if (!r) throw nlohmann::json::other_error::create(501, r.error().message(), &j);
  a = *r;
}

}  // namespace sw::netprobe

std::size_t std::hash<sw::netprobe::IpAddress>::operator()(const sw::netprobe::IpAddress& a) const noexcept {
  std::size_t h = static_cast<std::size_t>(a.family);
  for (auto b : a.bytes) h = h * 131 + b;
  return h;
}
