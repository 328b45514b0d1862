// A NETLINK_ROUTE socket (libnl's nl_sock underneath, owned once) that sends requests and collects
// raw reply messages for the pure decoders in link.cpp, address.cpp, route.cpp, neighbour.cpp and
// sysctl.cpp.
//
// Lifetime and namespace: the socket belongs to the namespace of the thread that created it, for
// good. open_in(ns_fd) enters ns_fd just long enough to create it; afterwards it can be used from any
// thread in any namespace and still talks to ns_fd's kernel tables. Every receive is bounded by
// SO_RCVTIMEO (5 s), so a wedged kernel cannot hang a caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "common/error.h"
#include "netprobe/nl_attr.h"

namespace sw::netprobe {

class NetlinkSocket {
 public:
  /// A socket in the calling thread's namespace.
  static Result<NetlinkSocket> open();
  /// A socket in ns_fd's namespace (ns_fd < 0: the calling thread's).
  static Result<NetlinkSocket> open_in(int ns_fd);

  NetlinkSocket(NetlinkSocket&&) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&&) noexcept;
  ~NetlinkSocket();

  /// Called once per reply message of a dump; an error stops the dump and is returned.
  using OnMessage = std::function<Result<void>(const nl::Message&)>;

  /// Sends an NLM_F_DUMP request of `type` whose payload is `body` (family header + attributes) and
  /// feeds every reply message to on_msg. Restarts the dump (at most 3 times) when the kernel flags
  /// it interrupted (NLM_F_DUMP_INTR) — on_reset is called before each restart so the caller can
  /// drop partial results.
  Result<void> dump(std::uint16_t type, std::span<const std::byte> body, const OnMessage& on_msg,
                    const std::function<void()>& on_reset = {});
  /// Sends one request (NLM_F_REQUEST | extra_flags) and returns the reply message bytes (one
  /// message, header included), or the kernel's error as an Error.
  Result<std::vector<std::byte>> request(std::uint16_t type, std::uint16_t extra_flags,
                                         std::span<const std::byte> body);

 private:
  struct Impl;
  explicit NetlinkSocket(std::unique_ptr<Impl> impl);
  Result<void> send(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body, std::uint32_t& seq);
  std::unique_ptr<Impl> impl_;
};

/// Appends a POD family header to a request body (NLMSG_ALIGNed).
void append_bytes(std::vector<std::byte>& body, const void* data, std::size_t len, std::size_t align_to);
template <class T>
void append_header(std::vector<std::byte>& body, const T& hdr) {
  append_bytes(body, &hdr, sizeof(T), NLMSG_ALIGNTO);
}
/// Appends one attribute (NLA_ALIGNed) to a request body.
void append_attr(std::vector<std::byte>& body, std::uint16_t type, std::span<const std::byte> data);
template <class T>
void append_attr(std::vector<std::byte>& body, std::uint16_t type, const T& value) {
  append_attr(body, type, std::span<const std::byte>(reinterpret_cast<const std::byte*>(&value), sizeof(T)));
}

}  // namespace sw::netprobe
