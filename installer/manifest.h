// Manifests: per host and plugin, an ordered list of idempotent steps, rendered as readable POSIX
// shell that an operator can read and replay by hand.
//
// A Step is a pair of shell snippets: `check` exits 0 when the step's effect is already present,
// `apply` makes it present. The rendered script runs each step as
//     check || { apply && check; }
// and prints one machine-readable status line per step ("SW-STEP <n> unchanged|changed|failed <rc>"),
// which the runner counts ("0 changed" on an idempotent re-run) and the progress sink reports.
// Secrets never appear in a manifest: steps refer to them as shell variables ("$CONFIG_..."), read
// from an environment file on the host (see kSecretsEnvPath) that the installer uploads with mode 0600.
#pragma once

#include <string>
#include <vector>

namespace sw::installer {

/// Where the installer keeps its per-host state (the secrets/values env file, uploaded scripts).
inline constexpr const char* kStateDir = "/var/lib/stackwire";
/// The answer file's values as KEY='value' lines, mode 0600; sourced by every manifest.
inline constexpr const char* kSecretsEnvPath = "/var/lib/stackwire/answers.env";

struct Step {
  std::string title;  ///< one line, what the step makes true ("br-ex holds 172.16.13.1/24")
  std::string check;  ///< shell; exit 0 = already done. Empty = always apply.
  std::string apply;  ///< shell that makes it true
  /// Apply may take long (package installs, db syncs): the runner's per-step timeout is scaled.
  bool slow = false;
};

struct Manifest {
  std::string host;    ///< address or name as in the answer file
  std::string plugin;  ///< "prescript", "neutron", ...
  std::vector<Step> steps;

  /// File name under <logdir>/manifests/: "<host>_<plugin>.sh".
  std::string file_name() const;
  /// The whole script, self-contained (helper functions inlined).
  std::string render() const;
};

/// What one manifest run reported, parsed from its status lines.
struct StepOutcome {
  int index = 0;  ///< 1-based step number
  enum class State { unchanged, changed, failed, not_run } state = State::not_run;
  int exit_status = 0;
};

struct ManifestOutcome {
  std::vector<StepOutcome> steps;  ///< one per step of the manifest, in order
  int changed() const;
  int failed_index() const;  ///< 1-based index of the first failed step, or 0
};

/// Parses the SW-STEP lines of a manifest's output. Steps with no line are not_run.
ManifestOutcome parse_manifest_output(const std::string& output, size_t n_steps);

}  // namespace sw::installer
