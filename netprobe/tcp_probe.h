// TCP connect from inside a namespace: is HOST:PORT open, refused, or silent? (model: the connect
// check of nc -z, with its answer as data).
//
// The socket is created inside the namespace (NetnsGuard) and the guard is left before waiting, so the
// wait runs in the caller's namespace while the connection lives in the target's. The connect is
// non-blocking and the wait is bounded by `timeout`; an open connection is closed with a reset
// (SO_LINGER 0) so probing leaves no TIME_WAIT behind.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/targets.h"

namespace sw::netprobe {

enum class TcpStatus {
  open,         ///< the handshake completed
  refused,      ///< RST: nothing listens (ECONNREFUSED)
  timeout,      ///< no answer within the timeout (filtered, silent host)
  unreachable,  ///< no route, blackhole/unreachable/prohibit route, ICMP unreachable, host down
  error,        ///< anything else (see detail)
};
std::string_view to_string(TcpStatus s);
std::optional<TcpStatus> tcp_status_from(std::string_view s);

struct TcpProbeResult {
  Endpoint endpoint;
  TcpStatus status = TcpStatus::error;
  double elapsed_ms = 0;   ///< from connect() to the outcome
  std::string detail;      ///< strerror text of the outcome ("Connection refused")
  bool operator==(const TcpProbeResult&) const = default;
};

/// Connects to `to` from inside ns_fd (ns_fd < 0: the calling thread's namespace). Errors only for
/// bad input or when no socket can be made; every network outcome is a result.
Result<TcpProbeResult> tcp_probe(int ns_fd, const Endpoint& to, std::chrono::milliseconds timeout);

void to_json(nlohmann::json& j, const TcpProbeResult& r);
void from_json(const nlohmann::json& j, TcpProbeResult& r);

}  // namespace sw::netprobe
