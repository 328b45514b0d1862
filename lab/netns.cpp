#include "lab/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <cerrno>

#include "common/log.h"

namespace sw::lab {
namespace {

std::string netns_path(const std::string& name) { return std::string(kNetnsRunDir) + "/" + name; }

// iproute2's netns_add preamble: /run/netns exists and is a shared mount point, so that a namespace
// file unmounted here is unmounted in every mount namespace that copied it. Serialised with flock as
// iproute2 does (two racing `ip netns add` could otherwise stack the self-bind mounts).
Result<void> prepare_run_dir() {
  const std::string dir(kNetnsRunDir);
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return fail_errno(errno, "mkdir " + dir);
  UniqueFd lock(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!lock) return fail_errno(errno, "open " + dir);
  if (::flock(lock.get(), LOCK_EX) != 0) return fail_errno(errno, "flock " + dir);
  bool made_mount = false;
  while (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
    if (errno != EINVAL || made_mount) return fail_errno(errno, "make " + dir + " a shared mount");
    if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0)
      return fail_errno(errno, "bind-mount " + dir + " onto itself");
    made_mount = true;
  }
  return {};
}

}  // namespace

Result<NsId> ns_id(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return fail_errno(errno, "stat " + path);
  struct statfs fs {};
  if (::statfs(path.c_str(), &fs) != 0) return fail_errno(errno, "statfs " + path);
  if (fs.f_type != NSFS_MAGIC) return fail(Error::input(path + ": not a namespace file"));
  return NsId{st.st_dev, st.st_ino};
}

bool named_netns_exists(const std::string& name) { return ns_id(netns_path(name)).has_value(); }

Result<UniqueFd> open_named_netns(const std::string& name) {
  const std::string path = netns_path(name);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    if (err == ENOENT) return fail(Error::not_found("netns '" + name + "': no such namespace in /run/netns"));
    return fail_errno(err, "netns '" + name + "': open " + path);
  }
  return fd;
}

Result<void> create_named_netns(const std::string& name) {
  SW_TRY_VOID(prepare_run_dir());
  const std::string path = netns_path(name);
  UniqueFd created(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
  if (!created) {
    if (errno == EEXIST) return fail(Error::input("netns '" + name + "': already exists in /run/netns"));
    return fail_errno(errno, "create " + path);
  }
  created.reset();
  UniqueFd saved(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!saved) {
    const int err = errno;
    ::unlink(path.c_str());
    return fail_errno(err, "open /proc/thread-self/ns/net");
  }
  if (::unshare(CLONE_NEWNET) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    return fail_errno(err, "netns '" + name + "': unshare(CLONE_NEWNET)");
  }
  const int bind_rc = ::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr);
  const int bind_err = errno;
  if (::setns(saved.get(), CLONE_NEWNET) != 0) {
    // Cannot happen short of a kernel bug; carrying on in the wrong namespace would be worse.
    log::error("cannot return to the original network namespace: " + errno_string(errno));
    std::abort();
  }
  if (bind_rc != 0) {
    ::unlink(path.c_str());
    return fail_errno(bind_err, "netns '" + name + "': bind-mount onto " + path);
  }
  return {};
}

Result<void> delete_named_netns(const std::string& name) {
  const std::string path = netns_path(name);
  if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    return fail_errno(errno, "netns '" + name + "': umount " + path);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno(errno, "netns '" + name + "': unlink " + path);
  return {};
}

Result<NetnsGuard> NetnsGuard::enter(int netns_fd) {
  UniqueFd saved(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!saved) return fail_errno(errno, "open /proc/thread-self/ns/net");
  if (::setns(netns_fd, CLONE_NEWNET) != 0) return fail_errno(errno, "setns(CLONE_NEWNET)");
  return NetnsGuard(std::move(saved));
}

NetnsGuard::~NetnsGuard() {
  if (saved_ && ::setns(saved_.get(), CLONE_NEWNET) != 0) {
    log::error("cannot return to the original network namespace: " + errno_string(errno));
    std::abort();
  }
}

}  // namespace sw::lab
