// Named network namespaces, the way iproute2 keeps them: an nsfs bind mount at /run/netns/<name>
// (with /run/netns made a shared mount point first, exactly as `ip netns add` does), so `ip netns`,
// `nsenter --net=` and stackwire's own netns commands all see the lab's namespaces.
//
// NetnsGuard enters a namespace for the calling thread and returns to the previous one when it goes
// out of scope; sockets opened inside the guard stay in that namespace after it is left.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "common/error.h"
#include "common/unique_fd.h"

namespace sw::lab {

inline constexpr std::string_view kNetnsRunDir = "/run/netns";

/// The identity of a namespace: device and inode of its nsfs file (as `stat -L /proc/PID/ns/net`).
struct NsId {
  dev_t dev = 0;
  ino_t ino = 0;
  friend bool operator==(const NsId&, const NsId&) = default;
  explicit operator bool() const { return ino != 0; }
};

/// The NsId of the namespace file at path (nsfs bind mount or /proc/PID/ns/*); not_found if absent,
/// input if path is not a namespace file.
Result<NsId> ns_id(const std::string& path);

/// Creates /run/netns/<name> holding a new, empty network namespace (loopback down). Fails (input)
/// if the name is taken.
Result<void> create_named_netns(const std::string& name);
/// Unmounts and removes /run/netns/<name>. A missing name is not an error.
Result<void> delete_named_netns(const std::string& name);
/// True if /run/netns/<name> is a live network namespace file (not a stale plain file).
bool named_netns_exists(const std::string& name);
/// Opens /run/netns/<name> (O_RDONLY|O_CLOEXEC).
Result<UniqueFd> open_named_netns(const std::string& name);

/// Enters a network namespace for the calling thread; leaves it on destruction.
class NetnsGuard {
 public:
  /// Enters the namespace open at fd (not taken over).
  static Result<NetnsGuard> enter(int netns_fd);
  NetnsGuard(NetnsGuard&&) = default;
  NetnsGuard& operator=(NetnsGuard&&) = delete;
  ~NetnsGuard();

 private:
  explicit NetnsGuard(UniqueFd saved) : saved_(std::move(saved)) {}
  UniqueFd saved_;
};

}  // namespace sw::lab
