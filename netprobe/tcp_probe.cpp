#include <netinet/in.h>

#include "netprobe/tcp_probe.h"

#include <poll.h>
#include <sys/socket.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "netprobe/json_util.h"
#include "netprobe/netns.h"

namespace sw::netprobe {
namespace {

using Clock = std::chrono::steady_clock;

TcpStatus classify(int err) {
  switch (err) {
    case 0: return TcpStatus::open;
    case ECONNREFUSED: return TcpStatus::refused;
    case ETIMEDOUT: return TcpStatus::timeout;
    case ENETUNREACH:
    case EHOSTUNREACH:
    case EHOSTDOWN:
    case ENETDOWN:
    case EACCES:   // a "prohibit" route
    case EPERM:    // a firewall rejected it locally
    case EINVAL:   // a "blackhole" route
      return TcpStatus::unreachable;
    default: return TcpStatus::error;
  }
}

}  // namespace

std::string_view to_string(TcpStatus s) {
  switch (s) {
    case TcpStatus::open: return "open";
    case TcpStatus::refused: return "refused";
    case TcpStatus::timeout: return "timeout";
    case TcpStatus::unreachable: return "unreachable";
    case TcpStatus::error: return "error";
  }
  return "error";
}

std::optional<TcpStatus> tcp_status_from(std::string_view s) {
  for (TcpStatus t : {TcpStatus::open, TcpStatus::refused, TcpStatus::timeout, TcpStatus::unreachable, TcpStatus::error})
    if (to_string(t) == s) return t;
  return std::nullopt;
}

Result<TcpProbeResult> tcp_probe(int ns_fd, const Endpoint& to, std::chrono::milliseconds timeout) {
  if (!to.host.valid()) return fail(Error::input("tcp: no host address"));
  if (to.port == 0) return fail(Error::input("tcp: port 0"));
  if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::hours(1))
    return fail(Error::input("tcp: --timeout must be between 0.001 and 3600 seconds"));

  UniqueFd fd;
  {
    auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
    fd.reset(::socket(to.host.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP));
    if (!fd) return fail_errno(errno, "tcp socket");
    SW_TRY_VOID(guard.leave());
  }
  const linger lg{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &lg, sizeof lg);

  sockaddr_storage ss{};
  socklen_t len = 0;
  if (to.host.is_v6()) {
    auto* sa = reinterpret_cast<sockaddr_in6*>(&ss);
    sa->sin6_family = AF_INET6;
    sa->sin6_port = htons(to.port);
    std::memcpy(&sa->sin6_addr, to.host.bytes.data(), 16);
    len = sizeof *sa;
  } else {
    auto* sa = reinterpret_cast<sockaddr_in*>(&ss);
    sa->sin_family = AF_INET;
    sa->sin_port = htons(to.port);
    std::memcpy(&sa->sin_addr, to.host.bytes.data(), 4);
    len = sizeof *sa;
  }

  TcpProbeResult r;
  r.endpoint = to;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  auto finish = [&](int err) {
    r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    r.status = classify(err);
    r.detail = err == 0 ? "connected" : errno_string(err);
    return r;
  };
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), len) == 0) return finish(0);
  if (errno != EINPROGRESS) return finish(errno);

  for (;;) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      r.status = TcpStatus::timeout;
      r.detail = "no answer within " + std::to_string(timeout.count()) + " ms";
      return r;
    }
    pollfd p{fd.get(), POLLOUT, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "tcp: poll");
    }
    if (rc == 0) continue;
    int err = 0;
    socklen_t elen = sizeof err;
    if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &elen) != 0) return fail_errno(errno, "tcp: SO_ERROR");
    return finish(err);
  }
}

void to_json(nlohmann::json& j, const TcpProbeResult& r) {
  j = nlohmann::json{{"host", r.endpoint.host}, {"port", r.endpoint.port}, {"status", to_string(r.status)},
                     {"elapsed_ms", r.elapsed_ms}, {"detail", r.detail}};
}

void from_json(const nlohmann::json& j, TcpProbeResult& r) {
  using namespace json_util;
  j.at("host").get_to(r.endpoint.host);
  j.at("port").get_to(r.endpoint.port);
  r.status = named<TcpStatus>(j, "status", tcp_status_from);
  j.at("elapsed_ms").get_to(r.elapsed_ms);
  get_or(j, "detail", r.detail);
}

}  // namespace sw::netprobe
