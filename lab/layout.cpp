#include "lab/layout.h"

#include <array>
#include <cstdlib>

namespace sw::lab {

const HostSpec* LabLayout::find(std::string_view name) const {
  for (const auto& h : hosts)
    if (h.name == name) return &h;
  return nullptr;
}

std::vector<std::string> LabLayout::all_netns() const {
  std::vector<std::string> out;
  for (const auto& h : hosts) out.push_back(netns_name(h.name));
  out.push_back(switch_netns());
  out.push_back(outside_netns());
  return out;
}

std::filesystem::path LabLayout::ns_file(std::string_view host, std::string_view kind) const {
  return ns_dir() / (std::string(host) + "." + std::string(kind));
}

std::string compute_mgmt_ip(int i) {
  if (i == 1) return "10.15.0.2";
  if (i == 2) return "10.15.0.8";
  return "10.15.0." + std::to_string(17 + i);
}

std::string compute_tunnel_ip(int i) {
  if (i == 1) return "10.19.0.2";
  if (i == 2) return "10.19.0.8";
  return "10.19.0." + std::to_string(17 + i);
}

Result<void> validate_prefix(std::string_view prefix) {
  const auto bad = [&](std::string_view why) {
    return fail(Error::input("lab prefix '" + std::string(prefix) + "': " + std::string(why)));
  };
  if (prefix.empty() || prefix.size() > 20) return bad("must be 1 to 20 characters");
  if (prefix.front() < 'a' || prefix.front() > 'z') return bad("must start with a lowercase letter");
  for (char c : prefix)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
      return bad("only lowercase letters, digits and '-' are allowed");
  return {};
}

Result<void> validate_state_dir(const std::filesystem::path& dir) {
  const std::string shown = "lab state directory '" + dir.string() + "'";
  if (!dir.is_absolute()) return fail(Error::input(shown + ": must be an absolute path"));
  // The path goes into overlayfs mount options (',' and ':' are separators there) and ssh_config.
  for (char c : dir.string())
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '.' ||
          c == '_' || c == '-'))
      return fail(Error::input(shown + ": only letters, digits and . _ - / are allowed"));
  const std::filesystem::path norm = dir.lexically_normal();
  static constexpr std::array<std::string_view, 9> kForbidden = {"/etc", "/var", "/root", "/run", "/tmp",
                                                                "/proc", "/sys", "/dev", "/usr"};
  const auto within = [](const std::filesystem::path& inner, const std::filesystem::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
  };
  for (std::string_view f : kForbidden) {
    const std::filesystem::path fp{f};
    if (within(norm, fp))
      return fail(Error::input(shown + ": must not be inside " + fp.string() +
                               " (per-host overlays and tmpfs cover it; try /srv/stackwire/<prefix>)"));
    if (within(fp, norm))
      return fail(Error::input(shown + ": must not contain " + fp.string()));
  }
  return {};
}

Result<LabLayout> make_layout(std::string prefix, std::filesystem::path state_dir, int computes) {
  SW_TRY_VOID(validate_prefix(prefix));
  SW_TRY_VOID(validate_state_dir(state_dir));
  if (computes < 1 || computes > kMaxComputes)
    return fail(Error::input("--computes " + std::to_string(computes) + ": must be between 1 and " +
                             std::to_string(kMaxComputes)));
  LabLayout l;
  l.prefix = std::move(prefix);
  l.state_dir = state_dir.lexically_normal();
  l.computes = computes;
  l.hosts.push_back({"controller", {"controller"}, "10.15.0.4", "", false});
  l.hosts.push_back({"network", {"network"}, "10.15.0.7", "10.19.0.7", true});
  for (int i = 1; i <= computes; ++i)
    l.hosts.push_back({"compute" + std::to_string(i), {"compute"}, compute_mgmt_ip(i), compute_tunnel_ip(i), false});
  return l;
}

Result<LabLayout> layout_from_environment(int computes) {
  const char* p = std::getenv("STACKWIRE_LAB_PREFIX");
  std::string prefix = (p && *p) ? p : std::string(kDefaultPrefix);
  if (auto ok = validate_prefix(prefix); !ok) return fail(std::move(ok).error().context("STACKWIRE_LAB_PREFIX"));
  const char* d = std::getenv("STACKWIRE_LAB_DIR");
  std::filesystem::path dir = (d && *d) ? std::filesystem::path(d) : std::filesystem::path(kStateRoot) / prefix;
  return make_layout(std::move(prefix), std::move(dir), computes);
}

}  // namespace sw::lab
