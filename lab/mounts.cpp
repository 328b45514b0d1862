#include "lab/mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/strings.h"

namespace sw::lab {
namespace {

std::string unescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto oct = [&](size_t j, char hi) { return s[j] >= '0' && s[j] <= hi; };
    if (s[i] == '\\' && i + 3 < s.size() && oct(i + 1, '3') && oct(i + 2, '7') && oct(i + 3, '7')) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    const size_t start = i;
    while (i < line.size() && line[i] != ' ') ++i;
    if (i > start) out.push_back(line.substr(start, i - start));
  }
  return out;
}

}  // namespace

std::vector<MountEntry> parse_mountinfo(std::string_view text) {
  std::vector<MountEntry> out;
  for (std::string_view line : split(text, '\n')) {
    const auto f = fields(line);
    // id parent maj:min root mount_point options [optional...] - fstype source super_options
    const auto sep = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 10 || sep == f.end() || sep - f.begin() < 6 || f.end() - sep < 4) continue;
    const auto id = parse_uint(f[0], 0, 1u << 30);
    const auto parent = parse_uint(f[1], 0, 1u << 30);
    if (!id || !parent) continue;
    MountEntry m;
    m.id = static_cast<int>(*id);
    m.parent = static_cast<int>(*parent);
    m.root = unescape(f[3]);
    m.mount_point = unescape(f[4]);
    m.options = std::string(f[5]);
    for (auto it = f.begin() + 6; it != sep; ++it) m.optional.emplace_back(*it);
    m.fstype = std::string(sep[1]);
    m.source = unescape(sep[2]);
    m.super_options = unescape(sep[3]);
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<MountEntry>> read_mountinfo(pid_t pid) {
  const std::string path = pid == 0 ? "/proc/self/mountinfo" : "/proc/" + std::to_string(pid) + "/mountinfo";
  std::ifstream in(path);
  if (!in) return fail_errno(errno ? errno : ENOENT, "read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_mountinfo(ss.str());
}

bool path_within(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const auto rel = path.lexically_normal().lexically_relative(dir.lexically_normal());
  return !rel.empty() && *rel.begin() != "..";
}

Result<void> make_private_mount_point(const std::filesystem::path& dir) {
  const auto mounts = SW_TRY(read_mountinfo());
  const bool is_mount = std::any_of(mounts.begin(), mounts.end(), [&](const MountEntry& m) {
    return std::filesystem::path(m.mount_point) == dir.lexically_normal();
  });
  if (!is_mount && ::mount(dir.c_str(), dir.c_str(), "none", MS_BIND, nullptr) != 0)
    return fail_errno(errno, "bind-mount " + dir.string() + " onto itself");
  if (::mount("", dir.c_str(), "none", MS_PRIVATE, nullptr) != 0)
    return fail_errno(errno, "make " + dir.string() + " a private mount");
  return {};
}

Result<void> bind_ns_file(const std::string& src, const std::filesystem::path& dst) {
  const int fd = ::open(dst.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0);
  if (fd < 0) return fail_errno(errno, "create " + dst.string());
  ::close(fd);
  if (::mount(src.c_str(), dst.c_str(), "none", MS_BIND, nullptr) != 0)
    return fail_errno(errno, "bind-mount " + src + " onto " + dst.string());
  return {};
}

Result<int> unmount_below(const std::filesystem::path& dir) {
  int count = 0;
  // A lazy unmount of a parent takes its children with it; re-read until nothing is left (bounded).
  for (int round = 0; round < 8; ++round) {
    const auto mounts = SW_TRY(read_mountinfo());
    std::vector<std::string> targets;
    for (const auto& m : mounts)
      if (path_within(m.mount_point, dir)) targets.push_back(m.mount_point);
    if (targets.empty()) return count;
    std::sort(targets.begin(), targets.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& t : targets) {
      if (::umount2(t.c_str(), MNT_DETACH) == 0) ++count;
      else if (errno != EINVAL && errno != ENOENT) return fail_errno(errno, "umount " + t);
    }
  }
  return fail(Error::os("mounts below " + dir.string() + " keep coming back"));
}

}  // namespace sw::lab
