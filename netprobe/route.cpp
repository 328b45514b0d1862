#include <netinet/in.h>

#include "netprobe/route.h"

#include <linux/rtnetlink.h>

#include <nlohmann/json.hpp>

#include "netprobe/json_util.h"
#include "netprobe/netlink.h"
#include "netprobe/nl_attr.h"
#include "netprobe/rt_names.h"

namespace sw::netprobe {
namespace {

// RTA_VIA carries a family and an address of that family (IPv4 via an IPv6 gateway, RFC 5549).
std::optional<IpAddress> via(nl::Bytes raw) {
  if (raw.size() < sizeof(__kernel_sa_family_t)) return std::nullopt;
  return IpAddress::from_bytes(raw.subspan(sizeof(__kernel_sa_family_t)));
}

Result<std::vector<Nexthop>> decode_multipath(nl::Bytes raw) {
  std::vector<Nexthop> out;
  std::size_t off = 0;
  while (raw.size() - off >= sizeof(rtnexthop)) {
    const auto nh = *nl::header<rtnexthop>(raw.subspan(off));
    if (nh.rtnh_len < sizeof(rtnexthop) || nh.rtnh_len > raw.size() - off)
      return fail(Error::os("decode_route: RTA_MULTIPATH nexthop length " + std::to_string(nh.rtnh_len) + " is invalid"));
    Nexthop n;
    n.oif = nh.rtnh_ifindex;
    n.weight = static_cast<std::uint16_t>(nh.rtnh_hops + 1);
    n.flags = nh.rtnh_flags;
    const nl::Attrs a = SW_TRY(nl::Attrs::parse(raw.subspan(off + RTNH_ALIGN(sizeof(rtnexthop)),
                                                            nh.rtnh_len - RTNH_ALIGN(sizeof(rtnexthop)))));
    if (auto g = a.ip(RTA_GATEWAY)) n.gateway = *g;
    else if (auto v = via(a.raw(RTA_VIA))) n.gateway = *v;
    out.push_back(std::move(n));
    off += RTNH_ALIGN(nh.rtnh_len);
    // A last nexthop whose length is not a multiple of 4 aligns past the end: without this the
    // unsigned `raw.size() - off` above wraps and the loop reads beyond the attribute.
    if (off > raw.size()) break;
  }
  return out;
}

}  // namespace

bool Route::is_default() const { return dst_len == 0 && type == RTN_UNICAST && table == RT_TABLE_MAIN; }

std::string Route::dst_string() const {
  if (dst_len == 0 && !dst.valid()) return "default";
  std::string s = dst.valid() ? dst.to_string() : (family == AF_INET6 ? "::" : "0.0.0.0");
  const unsigned full = family == AF_INET6 ? 128 : 32;
  if (dst_len != full) s += "/" + std::to_string(dst_len);
  return s;
}

Result<Route> decode_route(std::span<const std::byte> message) {
  const nl::Message m = SW_TRY(nl::single(message));
  if (m.type != RTM_NEWROUTE)
    return fail(Error::os("decode_route: message type " + std::to_string(m.type) + " is not RTM_NEWROUTE"));
  const auto rtm = nl::header<rtmsg>(m.payload);
  if (!rtm) return fail(Error::os("decode_route: message shorter than rtmsg"));
  const nl::Attrs a = SW_TRY(nl::Attrs::after_header(m.payload, sizeof(rtmsg)));

  Route r;
  r.family = rtm->rtm_family;
  r.table = a.u32(RTA_TABLE).value_or(rtm->rtm_table);
  r.dst_len = rtm->rtm_dst_len;
  r.src_len = rtm->rtm_src_len;
  r.protocol = rtm->rtm_protocol;
  r.scope = rtm->rtm_scope;
  r.type = rtm->rtm_type;
  r.flags = rtm->rtm_flags;
  if (auto v = a.ip(RTA_DST)) r.dst = *v;
  if (auto v = a.ip(RTA_SRC)) r.src = *v;
  if (auto v = a.ip(RTA_PREFSRC)) r.prefsrc = *v;
  if (auto v = a.ip(RTA_GATEWAY)) r.gateway = *v;
  else if (auto w = via(a.raw(RTA_VIA))) r.gateway = *w;
  if (auto v = a.s32(RTA_OIF)) r.oif = *v;
  r.metric = a.u32(RTA_PRIORITY);
  r.pref = a.u8(RTA_PREF);
  if (a.has(RTA_METRICS)) {
    const nl::Attrs metrics = SW_TRY(a.nested(RTA_METRICS));
    r.mtu = metrics.u32(RTAX_MTU);
  }
  if (a.has(RTA_MULTIPATH)) r.nexthops = SW_TRY(decode_multipath(a.raw(RTA_MULTIPATH)));
  return r;
}

Result<std::vector<Route>> dump_routes(NetlinkSocket& sock) {
  std::vector<std::byte> body;
  append_header(body, rtmsg{});
  std::vector<Route> out;
  SW_TRY_VOID(sock.dump(
      RTM_GETROUTE, body,
      [&](const nl::Message& m) -> Result<void> {
        if (m.type != RTM_NEWROUTE) return {};
        const auto rtm = nl::header<rtmsg>(m.payload);
        if (!rtm || (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)) return {};
        if (rtm->rtm_flags & RTM_F_CLONED) return {};
        const auto* start = m.payload.data() - sizeof(nlmsghdr);
        out.push_back(SW_TRY(decode_route(std::span(start, m.payload.size() + sizeof(nlmsghdr)))));
        return {};
      },
      [&] { out.clear(); }));
  return out;
}

void to_json(nlohmann::json& j, const Nexthop& n) {
  j = nlohmann::json{{"gateway", n.gateway}, {"oif", n.oif}, {"oif_name", n.oif_name},
                     {"weight", n.weight}, {"flags", route_flag_names(n.flags)}};
}

void from_json(const nlohmann::json& j, Nexthop& n) {
  using namespace json_util;
  get_or(j, "gateway", n.gateway);
  j.at("oif").get_to(n.oif);
  get_or(j, "oif_name", n.oif_name);
  get_or(j, "weight", n.weight, std::uint16_t{1});
  n.flags = static_cast<std::uint8_t>(named_bits<std::uint32_t>(j, "flags", route_flag_from));
}

void to_json(nlohmann::json& j, const Route& r) {
  using namespace json_util;
  j = nlohmann::json{{"family", r.family == AF_INET6 ? "inet6" : "inet"},
                     {"table", r.table},
                     {"dst", r.dst},
                     {"dst_len", r.dst_len},
                     {"src", r.src},
                     {"src_len", r.src_len},
                     {"prefsrc", r.prefsrc},
                     {"gateway", r.gateway},
                     {"oif_name", r.oif_name},
                     {"protocol", route_protocol_name(r.protocol)},
                     {"scope", route_scope_name(r.scope)},
                     {"type", route_type_name(r.type)},
                     {"flags", route_flag_names(r.flags)},
                     {"nexthops", r.nexthops}};
  put_opt(j, "oif", r.oif);
  put_opt(j, "metric", r.metric);
  put_opt(j, "mtu", r.mtu);
  if (r.pref) j["pref"] = route_pref_name(*r.pref);
  else j["pref"] = nullptr;
}

void from_json(const nlohmann::json& j, Route& r) {
  using namespace json_util;
  const std::string fam = j.at("family").get<std::string>();
  if (fam == "inet") r.family = AF_INET;
  else if (fam == "inet6") r.family = AF_INET6;
  else bad(j, "family: unknown value '" + fam + "'");
  j.at("table").get_to(r.table);
  get_or(j, "dst", r.dst);
  j.at("dst_len").get_to(r.dst_len);
  get_or(j, "src", r.src);
  get_or(j, "src_len", r.src_len);
  get_or(j, "prefsrc", r.prefsrc);
  get_or(j, "gateway", r.gateway);
  get_or(j, "oif_name", r.oif_name);
  r.protocol = named<std::uint8_t>(j, "protocol", route_protocol_from);
  r.scope = named<std::uint8_t>(j, "scope", route_scope_from);
  r.type = named<std::uint8_t>(j, "type", route_type_from);
  r.flags = named_bits<std::uint32_t>(j, "flags", route_flag_from);
  get_or(j, "nexthops", r.nexthops);
  get_opt(j, "oif", r.oif);
  get_opt(j, "metric", r.metric);
  get_opt(j, "mtu", r.mtu);
  if (j.contains("pref") && !j["pref"].is_null()) r.pref = named<std::uint8_t>(j, "pref", route_pref_from);
  else r.pref.reset();
}

}  // namespace sw::netprobe
