// How fault injection runs commands on lab hosts: a narrow interface with the real implementation
// (open_member + run_captured: the command runs inside the host's network, mount, UTS and PID
// namespaces, so `ip netns`, `ovs-vsctl`, `iptables` and `sw-service` act on that host) and a fake in
// the tests that records the calls and answers from a script.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lab/layout.h"
#include "lab/spawn.h"

namespace sw::lab::faults {

class HostRunner {
 public:
  virtual ~HostRunner() = default;
  /// Runs argv on host (a lab host name), capturing its output; errors only when it cannot run.
  virtual Result<RunResult> run(std::string_view host, const std::vector<std::string>& argv,
                                std::chrono::milliseconds timeout) = 0;
};

/// The real runner for the lab described by layout; opens each host's namespaces once.
std::unique_ptr<HostRunner> make_lab_host_runner(const LabLayout& layout);

}  // namespace sw::lab::faults
