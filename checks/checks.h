// The checks: each compares one aspect of the expected state with the hosts' snapshots (and the
// reachability probes' results) and returns data — never prints, never changes anything.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "checks/expected.h"
#include "checks/host_snapshot.h"
#include "checks/reachability.h"
#include "checks/result.h"

namespace sw::checks {

/// What verify observed on one host.
struct HostObservation {
  std::string address;  ///< as in the answer file
  bool local = false;   ///< the host verify runs on (fixes are printed without ssh)
  std::optional<HostSnapshot> snapshot;
  std::string error;    ///< why there is no snapshot ("ssh: connection refused")
  bool systemd = false; ///< the host runs systemd (fixes use systemctl, else sw-service)
};

/// Every check over every host. `probes`: results of the reachability probes (empty when
/// reachability is off: those checks are then skipped).
std::vector<CheckResult> run_checks(const Expected& expected, const std::vector<HostObservation>& hosts,
                                    const std::vector<ProbeResult>* probes);

/// agent.alive: the Neutron agents each host should run are registered and alive (part of run_checks).
std::vector<CheckResult> check_agents(const Expected& expected, const std::vector<HostObservation>& hosts);

/// The reachability probes for these observations: from each network's qdhcp- namespace (on the
/// host that has it) an ICMP echo to every instance's fixed IP and one don't-fragment echo of the
/// network's MTU; from each network host's own namespace ICMP and TCP `tcp_port` to every floating IP.
std::vector<ProbeRequest> plan_probes(const Expected& expected, const std::vector<HostObservation>& hosts,
                                      int tcp_port);

/// Keeps results whose id or host matches a pattern of `only` (all when empty) and none of `skip`.
/// A pattern matches an id exactly, or as a prefix ending at a '.' ("nat" matches "nat.fip_dnat"),
/// or a host name or address.
std::vector<CheckResult> filter_results(std::vector<CheckResult> results, const std::vector<std::string>& only,
                                        const std::vector<std::string>& skip);

}  // namespace sw::checks
