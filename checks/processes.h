// Which processes live in which network namespace, from one pass over /proc — what
// `ip netns pids NS` tells for one namespace, for all of them at once.
//
// For every /proc/PID the namespace is the inode of /proc/PID/ns/net (stat follows the magic link
// to the nsfs inode, the INODE of net:[INODE]); comm and cmdline come from the same directory.
// Kernel threads (empty cmdline) are left out, and so are processes that exit mid-read or that the
// caller may not inspect (another user's, when not root). The parsers are pure; only
// read_processes_by_netns() touches /proc.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "checks/host_snapshot.h"
#include "common/error.h"

namespace sw::checks {

/// A /proc entry's name as a pid: a positive decimal number ("1234"), else nullopt ("self", "net").
std::optional<int> parse_proc_pid(std::string_view name);

/// /proc/PID/comm's text without its trailing newline.
std::string parse_comm(std::string_view text);

/// /proc/PID/cmdline's bytes as argv: NUL-separated, the final NUL ending the last argument (a
/// process that rewrote its argv without one still gets its last argument). Empty for kernel
/// threads and zombies. A process that wrote its title over argv (setproctitle) reads as one
/// argument with spaces in it, exactly as the kernel shows it.
std::vector<std::string> parse_cmdline(std::string_view bytes);

/// Processes by network namespace inode, each list sorted by pid.
using ProcessesByNetns = std::map<std::uint64_t, std::vector<ProcessInfo>>;

/// Reads every user-space process under proc_root ("/proc"). An unreadable proc_root is a system
/// error; a process that cannot be read is skipped.
Result<ProcessesByNetns> read_processes_by_netns(const std::string& proc_root = "/proc");

}  // namespace sw::checks
