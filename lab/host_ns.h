// A lab host's own mount, UTS and PID namespaces, created inside its network namespace.
//
// The model: a host is a network namespace (/run/netns/<prefix>-<host>) plus
//   - a mount namespace in which /etc, /var and /root are overlayfs views of the machine's (upper and
//     work dirs under the lab state dir, which stays outside every lower dir), /run, /tmp and /dev/shm
//     are fresh tmpfs (with /run/netns, /run/sshd, /run/openvswitch, /run/lock), /sys is a sysfs of
//     the host's network namespace, /proc shows only the host's processes, the root's /run/netns
//     entries and the lab's own namespace files are detached, and the lab's per-host upper dirs are
//     hidden under an empty read-only tmpfs;
//   - a UTS namespace with the host's name as hostname;
//   - a PID namespace whose init (pid 1) is a small reaper forked from stackwire: every orphan on the
//     host (daemons started over ssh, agents' children) is reaped there, and killing it kills the host.
// The namespaces live as long as the host's init; `lab up` also bind-mounts them (lab/mounts.h) at
// <state>/ns/<host>.{mnt,uts,pid} so that `nsenter` and stackwire can enter them by path.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/error.h"
#include "lab/proc.h"

namespace sw::lab {

/// One overlayfs view: target (e.g. "/etc") = lowerdir target + upper, with work as workdir.
struct OverlayView {
  std::string target;
  std::string upper;
  std::string work;
};

/// What a host's mount namespace is made of.
struct HostFsPlan {
  std::string hostname;
  std::vector<OverlayView> overlays;
  std::string hide_dir;    ///< covered with an empty read-only tmpfs (the lab's per-host dirs)
  std::string detach_dir;  ///< unmounted in the host's view (the lab's namespace files)
  std::string init_title;  ///< appended to init_exec: "stackwire-init <prefix>/<host>"
  /// If not empty, {path, argv0, args…}: the host's init executes path with argv0, args…, init_title; it must end in
  /// run_host_init(), so that `ps` shows what it is; if empty, the init stays a forked copy of the
  /// builder (whose command line `ps` would then show).
  std::vector<std::string> init_exec;
};

/// The overlayfs mount data for a view: "lowerdir=/etc,upperdir=…,workdir=…".
std::string overlay_options(const OverlayView& v);

/// Creates the host's mount, UTS and PID namespaces inside the network namespace open at netns_fd and
/// starts the host's init. Returns the init's stat (root-namespace pid and start time) once the host's
/// /proc is mounted; fails if that takes longer than timeout.
Result<ProcStat> create_host_namespaces(int netns_fd, const HostFsPlan& plan, std::chrono::milliseconds timeout);

/// The command name the hosts' init processes carry (/proc/<pid>/comm).
inline constexpr const char* kHostInitComm = "stackwire-init";

/// The host init's work, for a re-executed init (HostFsPlan::init_exec): reaps every child, forever,
/// until SIGKILLed. Returns (an input error) only when the caller is not pid 1 of a PID namespace.
Result<void> run_host_init();

}  // namespace sw::lab
