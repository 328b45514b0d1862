#include <netinet/in.h>

#include "netprobe/address.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "netprobe/json_util.h"
#include "netprobe/netlink.h"
#include "netprobe/nl_attr.h"
#include "netprobe/rt_names.h"

namespace sw::netprobe {

Result<Address> decode_address(std::span<const std::byte> message) {
  const nl::Message m = SW_TRY(nl::single(message));
  if (m.type != RTM_NEWADDR)
    return fail(Error::os("decode_address: message type " + std::to_string(m.type) + " is not RTM_NEWADDR"));
  const auto ifa = nl::header<ifaddrmsg>(m.payload);
  if (!ifa) return fail(Error::os("decode_address: message shorter than ifaddrmsg"));
  const nl::Attrs a = SW_TRY(nl::Attrs::after_header(m.payload, sizeof(ifaddrmsg)));

  Address out;
  out.ifindex = static_cast<std::int32_t>(ifa->ifa_index);
  out.prefixlen = ifa->ifa_prefixlen;
  out.scope = ifa->ifa_scope;
  out.flags = a.u32(IFA_FLAGS).value_or(ifa->ifa_flags);
  // As iproute2: IFA_LOCAL is our address, IFA_ADDRESS the peer on point-to-point links; either
  // stands in for the other when only one is given (IPv6 usually sends only IFA_ADDRESS).
  auto local = a.ip(IFA_LOCAL);
  auto address = a.ip(IFA_ADDRESS);
  if (!local) local = address;
  if (!address) address = local;
  if (!local) return fail(Error::os("decode_address: ifindex " + std::to_string(out.ifindex) + " address without IFA_LOCAL/IFA_ADDRESS"));
  if (local->family != ifa->ifa_family)
    return fail(Error::os("decode_address: address family " + std::to_string(local->family) +
                              " does not match ifa_family " + std::to_string(ifa->ifa_family)));
  out.local = *local;
  if (*address != *local) out.peer = *address;
  out.label = a.str(IFA_LABEL).value_or("");
  if (auto b = a.ip(IFA_BROADCAST)) out.broadcast = *b;
  if (auto ci = a.has(IFA_CACHEINFO) ? nl::header<ifa_cacheinfo>(a.raw(IFA_CACHEINFO)) : std::nullopt) {
    out.valid_lft = ci->ifa_valid;
    out.preferred_lft = ci->ifa_prefered;
  }
  return out;
}

Result<std::vector<Address>> dump_addresses(NetlinkSocket& sock) {
  std::vector<std::byte> body;
  append_header(body, ifaddrmsg{});
  std::vector<Address> out;
  SW_TRY_VOID(sock.dump(
      RTM_GETADDR, body,
      [&](const nl::Message& m) -> Result<void> {
        if (m.type != RTM_NEWADDR) return {};
        const auto ifa = nl::header<ifaddrmsg>(m.payload);
        if (!ifa || (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)) return {};
        const auto* start = m.payload.data() - sizeof(nlmsghdr);
        out.push_back(SW_TRY(decode_address(std::span(start, m.payload.size() + sizeof(nlmsghdr)))));
        return {};
      },
      [&] { out.clear(); }));
  std::stable_sort(out.begin(), out.end(), [](const Address& x, const Address& y) { return x.ifindex < y.ifindex; });
  return out;
}

void to_json(nlohmann::json& j, const Address& a) {
  using namespace json_util;
  j = nlohmann::json{{"ifindex", a.ifindex},
                     {"ifname", a.ifname},
                     {"family", a.family() == AF_INET6 ? "inet6" : "inet"},
                     {"local", a.local},
                     {"peer", a.peer},
                     {"prefixlen", a.prefixlen},
                     {"scope", route_scope_name(a.scope)},
                     {"label", a.label},
                     {"flags", addr_flag_names(a.flags)},
                     {"broadcast", a.broadcast}};
  put_opt(j, "valid_lft", a.valid_lft);
  put_opt(j, "preferred_lft", a.preferred_lft);
}

void from_json(const nlohmann::json& j, Address& a) {
  using namespace json_util;
  j.at("ifindex").get_to(a.ifindex);
  get_or(j, "ifname", a.ifname);
  j.at("local").get_to(a.local);
  if (!a.local.valid()) bad(j, "address without 'local'");
  get_or(j, "peer", a.peer);
  j.at("prefixlen").get_to(a.prefixlen);
  a.scope = named<std::uint8_t>(j, "scope", route_scope_from);
  get_or(j, "label", a.label);
  a.flags = named_bits<std::uint32_t>(j, "flags", addr_flag_from);
  get_or(j, "broadcast", a.broadcast);
  get_opt(j, "valid_lft", a.valid_lft);
  get_opt(j, "preferred_lft", a.preferred_lft);
}

}  // namespace sw::netprobe
