// net/if.h and netinet/in.h before the linux/ headers: glibc's and the kernel's copies only coexist
// in that order.
#include <net/if.h>
#include <netinet/in.h>

#include "netprobe/link.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/if_tunnel.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "netprobe/json_util.h"
#include "netprobe/netlink.h"
#include "netprobe/nl_attr.h"
#include "netprobe/rt_names.h"

namespace sw::netprobe {
namespace {

constexpr std::uint32_t kIffLowerUp = 0x10000;

std::optional<std::uint32_t> be32(const nl::Attrs& a, std::uint16_t type) {
  auto v = a.u32(type);
  if (!v) return std::nullopt;
  return ntohl(*v);
}

Result<std::optional<TunnelInfo>> decode_tunnel(const std::string& kind, const nl::Attrs& data) {
  TunnelInfo t;
  if (kind == "vxlan") {
    t.id = data.u32(IFLA_VXLAN_ID);
    if (auto a = data.ip(IFLA_VXLAN_LOCAL)) t.local = *a;
    if (auto a = data.ip(IFLA_VXLAN_LOCAL6)) t.local = *a;
    if (auto a = data.ip(IFLA_VXLAN_GROUP)) t.remote = *a;
    if (auto a = data.ip(IFLA_VXLAN_GROUP6)) t.remote = *a;
    t.port = data.be16(IFLA_VXLAN_PORT);
    t.ttl = data.u8(IFLA_VXLAN_TTL);
    if (auto l = data.u32(IFLA_VXLAN_LINK); l && *l) t.underlay = l;
    return t;
  }
  if (kind == "gre" || kind == "gretap" || kind == "ip6gre" || kind == "ip6gretap" || kind == "erspan" ||
      kind == "ip6erspan") {
    if (auto a = data.ip(IFLA_GRE_LOCAL)) t.local = *a;
    if (auto a = data.ip(IFLA_GRE_REMOTE)) t.remote = *a;
    // Keys only count when the GRE_KEY flag says so (as iproute2's gre_print_opt).
    const std::uint16_t iflags = data.u16(IFLA_GRE_IFLAGS).value_or(0);
    const std::uint16_t oflags = data.u16(IFLA_GRE_OFLAGS).value_or(0);
    if (iflags & GRE_KEY) t.ikey = be32(data, IFLA_GRE_IKEY);
    if (oflags & GRE_KEY) t.okey = be32(data, IFLA_GRE_OKEY);
    t.ttl = data.u8(IFLA_GRE_TTL);
    if (auto l = data.u32(IFLA_GRE_LINK); l && *l) t.underlay = l;
    return t;
  }
  return std::optional<TunnelInfo>{};
}

}  // namespace

bool Link::up() const { return flags & IFF_UP; }
bool Link::lower_up() const { return flags & kIffLowerUp; }

Result<Link> decode_link(std::span<const std::byte> message) {
  const nl::Message m = SW_TRY(nl::single(message));
  if (m.type != RTM_NEWLINK)
    return fail(Error::os("decode_link: message type " + std::to_string(m.type) + " is not RTM_NEWLINK"));
  const auto ifi = nl::header<ifinfomsg>(m.payload);
  if (!ifi) return fail(Error::os("decode_link: message shorter than ifinfomsg"));
  const nl::Attrs a = SW_TRY(nl::Attrs::after_header(m.payload, sizeof(ifinfomsg)));

  Link l;
  l.ifindex = ifi->ifi_index;
  l.link_type = ifi->ifi_type;
  l.flags = ifi->ifi_flags;
  l.name = a.str(IFLA_IFNAME).value_or("");
  if (l.name.empty()) return fail(Error::os("decode_link: link " + std::to_string(l.ifindex) + " has no IFLA_IFNAME"));
  l.mtu = a.u32(IFLA_MTU).value_or(0);
  l.txqlen = a.u32(IFLA_TXQLEN);
  l.operstate = a.u8(IFLA_OPERSTATE).value_or(IF_OPER_UNKNOWN);
  l.mac = format_lladdr(a.raw(IFLA_ADDRESS));
  l.broadcast = format_lladdr(a.raw(IFLA_BROADCAST));
  l.alias = a.str(IFLA_IFALIAS).value_or("");
  if (auto v = a.u32(IFLA_MASTER); v && *v) l.master = static_cast<std::int32_t>(*v);
  // With IFLA_LINK_NETNSID, IFLA_LINK indexes the peer's namespace, not this one.
  l.link_netnsid = a.s32(IFLA_LINK_NETNSID);
  if (auto v = a.s32(IFLA_LINK); v && *v) l.link = *v;

  if (a.has(IFLA_LINKINFO)) {
    const nl::Attrs info = SW_TRY(a.nested(IFLA_LINKINFO));
    l.kind = info.str(IFLA_INFO_KIND).value_or("");
    l.slave_kind = info.str(IFLA_INFO_SLAVE_KIND).value_or("");
    const nl::Attrs data = SW_TRY(info.nested(IFLA_INFO_DATA));
    if (l.kind == "tun") {
      if (auto t = data.u8(IFLA_TUN_TYPE)) l.tun_type = *t == IFF_TAP ? "tap" : *t == IFF_TUN ? "tun" : std::to_string(*t);
    }
    l.tunnel = SW_TRY(decode_tunnel(l.kind, data));
  }
  return l;
}

void resolve_link_names(std::vector<Link>& links) {
  std::unordered_map<std::int32_t, const Link*> by_index;
  for (const auto& l : links) by_index[l.ifindex] = &l;
  for (auto& l : links) {
    if (l.master) {
      auto it = by_index.find(*l.master);
      l.master_name = it != by_index.end() ? it->second->name : "";
    }
    if (l.link && !l.link_netnsid) {
      auto it = by_index.find(*l.link);
      l.link_name = it != by_index.end() ? it->second->name : "";
    }
  }
}

Result<std::vector<Link>> dump_links(NetlinkSocket& sock) {
  std::vector<std::byte> body;
  append_header(body, ifinfomsg{});
  // Statistics are most of a link message and nobody here reads them.
  append_attr(body, IFLA_EXT_MASK, static_cast<std::uint32_t>(RTEXT_FILTER_SKIP_STATS));
  std::vector<Link> links;
  SW_TRY_VOID(sock.dump(
      RTM_GETLINK, body,
      [&](const nl::Message& m) -> Result<void> {
        if (m.type != RTM_NEWLINK) return {};
        const auto* start = m.payload.data() - sizeof(nlmsghdr);
        links.push_back(SW_TRY(decode_link(std::span(start, m.payload.size() + sizeof(nlmsghdr)))));
        return {};
      },
      [&] { links.clear(); }));
  std::sort(links.begin(), links.end(), [](const Link& a, const Link& b) { return a.ifindex < b.ifindex; });
  resolve_link_names(links);
  return links;
}

void to_json(nlohmann::json& j, const TunnelInfo& t) {
  using namespace json_util;
  j = nlohmann::json::object();
  put_opt(j, "id", t.id);
  j["local"] = t.local;
  j["remote"] = t.remote;
  put_opt(j, "port", t.port);
  put_opt(j, "ikey", t.ikey);
  put_opt(j, "okey", t.okey);
  put_opt(j, "ttl", t.ttl);
  put_opt(j, "underlay", t.underlay);
}

void from_json(const nlohmann::json& j, TunnelInfo& t) {
  using namespace json_util;
  get_opt(j, "id", t.id);
  get_or(j, "local", t.local);
  get_or(j, "remote", t.remote);
  get_opt(j, "port", t.port);
  get_opt(j, "ikey", t.ikey);
  get_opt(j, "okey", t.okey);
  get_opt(j, "ttl", t.ttl);
  get_opt(j, "underlay", t.underlay);
}

void to_json(nlohmann::json& j, const Link& l) {
  using namespace json_util;
  j = nlohmann::json{{"ifindex", l.ifindex},
                     {"name", l.name},
                     {"kind", l.kind},
                     {"slave_kind", l.slave_kind},
                     {"tun_type", l.tun_type},
                     {"link_type", link_type_name(l.link_type)},
                     {"flags", link_flag_names(l.flags)},
                     {"operstate", operstate_name(l.operstate)},
                     {"mtu", l.mtu},
                     {"mac", l.mac},
                     {"broadcast", l.broadcast},
                     {"master_name", l.master_name},
                     {"link_name", l.link_name},
                     {"alias", l.alias}};
  put_opt(j, "txqlen", l.txqlen);
  put_opt(j, "master", l.master);
  put_opt(j, "link", l.link);
  put_opt(j, "link_netnsid", l.link_netnsid);
  put_opt(j, "tunnel", l.tunnel);
}

void from_json(const nlohmann::json& j, Link& l) {
  using namespace json_util;
  j.at("ifindex").get_to(l.ifindex);
  j.at("name").get_to(l.name);
  get_or(j, "kind", l.kind);
  get_or(j, "slave_kind", l.slave_kind);
  get_or(j, "tun_type", l.tun_type);
  l.link_type = named<std::uint16_t>(j, "link_type", link_type_from);
  l.flags = named_bits<std::uint32_t>(j, "flags", link_flag_from);
  l.operstate = named<std::uint8_t>(j, "operstate", operstate_from);
  j.at("mtu").get_to(l.mtu);
  get_or(j, "mac", l.mac);
  get_or(j, "broadcast", l.broadcast);
  get_or(j, "master_name", l.master_name);
  get_or(j, "link_name", l.link_name);
  get_or(j, "alias", l.alias);
  get_opt(j, "txqlen", l.txqlen);
  get_opt(j, "master", l.master);
  get_opt(j, "link", l.link);
  get_opt(j, "link_netnsid", l.link_netnsid);
  get_opt(j, "tunnel", l.tunnel);
}

}  // namespace sw::netprobe
