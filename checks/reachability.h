// Reachability: the probes verify asks a host to run (ICMP from a qdhcp- namespace to every instance,
// a don't-fragment probe of the largest tenant-sized packet, ICMP and TCP to every floating IP from
// the external side) and their results. Probes are planned from the expected state, sent as JSON to
// the host that holds the namespace (`stackwire __probe` reads them on stdin), run there natively
// and concurrently, and the results come back as JSON.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"

namespace sw::checks {

struct ProbeRequest {
  std::string id;         ///< the check id this probe feeds ("reach.instance", "reach.fip_icmp", ...)
  std::string object;     ///< what the result is about ("test0 10.0.0.5", "172.16.13.3")
  std::string host;       ///< the host (address) that runs it
  std::string netns;      ///< the namespace to probe from; "" = the host's own
  std::string kind;       ///< "icmp" or "tcp"
  std::string target;     ///< IP (icmp) or IP (tcp, with port)
  int port = 0;           ///< tcp
  int size = 56;          ///< icmp payload bytes
  bool dont_fragment = false;
  bool operator==(const ProbeRequest&) const = default;
};

struct ProbeResult {
  ProbeRequest request;
  bool ok = false;        ///< answered (icmp), connected or refused (tcp: the host answered)
  std::string seen;       ///< "answered in 1.2 ms", "timeout after 1000 ms", "refused", "too big (mtu 1400)"
  std::string error;      ///< the probe could not run (namespace missing...)
};

/// Runs the probes of this host natively and concurrently, each bounded by `timeout`.
std::vector<ProbeResult> run_probes(const std::vector<ProbeRequest>& probes, std::chrono::milliseconds timeout);

void to_json(nlohmann::json& j, const ProbeRequest& p);
void from_json(const nlohmann::json& j, ProbeRequest& p);
void to_json(nlohmann::json& j, const ProbeResult& p);
void from_json(const nlohmann::json& j, ProbeResult& p);

}  // namespace sw::checks
