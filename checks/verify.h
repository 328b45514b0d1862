// `stackwire verify`: expected state (answer file + topology from Neutron's API or a file) against
// observed state (one snapshot per host: this host's natively, the others' by running
// `stackwire snapshot --json` on them over ssh, the binary put there first when it is missing or
// differs), plus reachability probes run on the hosts that hold the namespaces. Returns the results;
// reporters (checks/report.h) format them.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "checks/checks.h"
#include "checks/result.h"
#include "common/error.h"

namespace sw::checks {

struct VerifyOptions {
  std::string answer_file;     ///< required
  std::string topology_file;   ///< "" = read the topology from Neutron's API
  std::string keystonerc;      ///< "" = the OS_* environment, else /root/keystonerc_admin
  /// --os-* options as OS_* names: they override the environment's (and win over keystonerc defaults).
  std::map<std::string, std::string> os_vars;
  bool reachability = true;
  int tcp_port = 22;
  std::chrono::milliseconds probe_timeout{1000};  ///< each probe
  std::chrono::milliseconds host_timeout{20000};  ///< connect + snapshot of one host
  std::string known_hosts;     ///< "" = ~/.ssh/known_hosts
  std::string identity;        ///< "" = CONFIG_SSH_KEY without .pub, else ~/.ssh/id_ed25519
  bool accept_new_host_keys = false;
  std::vector<std::string> only, skip;
  /// When set, the topology verify checked against is written there (a file `--topology` reads:
  /// verify again later, or where the API is out of reach).
  std::string save_topology;
};

struct VerifyReport {
  std::vector<CheckResult> results;
  Summary summary;
  double seconds = 0;
  std::string topology_source;  ///< "neutron API http://…" or the file
  std::vector<std::string> hosts;  ///< "network (10.15.0.7)", in answer-file order
};

/// What verify (and trace) look at: the expected state and every host's snapshot, taken at once
/// (this host natively, the others over ssh, while the topology is read from Neutron's API). The ssh
/// sessions stay open so probes can then run on the hosts that hold the namespaces.
class CloudObservation {
 public:
  /// Input errors (answer file, topology file, credentials) are Errors; an unreachable host is an
  /// observation with an error.
  static Result<CloudObservation> take(const VerifyOptions& options);

  const Expected& expected() const;
  const std::vector<HostObservation>& hosts() const;
  const std::string& topology_source() const;
  /// Runs each probe on its host (ProbeRequest::host), all hosts at once; results in no particular order.
  std::vector<ProbeResult> probe(const std::vector<ProbeRequest>& probes, std::chrono::milliseconds timeout);

  CloudObservation(CloudObservation&&) noexcept;
  CloudObservation& operator=(CloudObservation&&) noexcept;
  ~CloudObservation();

 private:
  struct Impl;
  explicit CloudObservation(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Input errors (answer file, topology file, credentials) are Errors (exit 2); unreachable hosts
/// and failed checks are results.
Result<VerifyReport> verify(const VerifyOptions& options);

/// `stackwire __probe`: reads a JSON array of ProbeRequest on stdin text, runs them, returns the
/// JSON array of ProbeResult.
Result<std::string> run_probe_request(std::string_view json_text, std::chrono::milliseconds timeout);

}  // namespace sw::checks
