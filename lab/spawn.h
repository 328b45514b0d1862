// Running programs inside a lab member's namespaces, from C++.
//
// A host member ("controller", "network", "computeN") has net, mnt, uts and pid namespaces; the
// "switch" and "outside" members only a network namespace (programs there get a private mount
// namespace with a fresh /sys, as `ip netns exec` gives them).
//
// How: the caller forks a helper, which setns()es into the member's namespaces and forks the program
// (so it is born inside the host's PID namespace), reports the program's pid and either exits at
// once (daemons: they are re-parented to the host's init, which reaps them) or waits for it and exits
// with its status. Safe to call from a multi-threaded process: the children only make system calls
// before exec.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/unique_fd.h"
#include "lab/layout.h"

namespace sw::lab {

/// Open handles on one lab member's namespaces (mnt/uts/pid empty for "switch" and "outside").
struct MemberNamespaces {
  std::string member;
  UniqueFd net, mnt, uts, pid;
  bool is_host() const { return static_cast<bool>(mnt); }
};

/// Opens the namespaces of member (a host name, "switch" or "outside"); not_found if the lab does not
/// have it or it is not up.
Result<MemberNamespaces> open_member(const LabLayout& layout, std::string_view member);

/// What to run and how.
struct SpawnSpec {
  std::vector<std::string> argv;                 ///< argv[0] is looked up in PATH
  std::optional<std::vector<std::string>> env;   ///< nullopt: inherit the caller's environment
  std::string cwd = "/";                         ///< falls back to "/" if absent in the member
  int stdin_fd = -1;   ///< -1: /dev/null
  int stdout_fd = -1;  ///< -1: /dev/null
  int stderr_fd = -1;  ///< -1: /dev/null
};

/// The environment lab daemons and captured runs get: PATH, HOME=/root, USER, LOGNAME, LANG.
std::vector<std::string> default_host_env();

/// Starts a daemon in the member's namespaces, in a new session; returns its pid as seen from the
/// caller's PID namespace. The daemon is not the caller's child.
Result<pid_t> spawn_daemon(const MemberNamespaces& ns, const SpawnSpec& spec);

/// Runs a program in the member's namespaces with the given stdio and waits for it; returns its exit
/// status (128+N if killed by signal N). Exec failures are errors (not_found for ENOENT).
/// While waiting, SIGINT and SIGQUIT are ignored by the caller (as system() does).
Result<int> run_attached(const MemberNamespaces& ns, const SpawnSpec& spec);

/// Output of run_captured().
struct RunResult {
  int status = -1;  ///< exit status, 128+N if killed by signal N
  std::string out;
  std::string err;
  bool timed_out = false;
};

/// Runs argv in the member's namespaces (stdin /dev/null, default_host_env()), capturing stdout and
/// stderr; kills it when timeout passes (status 137, timed_out).
Result<RunResult> run_captured(const MemberNamespaces& ns, const std::vector<std::string>& argv,
                               std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Convenience: open_member + run_captured.
Result<RunResult> run_in_member(const LabLayout& layout, std::string_view member,
                                const std::vector<std::string>& argv,
                                std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// Runs argv on the machine itself (no namespaces), capturing output; for the lab's helper tools
/// (ssh-keygen, ovsdb-tool).
Result<RunResult> run_local(const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

}  // namespace sw::lab
