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

/// The entries of a dnsmasq hosts file (dnsmasq's --dhcp-host syntax, one per line): MACs (also
/// with wildcards), IPv4 addresses, [IPv6] addresses and one name; set:/tag:/id: fields, lease
/// times and "ignore" are recognised and left out. Blank lines and # comments are skipped.
std::vector<DhcpHostEntry> parse_dhcp_hostsfile(std::string_view text);

/// Credentials a process uses for file access (/proc/PID/status: the fs uid/gid and groups).
struct FsCredentials {
  unsigned uid = 0;
  unsigned gid = 0;
  std::vector<unsigned> groups;
};
std::optional<FsCredentials> parse_status_credentials(std::string_view status);

/// Whether `creds` may read `path` as the kernel's mode bits decide (every directory on the way
/// searchable, the file readable; uid 0 may do anything; ACLs are not consulted). Paths are looked
/// up under `root` ("/proc/PID/root"). "" when allowed, else the component that refuses and why.
std::string read_denied(const std::string& root, const std::string& path, const FsCredentials& creds);

/// Processes by network namespace inode, each list sorted by pid.
using ProcessesByNetns = std::map<std::uint64_t, std::vector<ProcessInfo>>;

/// Reads every user-space process under proc_root ("/proc"). An unreadable proc_root is a system
/// error; a process that cannot be read is skipped. For dnsmasq, its --dhcp-hostsfile is read too.
Result<ProcessesByNetns> read_processes_by_netns(const std::string& proc_root = "/proc");

}  // namespace sw::checks
