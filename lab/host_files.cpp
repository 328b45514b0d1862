#include "lab/host_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "lab/mounts.h"

namespace sw::lab {
namespace {

// mkdir with the attributes of `like` (the machine's directory) if it exists, else `mode`/root.
Result<void> mkdir_like(const std::filesystem::path& dir, const std::filesystem::path& like, mode_t mode) {
  struct stat st {};
  const bool has_like = ::stat(like.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  const mode_t m = has_like ? (st.st_mode & 07777) : mode;
  if (::mkdir(dir.c_str(), m) != 0 && errno != EEXIST) return fail_errno(errno, "mkdir " + dir.string());
  if (::chmod(dir.c_str(), m) != 0) return fail_errno(errno, "chmod " + dir.string());
  if (::chown(dir.c_str(), has_like ? st.st_uid : 0, has_like ? st.st_gid : 0) != 0)
    return fail_errno(errno, "chown " + dir.string());
  return {};
}

Result<void> mkdirs(const std::filesystem::path& dir, mode_t mode) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return fail(Error::os("mkdir -p " + dir.string() + ": " + ec.message(), ec.value()));
  if (::chmod(dir.c_str(), mode) != 0) return fail_errno(errno, "chmod " + dir.string());
  return {};
}

}  // namespace

std::vector<OverlayView> host_overlays(const LabLayout& layout, std::string_view host) {
  std::vector<OverlayView> out;
  for (std::string_view d : kOverlaidDirs) {
    const auto base = layout.host_dir(host) / std::string(d.substr(1));
    out.push_back({std::string(d), (base / "upper").string(), (base / "work").string()});
  }
  return out;
}

Result<void> make_overlay_dirs(const std::vector<OverlayView>& views) {
  for (const auto& v : views) {
    const std::filesystem::path upper(v.upper), work(v.work);
    SW_TRY_VOID(mkdirs(upper.parent_path(), 0700));
    SW_TRY_VOID(mkdir_like(upper, v.target, 0755));
    SW_TRY_VOID(mkdirs(work, 0700));
  }
  return {};
}

Result<std::filesystem::path> upper_dir(const std::vector<OverlayView>& views, std::string_view host_path,
                                        mode_t mode) {
  const std::filesystem::path p(host_path);
  for (const auto& v : views) {
    if (!path_within(p, v.target)) continue;
    std::filesystem::path up(v.upper), low(v.target);
    for (const auto& part : p.lexically_relative(v.target)) {
      if (part == ".") continue;
      up /= part;
      low /= part;
      SW_TRY_VOID(mkdir_like(up, low, mode));
    }
    return up;
  }
  return fail(Error::input(std::string(host_path) + ": not inside a lab host's overlaid directories"));
}

Result<void> write_file(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const std::string tmp = path.string() + ".swtmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return fail_errno(errno, "create " + tmp);
  size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return fail_errno(err, "write " + tmp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, mode) != 0 || ::close(fd) != 0) return fail_errno(errno, "close " + tmp);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail_errno(errno, "rename " + tmp);
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail_errno(errno ? errno : ENOENT, "read " + path.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string etc_hosts_text(const LabLayout& layout) {
  std::string out =
      "# Written by `stackwire lab up` (lab '" + layout.prefix + "').\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "ff02::1\tip6-allnodes\n"
      "ff02::2\tip6-allrouters\n\n";
  for (const auto& h : layout.hosts) out += h.mgmt_ip + "\t" + h.name + "\n";
  return out;
}

}  // namespace sw::lab
