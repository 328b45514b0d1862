// Runs manifests on their hosts through HostRunners: upload the script to
// /var/lib/stackwire/manifests/<host>_<plugin>.sh (0700), then `sh` it with the run's timeout.
// The same file is what the operator finds on the host to read or replay.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "installer/host_runner.h"
#include "installer/runner.h"

namespace sw::installer {

inline constexpr const char* kRemoteManifestDir = "/var/lib/stackwire/manifests";

class RemoteExecutor final : public ManifestExecutor {
 public:
  /// runners: one per host, keyed by the host as manifests name it. timeout bounds one manifest
  /// (packstack's -t/--timeout, 300 s by default); steps marked slow get four times that.
  RemoteExecutor(std::map<std::string, HostRunner*> runners, std::chrono::seconds timeout)
      : runners_(std::move(runners)), timeout_(timeout) {}

  Result<ExecResult> execute(const Manifest& m) override;

 private:
  std::map<std::string, HostRunner*> runners_;
  std::chrono::seconds timeout_;
};

}  // namespace sw::installer
