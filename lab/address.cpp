// IPv4 addresses on lab links.
#include <arpa/inet.h>
#include <netlink/addr.h>
#include <netlink/netlink.h>
#include <netlink/route/addr.h>

#include <memory>

#include "lab/rtnl.h"

namespace sw::lab {
namespace {

struct AddrDeleter {
  void operator()(rtnl_addr* a) const { rtnl_addr_put(a); }
};
struct NlAddrDeleter {
  void operator()(nl_addr* a) const { nl_addr_put(a); }
};

}  // namespace

Result<void> RtnlSocket::add_address(const std::string& link, const std::string& ip, int prefix_len) {
  in_addr a{};
  if (::inet_pton(AF_INET, ip.c_str(), &a) != 1 || prefix_len < 0 || prefix_len > 32)
    return fail(Error::input("address '" + ip + "/" + std::to_string(prefix_len) + "': not an IPv4 prefix"));
  const int index = SW_TRY(ifindex(link));
  std::unique_ptr<rtnl_addr, AddrDeleter> addr(rtnl_addr_alloc());
  if (!addr) return fail(Error::os("rtnl_addr_alloc failed"));
  std::unique_ptr<nl_addr, NlAddrDeleter> local(nl_addr_build(AF_INET, &a, sizeof a));
  const uint32_t host_mask = prefix_len == 32 ? 0 : (0xffffffffu >> prefix_len);
  in_addr b{htonl(ntohl(a.s_addr) | host_mask)};
  std::unique_ptr<nl_addr, NlAddrDeleter> bcast(nl_addr_build(AF_INET, &b, sizeof b));
  if (!local || !bcast) return fail(Error::os("nl_addr_build failed"));
  nl_addr_set_prefixlen(local.get(), prefix_len);
  rtnl_addr_set_ifindex(addr.get(), index);
  rtnl_addr_set_family(addr.get(), AF_INET);
  if (int rc = rtnl_addr_set_local(addr.get(), local.get()); rc < 0) return fail(nl_error(rc, "address " + ip));
  if (int rc = rtnl_addr_set_broadcast(addr.get(), bcast.get()); rc < 0) return fail(nl_error(rc, "address " + ip));
  if (int rc = rtnl_addr_add(sock_.get(), addr.get(), 0); rc < 0)
    return fail(nl_error(rc, "add " + ip + "/" + std::to_string(prefix_len) + " to '" + link + "'"));
  return {};
}

}  // namespace sw::lab
