#include <netinet/in.h>

#include "netprobe/neighbour.h"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include <nlohmann/json.hpp>

#include "netprobe/json_util.h"
#include "netprobe/netlink.h"
#include "netprobe/nl_attr.h"
#include "netprobe/rt_names.h"

namespace sw::netprobe {

Result<Neighbour> decode_neighbour(std::span<const std::byte> message) {
  const nl::Message m = SW_TRY(nl::single(message));
  if (m.type != RTM_NEWNEIGH)
    return fail(Error::os("decode_neighbour: message type " + std::to_string(m.type) + " is not RTM_NEWNEIGH"));
  const auto nd = nl::header<ndmsg>(m.payload);
  if (!nd) return fail(Error::os("decode_neighbour: message shorter than ndmsg"));
  const nl::Attrs a = SW_TRY(nl::Attrs::after_header(m.payload, sizeof(ndmsg)));

  Neighbour n;
  n.ifindex = nd->ndm_ifindex;
  n.state = nd->ndm_state;
  n.flags = nd->ndm_flags;
  auto dst = a.ip(NDA_DST);
  if (!dst) return fail(Error::os("decode_neighbour: entry on ifindex " + std::to_string(n.ifindex) + " without NDA_DST"));
  n.dst = *dst;
  n.lladdr = format_lladdr(a.raw(NDA_LLADDR));
  return n;
}

Result<std::vector<Neighbour>> dump_neighbours(NetlinkSocket& sock) {
  std::vector<std::byte> body;
  append_header(body, ndmsg{});
  std::vector<Neighbour> out;
  SW_TRY_VOID(sock.dump(
      RTM_GETNEIGH, body,
      [&](const nl::Message& m) -> Result<void> {
        if (m.type != RTM_NEWNEIGH) return {};
        const auto nd = nl::header<ndmsg>(m.payload);
        if (!nd || (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6)) return {};
        const auto* start = m.payload.data() - sizeof(nlmsghdr);
        out.push_back(SW_TRY(decode_neighbour(std::span(start, m.payload.size() + sizeof(nlmsghdr)))));
        return {};
      },
      [&] { out.clear(); }));
  return out;
}

void to_json(nlohmann::json& j, const Neighbour& n) {
  j = nlohmann::json{{"ifindex", n.ifindex},
                     {"ifname", n.ifname},
                     {"dst", n.dst},
                     {"lladdr", n.lladdr},
                     {"state", neigh_state_names(n.state)},
                     {"flags", neigh_flag_names(n.flags)}};
}

void from_json(const nlohmann::json& j, Neighbour& n) {
  using namespace json_util;
  j.at("ifindex").get_to(n.ifindex);
  get_or(j, "ifname", n.ifname);
  j.at("dst").get_to(n.dst);
  if (!n.dst.valid()) bad(j, "neighbour without 'dst'");
  get_or(j, "lladdr", n.lladdr);
  n.state = named_bits<std::uint16_t>(j, "state", neigh_state_from);
  n.flags = named_bits<std::uint8_t>(j, "flags", neigh_flag_from);
}

}  // namespace sw::netprobe
