#include "installer/answer_file_io.h"

#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <memory>

#include "common/strings.h"
#include "common/unique_fd.h"
#include "installer/validators.h"

namespace sw::installer {
namespace {

constexpr std::size_t kReadLimit = (1 << 20) + 1;

Result<std::string> read_bounded(const std::string& path, std::size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(errno, path);
  struct stat st{};
  if (::fstat(fd.get(), &st) == 0 && S_ISDIR(st.st_mode))
    return fail(Error::input(path + ": is a directory, not an answer file"));
  std::string out;
  char buf[65536];
  while (out.size() < limit) {
    const auto n = ::read(fd.get(), buf, std::min(sizeof buf, limit - out.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "read " + path);
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

Result<void> write_all(int fd, std::string_view text, const std::string& path) {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "write " + path);
    }
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  if (::fsync(fd) != 0) return fail_errno(errno, "fsync " + path);
  return {};
}

std::string home() {
  const char* h = std::getenv("HOME");
  return h && *h ? h : "/root";
}

std::string expand_home(std::string_view path) {
  if (path == "~") return home();
  if (path.starts_with("~/")) return home() + std::string(path.substr(1));
  return std::string(path);
}

}  // namespace

Result<AnswerFile> load_answer_file(const std::string& path) {
  auto text = SW_TRY(read_bounded(path, kReadLimit));
  return read_answer_file(path, text);
}

Result<void> write_answer_file(const std::string& path, std::string_view text, bool overwrite) {
  if (!overwrite) {
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (!fd) {
      if (errno == EEXIST)
        return fail(Error::input(path + ": exists; use --force to overwrite it (it may hold the "
                                        "passwords of a deployed cloud)"));
      return fail_errno(errno, "create " + path);
    }
    auto written = write_all(fd.get(), text, path);
    if (!written) ::unlink(path.c_str());
    return written;
  }
  std::string tmp = path + ".XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));  // mkostemp creates the file 0600
  if (!fd) return fail_errno(errno, "create a temporary file beside " + path);
  if (auto w = write_all(fd.get(), text, tmp); !w) {
    ::unlink(tmp.c_str());
    return w;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return fail_errno(err, "rename " + tmp + " to " + path);
  }
  return {};
}

std::optional<std::string> default_route_interface(std::string_view text) {
  std::optional<std::string> best;
  unsigned long long best_metric = ~0ULL;
  bool header = true;
  for (auto line : split(text, '\n')) {
    if (header) {  // "Iface Destination Gateway Flags RefCnt Use Metric Mask ..."
      header = false;
      continue;
    }
    std::vector<std::string_view> f;
    for (auto field : split(line, '\t')) {
      field = trim(field);
      if (!field.empty()) f.push_back(field);
    }
    if (f.size() < 8) continue;
    const auto flags = std::strtoul(std::string(f[3]).c_str(), nullptr, 16);
    constexpr unsigned long kRouteUp = 0x1;
    if (f[1] != "00000000" || f[7] != "00000000" || !(flags & kRouteUp)) continue;
    const auto metric = parse_uint(f[6]).value_or(~0ULL);
    if (!best || metric < best_metric) {
      best = std::string(f[0]);
      best_metric = metric;
    }
  }
  return best;
}

std::string local_address() {
  const auto text = read_bounded("/proc/net/route", 1 << 20);
  const auto iface = text ? default_route_interface(*text) : std::nullopt;
  if (!iface) return "127.0.0.1";
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return "127.0.0.1";
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  for (auto* a = list.get(); a; a = a->ifa_next) {
    if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET || *iface != a->ifa_name) continue;
    char text_addr[INET_ADDRSTRLEN] = {};
    const auto* sin = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
    if (::inet_ntop(AF_INET, &sin->sin_addr, text_addr, sizeof text_addr)) return text_addr;
  }
  return "127.0.0.1";
}

std::string default_ssh_public_key() {
  const std::string dir = home() + "/.ssh";
  for (auto name : {"id_ed25519.pub", "id_ecdsa.pub", "id_rsa.pub"}) {
    const std::string p = dir + "/" + name;
    if (::access(p.c_str(), R_OK) == 0) return p;
  }
  struct CloseDir {
    void operator()(DIR* d) const { ::closedir(d); }
  };
  std::unique_ptr<DIR, CloseDir> d(::opendir(dir.c_str()));
  if (!d) return "";
  std::vector<std::string> found;
  while (const auto* ent = ::readdir(d.get())) {
    const std::string_view n = ent->d_name;
    if (n.ends_with(".pub")) found.emplace_back(dir + "/" + std::string(n));
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? "" : found.front();
}

std::vector<Diagnostic> check_local_files(const AnswerFile& file) {
  std::vector<Diagnostic> out;
  const auto& path = file.value("CONFIG_SSH_KEY");
  if (path.empty()) return out;  // the checker already warns
  const auto* r = file.resolved("CONFIG_SSH_KEY");
  const Origin origin = r && !r->is_default() ? r->origin : Origin{file.name(), 0};
  auto report = [&](std::string message) {
    out.push_back(Diagnostic{Severity::error, origin, "CONFIG_SSH_KEY",
                             "CONFIG_SSH_KEY=" + path + ": " + std::move(message)});
  };
  const auto text = read_bounded(expand_home(path), 65536);
  if (!text) {
    report(errno_string(text.error().sys_errno()));
    return out;
  }
  if (auto ok = check_ssh_public_key(*text); !ok) report(ok.error().message());
  return out;
}

}  // namespace sw::installer
