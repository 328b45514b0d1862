#include "netprobe/netlink.h"

#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

#include "netprobe/netns.h"

namespace sw::netprobe {
namespace {

struct SockDeleter {
  void operator()(nl_sock* s) const { nl_socket_free(s); }
};
struct MsgDeleter {
  void operator()(nl_msg* m) const { nlmsg_free(m); }
};
using SockPtr = std::unique_ptr<nl_sock, SockDeleter>;
using MsgPtr = std::unique_ptr<nl_msg, MsgDeleter>;

Error nl_error(int code, std::string_view what) {
  return Error::os(std::string(what) + ": " + nl_geterror(code));
}

constexpr int kRecvTimeoutSec = 5;
constexpr std::size_t kRecvBuffer = 64 * 1024;  // the kernel fills at most ~32 KiB per dump skb
constexpr int kDumpAttempts = 3;

}  // namespace

struct NetlinkSocket::Impl {
  SockPtr sock;
  std::vector<std::byte> buf;  // receive buffer; std::byte storage from new[] is suitably aligned

  // Receives one datagram; returns its messages (borrowing buf).
  Result<std::vector<nl::Message>> receive() {
    const int fd = nl_socket_get_fd(sock.get());
    for (;;) {
      const ssize_t n = ::recv(fd, buf.data(), buf.size(), MSG_TRUNC);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          return fail(Error::timeout("netlink: no reply within " + std::to_string(kRecvTimeoutSec) + " s"));
        return fail_errno(errno, "netlink: recv");
      }
      if (static_cast<std::size_t>(n) > buf.size())
        return fail(Error::os("netlink: reply of " + std::to_string(n) + " bytes truncated"));
      return nl::split(std::span<const std::byte>(buf.data(), static_cast<std::size_t>(n)));
    }
  }
};

NetlinkSocket::NetlinkSocket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NetlinkSocket::NetlinkSocket(NetlinkSocket&&) noexcept = default;
NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&&) noexcept = default;
NetlinkSocket::~NetlinkSocket() = default;

Result<NetlinkSocket> NetlinkSocket::open() {
  SockPtr sock(nl_socket_alloc());
  if (!sock) return fail(Error::os("netlink: cannot allocate a socket"));
  if (int err = nl_connect(sock.get(), NETLINK_ROUTE); err < 0) return fail(nl_error(err, "netlink: connect"));
  // Our decoders read whole dumps; a larger receive buffer avoids ENOBUFS on busy hosts.
  if (int err = nl_socket_set_buffer_size(sock.get(), 1 << 20, 0); err < 0)
    return fail(nl_error(err, "netlink: set buffer size"));
  timeval tv{kRecvTimeoutSec, 0};
  if (::setsockopt(nl_socket_get_fd(sock.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) != 0)
    return fail_errno(errno, "netlink: SO_RCVTIMEO");
  auto impl = std::make_unique<Impl>();
  impl->sock = std::move(sock);
  impl->buf.resize(kRecvBuffer);
  return NetlinkSocket(std::move(impl));
}

Result<NetlinkSocket> NetlinkSocket::open_in(int ns_fd) {
  if (ns_fd < 0) return open();
  auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
  auto sock = SW_TRY(open());
  SW_TRY_VOID(guard.leave());
  return sock;
}

Result<void> NetlinkSocket::send(std::uint16_t type, std::uint16_t flags, std::span<const std::byte> body,
                                 std::uint32_t& seq) {
  MsgPtr msg(nlmsg_alloc_simple(type, NLM_F_REQUEST | flags));
  if (!msg) return fail(Error::os("netlink: cannot allocate a message"));
  if (!body.empty()) {
    if (int err = nlmsg_append(msg.get(), const_cast<std::byte*>(body.data()), body.size(), NLMSG_ALIGNTO); err < 0)
      return fail(nl_error(err, "netlink: build request"));
  }
  const int n = nl_send_auto(impl_->sock.get(), msg.get());
  if (n < 0) return fail(nl_error(n, "netlink: send"));
  seq = nlmsg_hdr(msg.get())->nlmsg_seq;
  return {};
}

Result<void> NetlinkSocket::dump(std::uint16_t type, std::span<const std::byte> body, const OnMessage& on_msg,
                                 const std::function<void()>& on_reset) {
  for (int attempt = 1;; ++attempt) {
    std::uint32_t seq = 0;
    SW_TRY_VOID(send(type, NLM_F_DUMP, body, seq));
    bool interrupted = false;
    bool done = false;
    while (!done) {
      auto msgs = SW_TRY(impl_->receive());
      for (const auto& m : msgs) {
        if (m.seq != seq) continue;  // a late reply to an earlier request
        if (m.flags & NLM_F_DUMP_INTR) interrupted = true;
        if (m.type == NLMSG_DONE) {
          // The kernel may report a dump error in NLMSG_DONE's payload.
          if (auto err = nl::header<int>(m.payload); err && *err < 0)
            return fail_errno(-*err, "netlink: dump type " + std::to_string(type));
          done = true;
          break;
        }
        if (m.type == NLMSG_ERROR) {
          auto e = nl::header<nlmsgerr>(m.payload);
          if (e && e->error != 0) return fail_errno(-e->error, "netlink: dump type " + std::to_string(type));
          continue;
        }
        SW_TRY_VOID(on_msg(m));
      }
    }
    if (!interrupted) return {};
    if (attempt == kDumpAttempts)
      return fail(Error::os("netlink: dump type " + std::to_string(type) + " kept changing under us (" +
                                std::to_string(kDumpAttempts) + " attempts)"));
    if (on_reset) on_reset();
  }
}

Result<std::vector<std::byte>> NetlinkSocket::request(std::uint16_t type, std::uint16_t extra_flags,
                                                      std::span<const std::byte> body) {
  std::uint32_t seq = 0;
  SW_TRY_VOID(send(type, extra_flags, body, seq));
  for (;;) {
    auto msgs = SW_TRY(impl_->receive());
    for (const auto& m : msgs) {
      if (m.seq != seq) continue;
      if (m.type == NLMSG_ERROR) {
        auto e = nl::header<nlmsgerr>(m.payload);
        if (!e) return fail(Error::os("netlink: short error message"));
        if (e->error != 0) return fail_errno(-e->error, "netlink: request type " + std::to_string(type));
        return std::vector<std::byte>{};  // a bare ACK
      }
      const auto* start = m.payload.data() - sizeof(nlmsghdr);
      return std::vector<std::byte>(start, m.payload.data() + m.payload.size());
    }
  }
}

// resize + memcpy rather than insert(): g++ 12 misreads the latter as an overflow (-Wstringop-overflow).
void append_bytes(std::vector<std::byte>& body, const void* data, std::size_t len, std::size_t align_to) {
  const std::size_t at = body.size();
  body.resize((at + len + align_to - 1) / align_to * align_to);
  if (len) std::memcpy(body.data() + at, data, len);
}

void append_attr(std::vector<std::byte>& body, std::uint16_t type, std::span<const std::byte> data) {
  const nlattr h{static_cast<std::uint16_t>(NLA_HDRLEN + data.size()), type};
  append_bytes(body, &h, NLA_HDRLEN, NLA_ALIGNTO);
  append_bytes(body, data.data(), data.size(), NLA_ALIGNTO);
}

}  // namespace sw::netprobe
