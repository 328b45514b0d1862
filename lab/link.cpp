// Links: bridge, veth pair across namespaces, up, ifindex lookup.
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/sockios.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/bridge.h>
#include <netlink/route/link/veth.h>

#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstdio>
#include <memory>

#include "common/unique_fd.h"
#include "lab/netns.h"
#include "lab/rtnl.h"

namespace sw::lab {
namespace {

struct LinkDeleter {
  void operator()(rtnl_link* l) const { rtnl_link_put(l); }
};
using LinkPtr = std::unique_ptr<rtnl_link, LinkDeleter>;

}  // namespace

Result<int> RtnlSocket::ifindex(const std::string& name) {
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw); rc < 0)
    return fail(nl_error(rc, "link '" + name + "'"));
  LinkPtr link(raw);
  return rtnl_link_get_ifindex(link.get());
}

Result<void> RtnlSocket::add_bridge(const std::string& name) {
  LinkPtr link(rtnl_link_alloc());
  if (!link) return fail(Error::os("rtnl_link_alloc failed"));
  rtnl_link_set_name(link.get(), name.c_str());
  if (int rc = rtnl_link_set_type(link.get(), "bridge"); rc < 0) return fail(nl_error(rc, "bridge '" + name + "'"));
  rtnl_link_set_flags(link.get(), IFF_UP);
  if (int rc = rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return fail(nl_error(rc, "add bridge '" + name + "'"));
  return {};
}

Result<void> RtnlSocket::add_veth(const std::string& name, int master_ifindex, const std::string& peer_name,
                                  int peer_netns_fd) {
  LinkPtr link(rtnl_link_veth_alloc());
  if (!link) return fail(Error::os("rtnl_link_veth_alloc failed"));
  rtnl_link_set_name(link.get(), name.c_str());
  if (master_ifindex > 0) rtnl_link_set_master(link.get(), master_ifindex);
  rtnl_link_set_flags(link.get(), IFF_UP);
  rtnl_link* peer = rtnl_link_veth_get_peer(link.get());  // owned by link; the getter takes a reference
  rtnl_link_set_name(peer, peer_name.c_str());
  rtnl_link_set_ns_fd(peer, peer_netns_fd);
  rtnl_link_put(peer);
  if (int rc = rtnl_link_add(sock_.get(), link.get(), NLM_F_CREATE | NLM_F_EXCL); rc < 0)
    return fail(nl_error(rc, "add veth '" + name + "' (peer '" + peer_name + "')"));
  return {};
}

Result<void> RtnlSocket::set_up(const std::string& name) {
  rtnl_link* raw = nullptr;
  if (int rc = rtnl_link_get_kernel(sock_.get(), 0, name.c_str(), &raw); rc < 0)
    return fail(nl_error(rc, "link '" + name + "'"));
  LinkPtr orig(raw);
  LinkPtr change(rtnl_link_alloc());
  if (!change) return fail(Error::os("rtnl_link_alloc failed"));
  rtnl_link_set_flags(change.get(), IFF_UP);
  if (int rc = rtnl_link_change(sock_.get(), orig.get(), change.get(), 0); rc < 0)
    return fail(nl_error(rc, "set link '" + name + "' up"));
  return {};
}

Result<void> disable_tx_checksum(int netns_fd, const std::string& ifname) {
  auto guard = SW_TRY(NetnsGuard::enter(netns_fd));
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return fail_errno(errno, "socket for ethtool on " + ifname);
  ethtool_value ev{};
  ev.cmd = ETHTOOL_STXCSUM;
  ev.data = 0;
  ifreq ifr{};
  std::snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname.c_str());
  ifr.ifr_data = reinterpret_cast<char*>(&ev);
  if (::ioctl(fd.get(), SIOCETHTOOL, &ifr) != 0) return fail_errno(errno, "ethtool -K " + ifname + " tx off");
  return {};
}

}  // namespace sw::lab
