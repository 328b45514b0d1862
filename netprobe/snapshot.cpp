#include "netprobe/snapshot.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "netprobe/json_util.h"
#include "netprobe/netlink.h"

namespace sw::netprobe {
namespace {

// g++ 12's std::expected has no transform_error yet.
template <class T>
Result<T> in(std::string_view what, Result<T> r) {
  if (!r) return fail(std::move(r.error()).context(what));
  return r;
}

}  // namespace

const Link* NetnsSnapshot::link(std::int32_t ifindex) const {
  for (const auto& l : links)
    if (l.ifindex == ifindex) return &l;
  return nullptr;
}

const Link* NetnsSnapshot::link(std::string_view n) const {
  for (const auto& l : links)
    if (l.name == n) return &l;
  return nullptr;
}

Result<NetnsSnapshot> inspect(int ns_fd, std::string name) {
  NetnsSnapshot s;
  s.name = std::move(name);
  if (ns_fd >= 0) {
    s.inode = SW_TRY(netns_id(ns_fd)).inode;
  } else {
    auto self = SW_TRY(open_current_netns());
    s.inode = SW_TRY(netns_id(self.get())).inode;
  }
  auto sock = SW_TRY(NetlinkSocket::open_in(ns_fd));
  s.links = SW_TRY(in("links", dump_links(sock)));
  s.addresses = SW_TRY(in("addresses", dump_addresses(sock)));
  s.routes = SW_TRY(in("routes", dump_routes(sock)));
  s.neighbours = SW_TRY(in("neighbours", dump_neighbours(sock)));
  const auto netconf = SW_TRY(in("netconf", dump_netconf(sock)));

  std::unordered_map<std::int32_t, std::string> names;
  for (const auto& l : s.links) names.emplace(l.ifindex, l.name);
  auto name_of = [&](std::int32_t i) -> std::string {
    auto it = names.find(i);
    return it == names.end() ? std::string() : it->second;
  };
  for (auto& a : s.addresses) a.ifname = name_of(a.ifindex);
  for (auto& r : s.routes) {
    if (r.oif) r.oif_name = name_of(*r.oif);
    for (auto& nh : r.nexthops) nh.oif_name = name_of(nh.oif);
  }
  for (auto& n : s.neighbours) n.ifname = name_of(n.ifindex);
  s.sysctls = sysctls_from_netconf(netconf, name_of);
  return s;
}

Result<NetnsSnapshot> inspect(const NetnsRef& ref) {
  auto fd = SW_TRY(open_netns(ref));
  const auto id = SW_TRY(identify_netns(fd.get()));
  std::string name;
  for (const auto& n : id.names) name += (name.empty() ? "" : ",") + n;
  if (name.empty() && ref.kind() == NetnsRef::Kind::name) name = ref.value();
  return in(ref.describe(), inspect(fd.get(), std::move(name)));
}

void to_json(nlohmann::json& j, const NetnsSnapshot& s) {
  j = nlohmann::json{{"name", s.name},           {"inode", s.inode},   {"links", s.links},
                     {"addresses", s.addresses}, {"routes", s.routes}, {"neighbours", s.neighbours},
                     {"sysctls", s.sysctls}};
}

void from_json(const nlohmann::json& j, NetnsSnapshot& s) {
  using namespace json_util;
  get_or(j, "name", s.name);
  get_or(j, "inode", s.inode);
  get_or(j, "links", s.links);
  get_or(j, "addresses", s.addresses);
  get_or(j, "routes", s.routes);
  get_or(j, "neighbours", s.neighbours);
  get_or(j, "sysctls", s.sysctls);
}

}  // namespace sw::netprobe
