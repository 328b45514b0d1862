// IP and link-layer addresses as plain values.
//
// IpAddress holds an IPv4 or IPv6 address in network byte order, the way netlink carries it
// (RTA_DST, IFA_LOCAL, NDA_DST…). It parses and prints only literals (inet_pton/inet_ntop): netprobe
// never resolves names, because a resolver inside a namespace could wait without bound.
// Link-layer addresses stay what the kernel gave us, printed as lowercase colon-separated hex
// ("02:00:0a:00:00:01"), whatever their length (6 for Ethernet, 4 for GRE, 0 for none).
#pragma once

#include <sys/socket.h>

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"

namespace sw::netprobe {

/// An IPv4 or IPv6 address (no port, no prefix).
struct IpAddress {
  int family = AF_UNSPEC;                 ///< AF_INET, AF_INET6, or AF_UNSPEC for "none"
  std::array<std::uint8_t, 16> bytes{};   ///< network order; IPv4 uses the first 4

  /// Parses an IPv4 or IPv6 literal; Error::input naming the text otherwise.
  static Result<IpAddress> parse(std::string_view text);
  /// From netlink attribute bytes: 4 bytes → IPv4, 16 → IPv6; nullopt for any other length.
  static std::optional<IpAddress> from_bytes(std::span<const std::byte> raw);
  static IpAddress v4(std::uint32_t host_order);

  bool is_v4() const { return family == AF_INET; }
  bool is_v6() const { return family == AF_INET6; }
  bool valid() const { return family == AF_INET || family == AF_INET6; }
  /// 4 or 16 (0 when invalid).
  std::size_t size() const { return is_v4() ? 4 : is_v6() ? 16 : 0; }
  /// The IPv4 address in host order (only meaningful for IPv4).
  std::uint32_t v4_host_order() const;
  /// "10.0.0.1", "fe80::1"; "" when invalid.
  std::string to_string() const;

  auto operator<=>(const IpAddress&) const = default;
  bool operator==(const IpAddress&) const = default;
};

/// Formats a link-layer address as lowercase colon-separated hex ("" for an empty one).
std::string format_lladdr(std::span<const std::byte> raw);
/// Parses "aa:bb:cc:dd:ee:ff" (any number of 1–2 digit hex groups); Error::input otherwise.
Result<std::array<std::uint8_t, 6>> parse_mac(std::string_view text);

void to_json(nlohmann::json& j, const IpAddress& a);
void from_json(const nlohmann::json& j, IpAddress& a);

}  // namespace sw::netprobe

template <>
struct std::hash<sw::netprobe::IpAddress> {
  std::size_t operator()(const sw::netprobe::IpAddress& a) const noexcept;
};
