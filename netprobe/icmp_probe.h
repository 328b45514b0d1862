// ICMP / ICMPv6 echo from inside a namespace, to many targets at once (model: iputils ping for the
// per-target statistics, fping for the many-targets loop).
//
// ping() enters the namespace only to create one raw socket per address family, then runs one poll
// loop: echo k of every target is due at start + k·interval, each echo waits at most `timeout` for
// its reply, and replies are matched by ICMP id/sequence (plus a per-run cookie in the payload). A
// thousand silent targets with a 1 s timeout therefore take about one second, not a thousand.
//
// The kernel limits that matter with many unresolved targets, and what ping() does about them:
//  - every echo to an unresolved neighbour sits in that neighbour's queue, charged to the socket's
//    send buffer: the sockets get 4 MiB (SO_SNDBUFFORCE, as root) so a thousand fit;
//  - the neighbour table is global, shared by all namespaces (net.ipv4.neigh.default.gc_thresh3,
//    1024 by default): when it is full, sendto() fails with ENOBUFS (seen only with IP_RECVERR,
//    which is why it is set). Such echoes are retried every few milliseconds until their own
//    deadline, and a target whose echoes never left is reported as send_error with the reason,
//    instead of failing the run.
// Every wait is bounded: the whole run ends by start + (count-1)·interval + timeout.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "netprobe/ip_address.h"

namespace sw::netprobe {

struct PingOptions {
  int count = 3;                                  ///< echoes per target (1..1000)
  std::chrono::milliseconds interval{200};        ///< between two echoes to the same target
  std::chrono::milliseconds timeout{1000};        ///< how long each echo waits for its reply
  std::size_t size = 56;                          ///< ICMP payload bytes, as ping -s
  bool dont_fragment = false;                     ///< IP_PMTUDISC_DO: too-big packets fail instead of fragmenting
};

/// Why a target did not answer (or that it did).
enum class PingStatus {
  answered,      ///< at least one reply
  timeout,       ///< echoes left, nothing came back in time
  too_big,       ///< don't-fragment and the packet exceeds the path MTU (locally "Message too long", or
                 ///< an ICMP "fragmentation needed" / ICMPv6 "packet too big" from a router)
  unreachable,   ///< ICMP destination unreachable (host, net, port, prohibited…) or no route
  ttl_exceeded,  ///< ICMP time exceeded
  send_error,    ///< the echoes could not be sent (ENOBUFS: neighbour table full, ENETDOWN, …)
};
std::string_view to_string(PingStatus s);
std::optional<PingStatus> ping_status_from(std::string_view s);

struct PingTargetResult {
  IpAddress target;
  int transmitted = 0;  ///< echoes that left (sendto succeeded)
  int received = 0;     ///< replies matched within their echo's timeout
  int scheduled = 0;    ///< echoes planned (= count)
  std::optional<double> rtt_min_ms, rtt_avg_ms, rtt_max_ms, rtt_mdev_ms;
  PingStatus status = PingStatus::timeout;
  std::string detail;            ///< "frag needed, mtu 1280 from 10.0.0.254", "Message too long, mtu 1400", …
  std::optional<std::uint32_t> mtu;  ///< the MTU reported with too_big
  std::optional<std::uint8_t> ttl;   ///< TTL / hop limit of the last reply

  /// (scheduled - received) / scheduled, in percent; echoes never sent count as lost.
  double loss_percent() const;
  bool operator==(const PingTargetResult&) const = default;
};

struct PingReport {
  PingOptions options;
  std::vector<PingTargetResult> targets;   ///< in the order given
  double elapsed_ms = 0;

  int answered() const;
  bool all_answered() const { return answered() == static_cast<int>(targets.size()); }
};

/// Pings every target from inside ns_fd (ns_fd < 0: the calling thread's namespace). Errors are
/// reserved for things that stop the whole run (bad options, no permission for raw sockets);
/// per-target trouble is in the report.
Result<PingReport> ping(int ns_fd, std::span<const IpAddress> targets, const PingOptions& options);

void to_json(nlohmann::json& j, const PingOptions& o);
void from_json(const nlohmann::json& j, PingOptions& o);
void to_json(nlohmann::json& j, const PingTargetResult& r);
void from_json(const nlohmann::json& j, PingTargetResult& r);
void to_json(nlohmann::json& j, const PingReport& r);
void from_json(const nlohmann::json& j, PingReport& r);

}  // namespace sw::netprobe
