#include "netprobe/netns.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/nsfs.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/log.h"
#include "common/strings.h"
#include "netprobe/netlink.h"

namespace sw::netprobe {
namespace {

// An unmounted leftover in /run/netns is a plain tmpfs file; only nsfs files are namespaces.
bool is_nsfs(const char* path) {
  struct statfs fs;
  return ::statfs(path, &fs) == 0 && fs.f_type == static_cast<decltype(fs.f_type)>(NSFS_MAGIC);
}

// The nsid the caller's namespace gave the namespace behind fd (what `ip netns list` prints as
// "(id: N)"), or nullopt when none is assigned.
std::optional<std::int32_t> query_nsid(NetlinkSocket& sock, int fd) {
  std::vector<std::byte> body;
  append_header(body, rtgenmsg{AF_UNSPEC});
  append_attr(body, NETNSA_FD, static_cast<std::uint32_t>(fd));
  auto reply = sock.request(RTM_GETNSID, 0, body);
  if (!reply || reply->empty()) return std::nullopt;
  auto msg = nl::single(*reply);
  if (!msg) return std::nullopt;
  auto attrs = nl::Attrs::after_header(msg->payload, sizeof(rtgenmsg));
  if (!attrs) return std::nullopt;
  auto id = attrs->s32(NETNSA_NSID);
  if (!id || *id < 0) return std::nullopt;
  return id;
}

}  // namespace

Result<NetnsRef> NetnsRef::name(std::string_view name) {
  if (name.empty()) return fail(Error::input("netns name is empty"));
  if (name == "." || name == ".." || name.find('/') != std::string_view::npos || name.size() > 255)
    return fail(Error::input("netns '" + std::string(name) + "': not a valid namespace name"));
  return NetnsRef(Kind::name, std::string(name));
}

Result<NetnsRef> NetnsRef::path(std::string_view path) {
  if (path.empty()) return fail(Error::input("netns path is empty"));
  return NetnsRef(Kind::path, std::string(path));
}

Result<NetnsRef> NetnsRef::pid(std::string_view pid_text) {
  auto n = parse_uint(pid_text, 1, 0x7fffffff);
  if (!n) return fail(Error::input("--pid '" + std::string(pid_text) + "': not a process id"));
  return NetnsRef(Kind::pid, std::to_string(*n));
}

NetnsRef NetnsRef::pid(pid_t pid) { return NetnsRef(Kind::pid, std::to_string(pid)); }

Result<NetnsRef> NetnsRef::parse(std::string_view text) {
  if (text.find('/') != std::string_view::npos) return path(text);
  return name(text);
}

Result<NetnsRef> NetnsRef::from_cli(std::optional<std::string_view> ns, std::optional<std::string_view> pid_text) {
  if (ns && pid_text)
    return fail(Error::input("give a namespace either as NS ('" + std::string(*ns) + "') or as --pid, not both"));
  if (pid_text) return pid(*pid_text);
  if (ns) return parse(*ns);
  return fail(Error::input("no namespace given: name one in /run/netns, a path, or --pid PID"));
}

std::string NetnsRef::fs_path() const {
  switch (kind_) {
    case Kind::name:
      return std::string(kNetnsRunDir) + "/" + value_;
    case Kind::path:
      return value_;
    case Kind::pid:
      return "/proc/" + value_ + "/ns/net";
  }
  return value_;
}

std::string NetnsRef::describe() const {
  switch (kind_) {
    case Kind::name:
      return "netns '" + value_ + "'";
    case Kind::path:
      return "netns at " + value_;
    case Kind::pid:
      return "netns of pid " + value_;
  }
  return value_;
}

Result<UniqueFd> open_netns(const NetnsRef& ref) {
  const std::string path = ref.fs_path();
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    const int err = errno;
    if (err == ENOENT) {
      switch (ref.kind()) {
        case NetnsRef::Kind::name:
          return fail(Error::not_found(ref.describe() + ": no such namespace in " + std::string(kNetnsRunDir)));
        case NetnsRef::Kind::pid:
          return fail(Error::not_found(ref.describe() + ": no such process"));
        case NetnsRef::Kind::path:
          return fail(Error::not_found(ref.describe() + ": no such file"));
      }
    }
    return fail(Error::from_errno(err, "open " + path).context(ref.describe()));
  }
  // NS_GET_NSTYPE fails with ENOTTY on anything that is not an nsfs file.
  const int type = ::ioctl(fd.get(), NS_GET_NSTYPE);
  if (type < 0 && (errno == ENOTTY || errno == EINVAL))
    return fail(Error::input(ref.describe() + ": " + path + " is not a network namespace" +
                             (ref.kind() == NetnsRef::Kind::name ? " (a leftover that is no longer mounted?)" : "")));
  if (type < 0) return fail(Error::from_errno(errno, "NS_GET_NSTYPE " + path).context(ref.describe()));
  if (type != CLONE_NEWNET)
    return fail(Error::input(ref.describe() + ": " + path + " is a namespace, but not a network namespace"));
  return fd;
}

Result<UniqueFd> open_current_netns() {
  UniqueFd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(errno, "open /proc/thread-self/ns/net");
  return fd;
}

Result<NetnsId> netns_id(int ns_fd) {
  struct stat st;
  if (::fstat(ns_fd, &st) != 0) return fail_errno(errno, "fstat netns");
  return NetnsId{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
}

Result<std::vector<NetnsEntry>> list_netns() {
  std::vector<NetnsEntry> out;
  const std::string dir(kNetnsRunDir);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    return fail_errno(errno, "open " + dir);
  }
  // One socket for all nsid queries; a failure to open it only costs the "(id: N)" column.
  auto sock = NetlinkSocket::open();
  while (dirent* e = ::readdir(d.get())) {
    const std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    NetnsEntry entry{std::string(n), 0, std::nullopt};
    const std::string path = dir + "/" + entry.name;
    if (is_nsfs(path.c_str())) {
      struct stat st;
      if (::stat(path.c_str(), &st) == 0) entry.inode = st.st_ino;
      if (sock) {
        UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
        if (fd) entry.nsid = query_nsid(*sock, fd.get());
      }
    }
    out.push_back(std::move(entry));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

Result<NetnsIdentity> identify_netns(int ns_fd) {
  const NetnsId id = SW_TRY(netns_id(ns_fd));
  NetnsIdentity out{id.inode, {}};
  const std::string dir(kNetnsRunDir);
  std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
  if (!d) {
    if (errno == ENOENT) return out;
    return fail_errno(errno, "open " + dir);
  }
  while (dirent* e = ::readdir(d.get())) {
    const std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    const std::string path = dir + "/" + std::string(n);
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) continue;
    if (static_cast<std::uint64_t>(st.st_dev) == id.dev && static_cast<std::uint64_t>(st.st_ino) == id.inode)
      out.names.emplace_back(n);
  }
  std::sort(out.names.begin(), out.names.end());
  return out;
}

Result<NetnsIdentity> identify_pid(pid_t pid) {
  auto fd = SW_TRY(open_netns(NetnsRef::pid(pid)));
  return identify_netns(fd.get());
}

Result<NetnsGuard> NetnsGuard::enter(int ns_fd) {
  if (ns_fd < 0) return NetnsGuard(UniqueFd{});
  auto saved = SW_TRY(open_current_netns());
  if (::setns(ns_fd, CLONE_NEWNET) != 0) {
    const int err = errno;
    if (err == EPERM) return fail(Error::from_errno(err, "enter network namespace (setns needs root)"));
    return fail_errno(err, "enter network namespace (setns)");
  }
  return NetnsGuard(std::move(saved));
}

NetnsGuard::NetnsGuard(NetnsGuard&& o) noexcept : saved_(std::move(o.saved_)) {}

Result<void> NetnsGuard::leave() {
  if (!saved_) return {};
  UniqueFd saved = std::move(saved_);
  if (::setns(saved.get(), CLONE_NEWNET) != 0) return fail_errno(errno, "return to the caller's network namespace");
  return {};
}

NetnsGuard::~NetnsGuard() {
  if (!saved_) return;
  if (auto r = leave(); !r) {
    log::error(r.error().message() + "; aborting rather than run on in the wrong namespace");
    std::abort();
  }
}

void to_json(nlohmann::json& j, const NetnsEntry& e) {
  j = nlohmann::json{{"name", e.name}, {"inode", e.inode}, {"nsid", nullptr}};
  if (e.nsid) j["nsid"] = *e.nsid;
}

void from_json(const nlohmann::json& j, NetnsEntry& e) {
  j.at("name").get_to(e.name);
  j.at("inode").get_to(e.inode);
  e.nsid = j.contains("nsid") && !j["nsid"].is_null() ? std::optional(j["nsid"].get<std::int32_t>()) : std::nullopt;
}

void to_json(nlohmann::json& j, const NetnsIdentity& e) {
  j = nlohmann::json{{"inode", e.inode}, {"names", e.names}};
}

void from_json(const nlohmann::json& j, NetnsIdentity& e) {
  j.at("inode").get_to(e.inode);
  j.at("names").get_to(e.names);
}

}  // namespace sw::netprobe
