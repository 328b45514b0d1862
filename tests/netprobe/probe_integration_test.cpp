// Probes from inside a namespace, across real veth pairs: ICMP (answered, silent, too big locally and
// on the path behind a router, many targets at once), TCP (open, refused, silent, blackholed) and
// ARP (answered, unanswered, unknown interface).
#include <gtest/gtest.h>

#include <chrono>

#include "netprobe/arp_probe.h"
#include "netprobe/icmp_probe.h"
#include "netprobe/netns.h"
#include "netprobe/tcp_probe.h"
#include "tests/netprobe/two_netns.h"

namespace sw::netprobe {
namespace {

using std::chrono::milliseconds;

IpAddress ip(const char* s) { return *IpAddress::parse(s); }

std::uint64_t current_inode() { return netns_id(open_current_netns()->get())->inode; }

class ProbeIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::is_root()) return;
    t_ = new test::TwoNetns();
    t_->a.exec_ok("ip route add blackhole 10.66.0.0/16 && ip route add unreachable 10.67.0.0/16");
    listener_ = test::tcp_listener(t_->b, 8080).release();
  }
  static void TearDownTestSuite() {
    delete listener_;
    delete t_;
    listener_ = nullptr;
    t_ = nullptr;
  }
  void SetUp() override { SW_REQUIRE_ROOT(); }

  static test::TwoNetns* t_;
  static test::BackgroundProcess* listener_;
};
test::TwoNetns* ProbeIntegration::t_ = nullptr;
test::BackgroundProcess* ProbeIntegration::listener_ = nullptr;

TEST_F(ProbeIntegration, PingAcrossTheVethV4AndV6) {
  const auto home = current_inode();
  auto fd = t_->fd_a();
  PingOptions o;
  o.count = 3;
  o.interval = milliseconds(50);
  const std::vector<IpAddress> targets{ip("10.77.0.2"), ip("fd77::2")};
  auto rep = ping(fd.get(), targets, o);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_EQ(current_inode(), home);  // the guard was left
  ASSERT_EQ(rep->targets.size(), 2u);
  for (const auto& t : rep->targets) {
    SCOPED_TRACE(t.target.to_string());
    EXPECT_EQ(t.status, PingStatus::answered) << t.detail;
    EXPECT_EQ(t.transmitted, 3);
    EXPECT_EQ(t.received, 3);
    EXPECT_EQ(t.loss_percent(), 0.0);
    ASSERT_TRUE(t.rtt_min_ms && t.rtt_avg_ms && t.rtt_max_ms);
    EXPECT_GT(*t.rtt_min_ms, 0.0);
    EXPECT_LE(*t.rtt_min_ms, *t.rtt_avg_ms);
    EXPECT_LE(*t.rtt_avg_ms, *t.rtt_max_ms);
    EXPECT_LT(*t.rtt_max_ms, 100.0);
    EXPECT_EQ(t.ttl, 64);
  }
  EXPECT_TRUE(rep->all_answered());
  // Three echoes 50 ms apart: done in about 100 ms, nowhere near the 1 s timeout.
  EXPECT_LT(rep->elapsed_ms, 900.0);
}

TEST_F(ProbeIntegration, SilentAddressTimesOutInBoundedTime) {
  auto fd = t_->fd_a();
  PingOptions o;
  o.count = 1;
  o.timeout = milliseconds(700);
  const std::vector<IpAddress> targets{ip("10.77.0.99")};
  const auto start = std::chrono::steady_clock::now();
  auto rep = ping(fd.get(), targets, o);
  const double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(rep);
  const auto& t = rep->targets[0];
  EXPECT_EQ(t.status, PingStatus::timeout);
  EXPECT_EQ(t.transmitted, 1);
  EXPECT_EQ(t.received, 0);
  EXPECT_EQ(t.loss_percent(), 100.0);
  EXPECT_FALSE(t.rtt_avg_ms);
  EXPECT_GE(took, 690.0);
  EXPECT_LT(took, 1200.0);
}

TEST_F(ProbeIntegration, ManySilentTargetsTakeOneTimeoutNotMany) {
  // 300 addresses of a /22 that nobody holds: each one needs ARP, none answers. (The kernel's
  // neighbour table is shared by every namespace on the machine, so the test stays well below it.)
  test::TempNetns c("many");
  test::sh_ok("ip -n " + test::shq(c.name()) + " link add vm type veth peer name vn netns " + test::shq(t_->b.name()));
  c.exec_ok("ip link set vm up && ip addr add 10.88.0.1/22 dev vm");
  t_->b.exec_ok("ip link set vn up");
  std::vector<IpAddress> targets;
  for (int i = 0; i < 300; ++i) targets.push_back(IpAddress::v4((10u << 24) | (88u << 16) | static_cast<unsigned>(2 + i)));
  auto fd = UniqueFd(::open(c.path().c_str(), O_RDONLY | O_CLOEXEC));
  PingOptions o;
  o.count = 1;
  o.timeout = milliseconds(1000);
  auto rep = ping(fd.get(), targets, o);
  ASSERT_TRUE(rep) << rep.error().message();
  EXPECT_LT(rep->elapsed_ms, 1600.0);
  int sent = 0;
  for (const auto& t : rep->targets) {
    EXPECT_EQ(t.received, 0);
    EXPECT_TRUE(t.status == PingStatus::timeout || t.status == PingStatus::send_error) << t.detail;
    sent += t.transmitted;
  }
  // Unless something else on the machine filled the shared neighbour table, every echo left.
  EXPECT_GT(sent, 250);
}

TEST_F(ProbeIntegration, DontFragmentAboveTheLocalMtuFailsDistinctly) {
  t_->a.exec_ok("ip link set va mtu 1400");
  t_->b.exec_ok("ip link set vb mtu 1400");
  auto fd = t_->fd_a();
  PingOptions o;
  o.count = 1;
  o.size = 1400;  // 1428 bytes on the wire
  o.dont_fragment = true;
  const std::vector<IpAddress> targets{ip("10.77.0.2")};
  auto df = ping(fd.get(), targets, o);
  o.dont_fragment = false;
  auto frag = ping(fd.get(), targets, o);
  o.dont_fragment = true;
  o.size = 1372;  // exactly 1400 on the wire
  auto fits = ping(fd.get(), targets, o);
  t_->a.exec_ok("ip link set va mtu 1500");
  t_->b.exec_ok("ip link set vb mtu 1500");
  ASSERT_TRUE(df && frag && fits);
  EXPECT_EQ(df->targets[0].status, PingStatus::too_big);
  EXPECT_EQ(df->targets[0].mtu, 1400u);
  EXPECT_NE(df->targets[0].detail.find("message too long"), std::string::npos) << df->targets[0].detail;
  EXPECT_EQ(frag->targets[0].status, PingStatus::answered) << frag->targets[0].detail;
  EXPECT_EQ(fits->targets[0].status, PingStatus::answered) << fits->targets[0].detail;
}

TEST_F(ProbeIntegration, DontFragmentAboveThePathMtuBehindARouter) {
  // a —— b (router) ——[mtu 1280]—— c
  test::TempNetns c("pmtu");
  test::sh_ok("ip -n " + test::shq(t_->b.name()) + " link add vc type veth peer name vd netns " + test::shq(c.name()));
  t_->b.exec_ok("ip link set vc mtu 1280 up && ip addr add 10.78.0.1/24 dev vc && sysctl -qw net.ipv4.ip_forward=1");
  c.exec_ok("ip link set vd mtu 1280 up && ip addr add 10.78.0.2/24 dev vd && ip route add default via 10.78.0.1");
  t_->a.exec_ok("ip route replace 10.78.0.0/24 via 10.77.0.2");
  auto fd = t_->fd_a();
  PingOptions o;
  o.count = 1;
  o.size = 1400;
  const std::vector<IpAddress> targets{ip("10.78.0.2")};
  o.dont_fragment = false;
  auto frag = ping(fd.get(), targets, o);  // b fragments for us
  o.dont_fragment = true;
  auto df = ping(fd.get(), targets, o);    // b says "fragmentation needed, mtu 1280"
  auto again = ping(fd.get(), targets, o); // a now knows the path MTU: refused locally
  t_->a.exec_ok("ip route del 10.78.0.0/24; ip route flush cache");
  ASSERT_TRUE(frag && df && again);
  EXPECT_EQ(frag->targets[0].status, PingStatus::answered) << frag->targets[0].detail;
  EXPECT_EQ(df->targets[0].status, PingStatus::too_big);
  EXPECT_EQ(df->targets[0].mtu, 1280u);
  EXPECT_NE(df->targets[0].detail.find("from 10.77.0.2"), std::string::npos) << df->targets[0].detail;
  EXPECT_EQ(again->targets[0].status, PingStatus::too_big);
  EXPECT_EQ(again->targets[0].mtu, 1280u);
}

TEST_F(ProbeIntegration, PingBlackholeAndUnreachableRoutesFailAtOnce) {
  auto fd = t_->fd_a();
  PingOptions o;
  o.count = 1;
  const std::vector<IpAddress> targets{ip("10.66.0.1"), ip("10.67.0.1"), ip("192.0.2.1")};
  auto rep = ping(fd.get(), targets, o);
  ASSERT_TRUE(rep);
  for (const auto& t : rep->targets) {
    EXPECT_EQ(t.status, PingStatus::unreachable) << t.target.to_string() << ": " << t.detail;
    EXPECT_EQ(t.transmitted, 0);
  }
  EXPECT_LT(rep->elapsed_ms, 300.0);  // nothing to wait for
}

TEST_F(ProbeIntegration, TcpOpenRefusedSilentAndBlackholed) {
  auto fd = t_->fd_a();
  auto open = tcp_probe(fd.get(), {ip("10.77.0.2"), 8080}, milliseconds(2000));
  auto refused = tcp_probe(fd.get(), {ip("10.77.0.2"), 9}, milliseconds(2000));
  // An address nothing else in this suite touched: a neighbour entry that already failed would
  // answer EHOSTUNREACH (correctly "unreachable") instead of letting the connect time out.
  auto silent = tcp_probe(fd.get(), {ip("10.77.0.98"), 80}, milliseconds(800));
  auto blackholed = tcp_probe(fd.get(), {ip("10.66.0.1"), 80}, milliseconds(2000));
  auto v6refused = tcp_probe(fd.get(), {ip("fd77::2"), 9}, milliseconds(2000));
  ASSERT_TRUE(open && refused && silent && blackholed && v6refused);
  EXPECT_EQ(open->status, TcpStatus::open) << open->detail;
  EXPECT_LT(open->elapsed_ms, 500.0);
  EXPECT_EQ(refused->status, TcpStatus::refused) << refused->detail;
  EXPECT_EQ(refused->detail, "Connection refused");
  EXPECT_EQ(silent->status, TcpStatus::timeout);
  EXPECT_GE(silent->elapsed_ms, 790.0);
  EXPECT_LT(silent->elapsed_ms, 1300.0);
  EXPECT_EQ(blackholed->status, TcpStatus::unreachable) << blackholed->detail;
  EXPECT_LT(blackholed->elapsed_ms, 100.0);
  EXPECT_EQ(v6refused->status, TcpStatus::refused) << v6refused->detail;
}

TEST_F(ProbeIntegration, ArpAnsweredUnansweredAndUnknownInterface) {
  auto fd = t_->fd_a();
  const std::string vb_mac = t_->b.exec_ok("cat /sys/class/net/vb/address").substr(0, 17);
  auto yes = arp_probe(fd.get(), "va", ip("10.77.0.2"), milliseconds(1000));
  ASSERT_TRUE(yes) << yes.error().message();
  EXPECT_TRUE(yes->answered);
  EXPECT_EQ(yes->mac, vb_mac);
  EXPECT_EQ(yes->source.to_string(), "10.77.0.1");
  EXPECT_LT(yes->elapsed_ms, 500.0);

  const auto start = std::chrono::steady_clock::now();
  auto no = arp_probe(fd.get(), "va", ip("10.77.0.99"), milliseconds(600));
  const double took = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(no);
  EXPECT_FALSE(no->answered);
  EXPECT_EQ(no->mac, "");
  EXPECT_EQ(no->requests, 1);
  EXPECT_GE(took, 590.0);
  EXPECT_LT(took, 1000.0);

  auto unknown = arp_probe(fd.get(), "eth-nope", ip("10.77.0.2"), milliseconds(200));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(unknown.error().message(), "interface 'eth-nope' does not exist");

  auto lo = arp_probe(fd.get(), "lo", ip("127.0.0.1"), milliseconds(200));
  ASSERT_FALSE(lo);
  EXPECT_EQ(lo.error().kind(), ErrorKind::input);
}

}  // namespace
}  // namespace sw::netprobe
