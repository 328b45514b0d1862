// Runs manifests on their hosts through HostRunners: upload the script to
// /var/lib/stackwire/manifests/<host>_<plugin>.sh (0700), then `sh` it with the run's timeout.
// The same file is what the operator finds on the host to read or replay.
#pragma once

#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "installer/host_runner.h"
#include "installer/runner.h"

namespace sw::installer {

inline constexpr const char* kRemoteManifestDir = "/var/lib/stackwire/manifests";
/// Where interrupt_waits() leaves its note (tmpfs on real hosts: gone at the next boot).
inline constexpr const char* kAbortDir = "/run/stackwire";

class RemoteExecutor final : public ManifestExecutor {
 public:
  /// runners: one per host, keyed by the host as manifests name it. timeout bounds one manifest
  /// (packstack's -t/--timeout, 300 s by default); steps marked slow get four times that.
  RemoteExecutor(std::map<std::string, HostRunner*> runners, std::chrono::seconds timeout)
      : runners_(std::move(runners)), timeout_(timeout) {}

  /// Opens a second connection to a host (its runner is busy running the manifest).
  using SideRunnerFactory = std::function<std::unique_ptr<HostRunner>(const std::string& host)>;
  /// Enables interrupt_waits(): manifests run with SW_ABORT_FILE=<kAbortDir>/abort-<run_id>, and
  /// interrupt_waits() writes the reason there through a side connection.
  void enable_interrupts(std::string run_id, SideRunnerFactory open_side) {
    run_id_.clear();
    for (char c : run_id)  // it goes into a shell command line and a file name
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') run_id_ += c;
    open_side_ = std::move(open_side);
  }

  Result<ExecResult> execute(const Manifest& m) override;
  void interrupt_waits(const std::string& host, const std::string& reason) override;

 private:
  std::map<std::string, HostRunner*> runners_;
  std::chrono::seconds timeout_;
  std::string abort_file() const;
  std::string run_id_;
  SideRunnerFactory open_side_;
};

}  // namespace sw::installer
