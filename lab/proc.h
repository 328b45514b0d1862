// Processes as the lab sees them: one pass over /proc yields, per process, its command name, state,
// start time and the inodes of its net, mnt and pid namespaces — enough to tell which processes
// belong to a lab host (whoever started them: the lab, an ssh session, a Neutron agent) and to stop
// exactly those. Decoders of /proc text are pure and tested without a kernel.
//
// Stopping is by pidfd: a process is opened, its start time re-checked (so a recycled pid is never
// signalled), sent SIGTERM, given a bounded grace period, then SIGKILL.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::lab {

/// The fields of /proc/<pid>/stat the lab uses.
struct ProcStat {
  pid_t pid = 0;
  std::string comm;
  char state = '?';
  pid_t ppid = 0;
  unsigned long long start_time = 0;  ///< clock ticks since boot (field 22)
};

/// One process seen by scan_processes().
struct ProcEntry {
  ProcStat stat;
  ino_t net_ns = 0;  ///< inode of /proc/<pid>/ns/net (0 if unreadable: a zombie or a kernel thread)
  ino_t mnt_ns = 0;
  ino_t pid_ns = 0;
  std::vector<pid_t> nspid;  ///< NSpid from /proc/<pid>/status: the pid in each nested pid namespace
};

/// Parses /proc/<pid>/stat text (the comm may contain spaces and parentheses).
std::optional<ProcStat> parse_proc_stat(std::string_view text);
/// The NSpid line of /proc/<pid>/status: {outermost, …, innermost}; empty if absent.
std::vector<pid_t> parse_nspid(std::string_view status_text);
/// The inode in a namespace link target, "net:[4026531840]" → 4026531840; 0 if malformed.
ino_t parse_ns_link(std::string_view link);

/// Every process but the caller, with its namespaces. Processes that vanish mid-scan are skipped.
std::vector<ProcEntry> scan_processes(bool with_nspid = false);
/// The current stat of pid, or nullopt if it is gone.
std::optional<ProcStat> read_proc_stat(pid_t pid);
/// True if pid is running (not a zombie) and started at start_time.
bool process_alive(pid_t pid, unsigned long long start_time);

/// What stop_processes() did.
struct StopReport {
  int terminated = 0;          ///< exited after SIGTERM within the grace period
  int killed = 0;              ///< needed SIGKILL
  std::vector<pid_t> remaining;  ///< still there after the kill wait
};

/// Stops the given processes: SIGTERM to those in `term` (skipped for those in `kill_only`), a wait of
/// up to `grace` for them to exit, then SIGKILL to everything left in both lists, and a wait of up to
/// `kill_wait`. Each process is identified by (pid, start time) and signalled through a pidfd.
StopReport stop_processes(const std::vector<ProcStat>& term, const std::vector<ProcStat>& kill_only,
                          std::chrono::milliseconds grace, std::chrono::milliseconds kill_wait);

}  // namespace sw::lab
