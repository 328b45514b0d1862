// The one-machine multinode lab: `stackwire lab up | down | status | exec`.
//
// Model (DESIGN.md "Lab model"; lab/layout.h for names and addresses; lab/host_ns.h for what a host
// is): every host is its own network namespace plus its own mount, UTS and PID namespaces, with sshd
// and Open vSwitch running inside; links are veth pairs into the "<prefix>-switch" namespace's linux
// bridges (mgmt 10.15.0.0/24, tunnel 10.19.0.0/24, external 172.16.13.0/24 with "<prefix>-outside").
// Nothing of the lab is ever added to the root namespace except its /run/netns/<prefix>-* files, and
// the switch has no link out: no lab packet can leave the machine.
//
// Lifetime: `lab up` builds everything and returns; the lab lives on in its namespaces (held by
// /run/netns files, <state>/ns/* bind mounts and each host's init process) until `lab down`, which
// finds every process in any lab namespace — including processes a deployed cloud started on the
// hosts and processes in namespaces created on the hosts — stops them (SIGTERM, bounded wait,
// SIGKILL), unmounts the namespace files and deletes the state directory. Both work after a crash.
//
// Fault injection (`lab fault NAME`, `lab heal`) is the verify issue's: see lab/faults/.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "lab/layout.h"
#include "lab/status.h"

namespace sw::lab {

/// What `lab up` did.
struct UpReport {
  LabLayout layout;              ///< the lab that is up now
  bool already_up = false;       ///< a lab was running: nothing was built
  bool cleaned_remains = false;  ///< remains of an earlier lab (a crash) were removed first
  std::vector<std::string> restarted;  ///< "compute1/sshd": daemons found dead and restarted (already_up)
  double seconds = 0;
};

/// How `lab up` runs.
struct UpOptions {
  /// Receives one line per phase (optional).
  std::function<void(std::string_view)> progress;
  /// {path, argv0, args…}: each host's init executes path as argv0 args… "<prefix>/<host>"; the
  /// program must call run_host_init() (lab/host_ns.h). The CLI passes {"/proc/self/exe",
  /// "stackwire-init", "lab", "__init"}. Empty: the init stays a forked copy of the caller.
  std::vector<std::string> init_exec;
};

/// Builds the lab described by layout, or (idempotent) notices it is already up and restarts any dead
/// lab daemon. An already-running lab of another size is an input error. On failure, removes what it
/// built.
Result<UpReport> lab_up(const LabLayout& layout, const UpOptions& options = {});

/// What `lab down` did.
struct DownReport {
  bool found = false;  ///< anything of the lab existed
  int terminated = 0;  ///< processes that exited on SIGTERM
  int killed = 0;      ///< processes that needed SIGKILL
  int mounts = 0;      ///< namespace-file mounts removed
  int namespaces = 0;  ///< /run/netns entries removed
  bool files_removed = false;
  double seconds = 0;
};

/// Removes everything the lab with this prefix/state dir created (its size is read from its state
/// file, or found from /run/netns after a crash), and nothing else.
Result<DownReport> lab_down(const LabLayout& layout);

/// The lab's state: hosts, namespaces, daemons, ssh. `up` is false when no completed lab is recorded.
Result<LabStatus> lab_status(const LabLayout& layout);

/// The layout of the lab described by the environment (STACKWIRE_LAB_PREFIX/STACKWIRE_LAB_DIR), with the
/// number of compute hosts of the lab that is up (2 if none is).
Result<LabLayout> current_layout();

/// Runs argv inside a lab member's namespaces with the caller's stdio and environment, waits, and
/// returns its exit status (`stackwire lab exec`). member: a host name, "outside" or "switch".
Result<int> lab_exec(const LabLayout& layout, std::string_view member, const std::vector<std::string>& argv);

}  // namespace sw::lab
