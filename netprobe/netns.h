// Network namespaces: naming one, opening it, entering it for a scope, and telling which one a
// process lives in (model: iproute2 ip/ipnetns.c and lib/namespace.c, systemd namespace-util.c).
//
// A namespace is named three ways, as on the command line: a NAME bound under /run/netns (what
// `ip netns add` creates and `ip netns list` shows), a PATH to any nsfs file (/proc/PID/ns/net,
// a bind mount elsewhere), or a PID. open_netns() turns any of them into an owned fd, checked to be a
// network namespace (NS_GET_NSTYPE), and that fd keeps the namespace alive while it is open.
//
// Entering is scoped: NetnsGuard::enter() saves the calling thread's namespace, setns()es into the
// target and moves back in its destructor. setns() changes only the calling thread, and a socket
// stays in the namespace it was created in — so the pattern is "enter, create sockets, leave", after
// which the sockets can be used from anywhere. /proc/sys/net is resolved against the namespace of the
// thread that opens the file; /proc/net follows the *process* (/proc/self), so read
// /proc/thread-self/net, inside the guard, if you must.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "common/unique_fd.h"

namespace sw::netprobe {

/// Where named namespaces live (iproute2's NETNS_RUN_DIR).
inline constexpr std::string_view kNetnsRunDir = "/run/netns";

/// A namespace as the user named it: NAME (in /run/netns), PATH, or PID.
class NetnsRef {
 public:
  enum class Kind { name, path, pid };

  /// A name under /run/netns: non-empty, no '/', not "." or "..", at most 255 bytes.
  static Result<NetnsRef> name(std::string_view name);
  /// Any path to an nsfs file (/proc/PID/ns/net, a bind mount).
  static Result<NetnsRef> path(std::string_view path);
  /// The namespace of a process, given as decimal text ("1234").
  static Result<NetnsRef> pid(std::string_view pid_text);
  static NetnsRef pid(pid_t pid);
  /// The CLI's NS argument: a PATH when it contains '/', else a NAME (as iproute2's netns_get_fd).
  static Result<NetnsRef> parse(std::string_view text);
  /// NS or --pid PID, exactly one of them (both or neither is an input error).
  static Result<NetnsRef> from_cli(std::optional<std::string_view> ns, std::optional<std::string_view> pid);

  Kind kind() const { return kind_; }
  /// The name, the path, or the pid as text.
  const std::string& value() const { return value_; }
  /// The file to open: /run/netns/NAME, the path, or /proc/PID/ns/net.
  std::string fs_path() const;
  /// For messages: "netns 'qrouter-x'", "netns at /proc/1/ns/net", "netns of pid 42".
  std::string describe() const;

  bool operator==(const NetnsRef&) const = default;

 private:
  NetnsRef(Kind k, std::string v) : kind_(k), value_(std::move(v)) {}
  Kind kind_ = Kind::name;
  std::string value_;
};

/// Opens the namespace (O_RDONLY|O_CLOEXEC) and checks it is a network namespace.
/// A missing name is not_found ("netns 'x': no such namespace in /run/netns"); a file that is not a
/// network namespace (an unmounted leftover in /run/netns, a regular file) is an input error.
Result<UniqueFd> open_netns(const NetnsRef& ref);
/// The calling thread's own namespace (/proc/thread-self/ns/net).
Result<UniqueFd> open_current_netns();

/// Identity of a namespace: nsfs device and inode (what `ls -l /proc/PID/ns/net` shows as net:[INODE]).
struct NetnsId {
  std::uint64_t dev = 0;
  std::uint64_t inode = 0;
  bool operator==(const NetnsId&) const = default;
};
/// fstat() of a namespace fd.
Result<NetnsId> netns_id(int ns_fd);

/// One entry of /run/netns, as `ip netns list` shows it.
struct NetnsEntry {
  std::string name;
  std::uint64_t inode = 0;          ///< 0 when the entry is not a mounted network namespace
  std::optional<std::int32_t> nsid; ///< the id the caller's namespace assigned it, if any ("(id: N)")
};
/// Lists /run/netns (sorted by name); an absent directory is an empty list.
Result<std::vector<NetnsEntry>> list_netns();

/// Which namespace a process (or fd) lives in, and every /run/netns name bound to it.
struct NetnsIdentity {
  std::uint64_t inode = 0;
  std::vector<std::string> names;   ///< as `ip netns identify PID` prints them; empty when unnamed
};
Result<NetnsIdentity> identify_netns(int ns_fd);
/// `ip netns identify PID`.
Result<NetnsIdentity> identify_pid(pid_t pid);

/// Scoped entry into a network namespace for the calling thread (move-only).
class NetnsGuard {
 public:
  /// Saves the calling thread's namespace and setns()es into ns_fd. ns_fd < 0 means "stay": the
  /// guard does nothing, which lets callers treat "the current namespace" uniformly.
  static Result<NetnsGuard> enter(int ns_fd);

  NetnsGuard(NetnsGuard&& o) noexcept;
  NetnsGuard& operator=(NetnsGuard&&) = delete;
  NetnsGuard(const NetnsGuard&) = delete;
  NetnsGuard& operator=(const NetnsGuard&) = delete;
  /// Returns the thread to the saved namespace. If even that fails the process aborts: carrying on
  /// in the wrong namespace would make every later socket lie about where it is.
  ~NetnsGuard();

  /// Leaves early, reporting failure instead of aborting; the destructor then does nothing.
  Result<void> leave();

 private:
  explicit NetnsGuard(UniqueFd saved) : saved_(std::move(saved)) {}
  UniqueFd saved_;
};

void to_json(nlohmann::json& j, const NetnsEntry& e);
void from_json(const nlohmann::json& j, NetnsEntry& e);
void to_json(nlohmann::json& j, const NetnsIdentity& e);
void from_json(const nlohmann::json& j, NetnsIdentity& e);

}  // namespace sw::netprobe
