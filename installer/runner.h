// The runner applies one plugin's manifests: hosts in parallel (at most `jobs` at once), the
// manifests of one host in order, and returns what each host reported. Plugins are applied one
// after another by the caller, which is the barrier: a plugin starts only when every host has
// finished the previous one, and the run stops after a plugin in which any host failed.
// Shape after ninja's CommandRunner: execution sits behind ManifestExecutor (real: ssh; tests: fake).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/error.h"
#include "installer/manifest.h"
#include "installer/setup_log.h"

namespace sw::installer {

struct ExecResult {
  int exit_status = 0;  ///< the manifest's exit status (the failed step's status, or 0)
  std::string output;   ///< stdout then stderr
  bool timed_out = false;
};

/// Runs one manifest on its host, blocking. An Error means it could not be run at all
/// (host unreachable, upload failed); a failing manifest is an ExecResult with exit_status != 0.
class ManifestExecutor {
 public:
  virtual ~ManifestExecutor() = default;
  virtual Result<ExecResult> execute(const Manifest& m) = 0;
  /// Called from another thread while execute() runs on host: a host of the same plugin failed, so
  /// whatever this host waits for (another host's service) will not come. Its manifest's waits
  /// (sw_wait_http, sw_wait_cmd) then stop within a second, saying reason, instead of running out
  /// their timeouts. Steps that do work are never interrupted. Best effort; the default does nothing.
  virtual void interrupt_waits(const std::string& host, const std::string& reason) {
    (void)host;
    (void)reason;
  }
};

struct HostOutcome {
  std::string host;
  bool ok = false;
  int changed = 0;       ///< steps applied
  int steps = 0;         ///< steps in this host's manifests
  std::string failed_step;  ///< title of the failed step, if any
  int exit_status = 0;
  std::string tail;      ///< last lines of the failed manifest's output
  std::string error;     ///< transport failure (could not run), if any
  double seconds = 0;
};

struct PluginOutcome {
  std::string plugin;
  std::vector<HostOutcome> hosts;  ///< in the order hosts first appear in the manifests
  bool ok() const;
  int changed() const;
  /// One line per failed host: "host 10.15.0.7: step 'br-ex holds 172.16.13.1/24' failed (exit 2)".
  std::vector<std::string> failures() const;
};

/// Applies manifests: one thread per host (at most jobs at once); each host's manifests in order,
/// stopping at that host's first failure. Every manifest's output goes to log, tagged with host
/// and plugin.
PluginOutcome run_plugin(const std::string& plugin, const std::vector<Manifest>& manifests,
                         ManifestExecutor& executor, int jobs, SetupLog& log);

/// The last n lines of text.
std::string last_lines(const std::string& text, size_t n);

}  // namespace sw::installer
