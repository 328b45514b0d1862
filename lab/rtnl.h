// A route-netlink socket bound to one network namespace, and the few link and address operations the
// lab builder needs (bridge, veth pair straight into two namespaces, up, master, IPv4 address).
// libnl-route-3 does the encoding; its negative error codes become Errors here and go no further.
//
// Lifetime: open the socket inside a NetnsGuard (or with RtnlSocket::open_in); it keeps talking to
// that namespace after the guard is gone. Links created with a peer namespace fd are created directly
// in their namespaces: nothing of the lab ever appears in the namespace the builder runs in.
#pragma once

#include <memory>
#include <string>

#include "common/error.h"

struct nl_sock;

namespace sw::lab {

class RtnlSocket {
 public:
  /// A socket in the caller's current network namespace.
  static Result<RtnlSocket> open();
  /// A socket in the network namespace open at netns_fd (enters it briefly).
  static Result<RtnlSocket> open_in(int netns_fd);

  /// ifindex of the link called name.
  Result<int> ifindex(const std::string& name);
  /// Creates a linux bridge (STP off, so ports forward at once) and brings it up.
  Result<void> add_bridge(const std::string& name);
  /// Creates a veth pair: name here (enslaved to master_ifindex if > 0, up), peer_name created directly
  /// in the namespace open at peer_netns_fd, down (the kernel refuses flags on the peer: set it up
  /// from a socket in its namespace).
  Result<void> add_veth(const std::string& name, int master_ifindex, const std::string& peer_name,
                        int peer_netns_fd);
  /// Sets the link up.
  Result<void> set_up(const std::string& name);
  /// Adds an IPv4 address (with its broadcast) to the link: add_address("eth0", "10.15.0.4", 24).
  Result<void> add_address(const std::string& link, const std::string& ip, int prefix_len);

 private:
  struct Deleter {
    void operator()(nl_sock* s) const;
  };
  explicit RtnlSocket(std::unique_ptr<nl_sock, Deleter> s) : sock_(std::move(s)) {}
  std::unique_ptr<nl_sock, Deleter> sock_;
};

/// `ethtool -K IFNAME tx off` in the namespace open at netns_fd (SIOCETHTOOL): a veth feeding Open
/// vSwitch's userspace datapath must not leave TCP checksums to offload, or TCP silently fails while
/// ICMP works (reference/lab-and-ovs.md).
Result<void> disable_tx_checksum(int netns_fd, const std::string& ifname);

/// libnl's negative error code as an Error: "what: <nl_geterror>".
Error nl_error(int nl_err, const std::string& what);

}  // namespace sw::lab
