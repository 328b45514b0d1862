#include <netinet/in.h>

#include "netprobe/sysctl.h"

#include <fcntl.h>
#include <linux/netconf.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>

#include "common/strings.h"
#include "common/unique_fd.h"
#include "netprobe/netlink.h"
#include "netprobe/netns.h"
#include "netprobe/nl_attr.h"

namespace sw::netprobe {

Result<NetconfEntry> decode_netconf(std::span<const std::byte> message) {
  const nl::Message m = SW_TRY(nl::single(message));
  if (m.type != RTM_NEWNETCONF)
    return fail(Error::os("decode_netconf: message type " + std::to_string(m.type) + " is not RTM_NEWNETCONF"));
  const auto ncm = nl::header<netconfmsg>(m.payload);
  if (!ncm) return fail(Error::os("decode_netconf: message shorter than netconfmsg"));
  const nl::Attrs a = SW_TRY(nl::Attrs::after_header(m.payload, sizeof(netconfmsg)));
  NetconfEntry e;
  e.family = ncm->ncm_family;
  auto ifindex = a.s32(NETCONFA_IFINDEX);
  if (!ifindex) return fail(Error::os("decode_netconf: entry without NETCONFA_IFINDEX"));
  e.ifindex = *ifindex;
  e.forwarding = a.s32(NETCONFA_FORWARDING);
  e.rp_filter = a.s32(NETCONFA_RP_FILTER);
  e.mc_forwarding = a.s32(NETCONFA_MC_FORWARDING);
  e.proxy_neigh = a.s32(NETCONFA_PROXY_NEIGH);
  e.ignore_routes_with_linkdown = a.s32(NETCONFA_IGNORE_ROUTES_WITH_LINKDOWN);
  e.bc_forwarding = a.s32(NETCONFA_BC_FORWARDING);
  return e;
}

std::string conf_sysctl_name(int family, std::string_view ifname, std::string_view key) {
  std::string dev(ifname);
  std::replace(dev.begin(), dev.end(), '.', '/');
  return std::string(family == AF_INET6 ? "net.ipv6.conf." : "net.ipv4.conf.") + dev + "." + std::string(key);
}

Sysctls sysctls_from_netconf(const std::vector<NetconfEntry>& entries,
                             const std::function<std::string(std::int32_t)>& ifname_of) {
  Sysctls s;
  for (const auto& e : entries) {
    std::string dev;
    if (e.ifindex == NetconfEntry::kAll) dev = "all";
    else if (e.ifindex == NetconfEntry::kDefault) dev = "default";
    else dev = ifname_of(e.ifindex);
    if (dev.empty()) continue;
    auto put = [&](std::string_view key, const std::optional<std::int32_t>& v) {
      if (v) s.values[conf_sysctl_name(e.family, dev, key)] = *v;
    };
    put("forwarding", e.forwarding);
    put("mc_forwarding", e.mc_forwarding);
    put("ignore_routes_with_linkdown", e.ignore_routes_with_linkdown);
    put(e.family == AF_INET6 ? "proxy_ndp" : "proxy_arp", e.proxy_neigh);
    if (e.family == AF_INET) {
      put("rp_filter", e.rp_filter);
      put("bc_forwarding", e.bc_forwarding);
      if (e.ifindex == NetconfEntry::kAll && e.forwarding) s.values["net.ipv4.ip_forward"] = *e.forwarding;
    }
  }
  return s;
}

Result<std::vector<NetconfEntry>> dump_netconf(NetlinkSocket& sock) {
  std::vector<NetconfEntry> out;
  for (const int family : {AF_INET, AF_INET6}) {
    std::vector<std::byte> body;
    netconfmsg ncm{};
    ncm.ncm_family = static_cast<std::uint8_t>(family);
    append_header(body, ncm);
    const std::size_t mark = out.size();
    auto r = sock.dump(
        RTM_GETNETCONF, body,
        [&](const nl::Message& m) -> Result<void> {
          if (m.type != RTM_NEWNETCONF) return {};
          const auto* start = m.payload.data() - sizeof(nlmsghdr);
          out.push_back(SW_TRY(decode_netconf(std::span(start, m.payload.size() + sizeof(nlmsghdr)))));
          return {};
        },
        [&] { out.resize(mark); });
    // A namespace with IPv6 disabled has no AF_INET6 netconf to dump.
    if (!r && !(family == AF_INET6 && r.error().sys_errno() == EAFNOSUPPORT)) return std::unexpected(r.error());
  }
  return out;
}

Result<std::string> read_proc_sysctl(int ns_fd, std::string_view name) {
  std::string path = "/proc/sys/";
  for (char c : name) path += c == '.' ? '/' : c == '/' ? '.' : c;
  auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return fail_errno(errno, "open " + path);
  SW_TRY_VOID(guard.leave());  // the open file keeps the namespace it was opened in
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "read " + path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return std::string(trim(text));
}

std::optional<std::int64_t> Sysctls::get(std::string_view name) const {
  auto it = values.find(std::string(name));
  if (it == values.end()) return std::nullopt;
  return it->second;
}

std::optional<std::int64_t> Sysctls::ip_forward() const { return get("net.ipv4.ip_forward"); }

std::optional<std::int64_t> Sysctls::effective_rp_filter(std::string_view ifname) const {
  auto all = get("net.ipv4.conf.all.rp_filter");
  auto dev = get(conf_sysctl_name(AF_INET, ifname, "rp_filter"));
  if (!all && !dev) return std::nullopt;
  return std::max(all.value_or(0), dev.value_or(0));
}

void to_json(nlohmann::json& j, const Sysctls& s) { j = s.values; }
void from_json(const nlohmann::json& j, Sysctls& s) { j.get_to(s.values); }

}  // namespace sw::netprobe
