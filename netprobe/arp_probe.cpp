// net/if.h before the linux/ headers (glibc's and the kernel's if.h only coexist in that order).
#include <net/if.h>
#include <netinet/in.h>

#include "netprobe/arp_probe.h"

#include <arpa/inet.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "netprobe/json_util.h"
#include "netprobe/netns.h"

namespace sw::netprobe {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kArpLen = 28;  // struct arphdr + 2 × (6-byte MAC + 4-byte IPv4)
constexpr auto kResend = std::chrono::seconds(1);

struct Iface {
  int index = 0;
  std::array<std::uint8_t, 6> mac{};
  IpAddress ip = IpAddress::v4(0);
};

Result<Iface> query_iface(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) return fail(Error::input("interface '" + std::string(name) + "': not a valid name"));
  UniqueFd s(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!s) return fail_errno(errno, "socket");
  ifreq ifr{};
  std::memcpy(ifr.ifr_name, name.data(), name.size());
  const std::string what = "interface '" + std::string(name) + "'";
  if (::ioctl(s.get(), SIOCGIFINDEX, &ifr) != 0) {
    if (errno == ENODEV) return fail(Error::not_found(what + " does not exist"));
    return fail_errno(errno, what);
  }
  Iface out;
  out.index = ifr.ifr_ifindex;
  if (::ioctl(s.get(), SIOCGIFFLAGS, &ifr) != 0) return fail_errno(errno, what + ": SIOCGIFFLAGS");
  const auto flags = static_cast<unsigned>(ifr.ifr_flags);
  if (flags & (IFF_LOOPBACK | IFF_NOARP)) return fail(Error::input(what + " does not do ARP (loopback or NOARP)"));
  if (!(flags & IFF_UP)) return fail(Error::failed(what + " is down"));
  if (::ioctl(s.get(), SIOCGIFHWADDR, &ifr) != 0) return fail_errno(errno, what + ": SIOCGIFHWADDR");
  if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
    return fail(Error::input(what + " is not an Ethernet interface (link type " + std::to_string(ifr.ifr_hwaddr.sa_family) + ")"));
  std::memcpy(out.mac.data(), ifr.ifr_hwaddr.sa_data, 6);
  if (::ioctl(s.get(), SIOCGIFADDR, &ifr) == 0) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(&ifr.ifr_addr);
    out.ip = IpAddress::v4(ntohl(sin->sin_addr.s_addr));
  }
  return out;
}

}  // namespace

std::vector<std::byte> build_arp_request(const std::array<std::uint8_t, 6>& sender_mac, const IpAddress& sender_ip,
                                         const IpAddress& target_ip) {
  std::vector<std::byte> p(kArpLen);
  arphdr h{};
  h.ar_hrd = htons(ARPHRD_ETHER);
  h.ar_pro = htons(ETH_P_IP);
  h.ar_hln = 6;
  h.ar_pln = 4;
  h.ar_op = htons(ARPOP_REQUEST);
  std::memcpy(p.data(), &h, sizeof h);
  std::size_t off = sizeof h;
  std::memcpy(p.data() + off, sender_mac.data(), 6);
  std::memcpy(p.data() + off + 6, sender_ip.bytes.data(), 4);
  // target hardware address stays 00:00:00:00:00:00
  std::memcpy(p.data() + off + 16, target_ip.bytes.data(), 4);
  return p;
}

std::optional<ArpReply> parse_arp_reply(std::span<const std::byte> payload) {
  if (payload.size() < kArpLen) return std::nullopt;
  arphdr h;
  std::memcpy(&h, payload.data(), sizeof h);
  if (ntohs(h.ar_hrd) != ARPHRD_ETHER || ntohs(h.ar_pro) != ETH_P_IP || h.ar_hln != 6 || h.ar_pln != 4 ||
      ntohs(h.ar_op) != ARPOP_REPLY)
    return std::nullopt;
  ArpReply r;
  std::memcpy(r.sender_mac.data(), payload.data() + sizeof h, 6);
  r.sender_ip = *IpAddress::from_bytes(payload.subspan(sizeof h + 6, 4));
  return r;
}

Result<ArpProbeResult> arp_probe(int ns_fd, std::string_view ifname, const IpAddress& target,
                                 std::chrono::milliseconds timeout) {
  if (!target.is_v4()) return fail(Error::input("arp: '" + target.to_string() + "' is not an IPv4 address"));
  if (timeout < std::chrono::milliseconds(1) || timeout > std::chrono::hours(1))
    return fail(Error::input("arp: --timeout must be between 0.001 and 3600 seconds"));

  Iface iface;
  UniqueFd fd;
  {
    auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
    iface = SW_TRY(query_iface(ifname));
    fd.reset(::socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP)));
    if (!fd) return fail_errno(errno, "arp: packet socket (needs root or CAP_NET_RAW)");
    SW_TRY_VOID(guard.leave());
  }
  sockaddr_ll me{};
  me.sll_family = AF_PACKET;
  me.sll_protocol = htons(ETH_P_ARP);
  me.sll_ifindex = iface.index;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&me), sizeof me) != 0) return fail_errno(errno, "arp: bind");

  sockaddr_ll bcast = me;
  bcast.sll_halen = 6;
  std::memset(bcast.sll_addr, 0xff, 6);
  const auto request = build_arp_request(iface.mac, iface.ip, target);

  ArpProbeResult r;
  r.ifname = std::string(ifname);
  r.target = target;
  r.source = iface.ip;
  const auto start = Clock::now();
  const auto deadline = start + timeout;
  auto next_send = start;
  std::byte buf[1500];
  for (;;) {
    auto now = Clock::now();
    if (now >= deadline) break;
    if (now >= next_send) {
      if (::sendto(fd.get(), request.data(), request.size(), 0, reinterpret_cast<sockaddr*>(&bcast), sizeof bcast) < 0) {
        const int err = errno;
        if (err == ENETDOWN) return fail(Error::failed("interface '" + r.ifname + "' is down"));
        return fail_errno(err, "arp: send on '" + r.ifname + "'");
      }
      ++r.requests;
      next_send += kResend;
    }
    const auto wake = std::min(deadline, next_send);
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(std::max(wake - Clock::now(), Clock::duration::zero()));
    pollfd p{fd.get(), POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(wait.count()));
    if (rc < 0 && errno != EINTR) return fail_errno(errno, "arp: poll");
    if (rc <= 0) continue;
    for (;;) {
      const ssize_t n = ::recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      auto reply = parse_arp_reply(std::span<const std::byte>(buf, static_cast<std::size_t>(n)));
      if (!reply || reply->sender_ip != target) continue;
      r.answered = true;
      r.mac = format_lladdr(std::as_bytes(std::span(reply->sender_mac)));
      r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      return r;
    }
  }
  r.elapsed_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return r;
}

void to_json(nlohmann::json& j, const ArpProbeResult& r) {
  j = nlohmann::json{{"interface", r.ifname}, {"target", r.target}, {"source", r.source},
                     {"answered", r.answered}, {"mac", r.mac},       {"elapsed_ms", r.elapsed_ms},
                     {"requests", r.requests}};
}

void from_json(const nlohmann::json& j, ArpProbeResult& r) {
  using namespace json_util;
  j.at("interface").get_to(r.ifname);
  j.at("target").get_to(r.target);
  get_or(j, "source", r.source);
  j.at("answered").get_to(r.answered);
  get_or(j, "mac", r.mac);
  j.at("elapsed_ms").get_to(r.elapsed_ms);
  get_or(j, "requests", r.requests);
}

}  // namespace sw::netprobe
