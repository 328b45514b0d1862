// Reading netlink messages as bytes: split a receive buffer into messages, read the fixed family
// header (ifinfomsg, ifaddrmsg, rtmsg, ndmsg, netconfmsg) and index the attributes that follow.
//
// Pure functions over borrowed bytes — no socket, no kernel — so every decoder built on them can be
// tested on hand-built messages. Bounds are checked everywhere: a length that runs past the buffer is
// an error, and a getter whose attribute has the wrong size answers "absent" rather than reading
// past it. The spans returned borrow the caller's buffer.
#pragma once

#include <linux/netlink.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe::nl {

using Bytes = std::span<const std::byte>;

/// One netlink message: its header fields and its payload (everything after the nlmsghdr).
struct Message {
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t pid = 0;
  Bytes payload;
};

/// Splits a buffer holding one or more netlink messages. Error when a length field lies.
Result<std::vector<Message>> split(Bytes buffer);
/// Parses exactly one message (the decoders' entry point on bytes).
Result<Message> single(Bytes buffer);

/// The fixed header T at the start of payload, copied out (payloads need not be aligned for T).
template <class T>
std::optional<T> header(Bytes payload) {
  if (payload.size() < sizeof(T)) return std::nullopt;
  T t;
  std::memcpy(&t, payload.data(), sizeof(T));
  return t;
}

/// Attributes after a fixed header, indexed by type. Types ≥ kMaxType are skipped.
class Attrs {
 public:
  static constexpr std::size_t kMaxType = 128;

  /// Parses the attribute stream in bytes (e.g. payload after NLMSG_ALIGN(sizeof(header))).
  static Result<Attrs> parse(Bytes bytes);
  /// Parses the payload of a message whose family header is hdr_len bytes.
  static Result<Attrs> after_header(Bytes payload, std::size_t hdr_len);

  bool has(std::uint16_t type) const { return type < kMaxType && present_[type]; }
  /// The attribute's payload; empty when absent.
  Bytes raw(std::uint16_t type) const { return has(type) ? data_[type] : Bytes{}; }

  std::optional<std::uint8_t> u8(std::uint16_t type) const { return fixed<std::uint8_t>(type); }
  std::optional<std::uint16_t> u16(std::uint16_t type) const { return fixed<std::uint16_t>(type); }
  std::optional<std::uint32_t> u32(std::uint16_t type) const { return fixed<std::uint32_t>(type); }
  std::optional<std::int32_t> s32(std::uint16_t type) const { return fixed<std::int32_t>(type); }
  std::optional<std::uint64_t> u64(std::uint16_t type) const { return fixed<std::uint64_t>(type); }
  /// A u16 in network byte order (ports).
  std::optional<std::uint16_t> be16(std::uint16_t type) const;
  /// A NUL-terminated string attribute, without the NUL.
  std::optional<std::string> str(std::uint16_t type) const;
  /// A 4- or 16-byte address attribute.
  std::optional<IpAddress> ip(std::uint16_t type) const;
  /// A nested attribute set.
  Result<Attrs> nested(std::uint16_t type) const;

 private:
  template <class T>
  std::optional<T> fixed(std::uint16_t type) const {
    if (!has(type) || data_[type].size() < sizeof(T)) return std::nullopt;
    T v;
    std::memcpy(&v, data_[type].data(), sizeof(T));
    return v;
  }

  std::array<Bytes, kMaxType> data_{};
  std::array<bool, kMaxType> present_{};
};

}  // namespace sw::netprobe::nl
