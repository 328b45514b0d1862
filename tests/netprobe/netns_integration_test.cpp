// Namespaces on the real kernel: listing as `ip netns list` does, opening by name, path and pid,
// identifying a process's namespace, and NetnsGuard's promise — the thread always comes back, even
// when the work inside fails — and what /proc resolves against while inside.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "netprobe/netns.h"
#include "netprobe/sysctl.h"
#include "tests/netprobe/two_netns.h"
#include "tests/support/system.h"

namespace sw::netprobe {
namespace {

using test::sh_ok;
using test::shq;

std::uint64_t current_inode() {
  auto fd = open_current_netns();
  EXPECT_TRUE(fd);
  return fd ? netns_id(fd->get())->inode : 0;
}

std::uint64_t stat_inode(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_ino;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NetnsIntegration, ListAgreesWithIpNetnsList) {
  SW_REQUIRE_ROOT();
  test::TwoNetns t;  // the veth between them gives each an nsid for the other — not for us
  auto list = list_netns();
  ASSERT_TRUE(list) << list.error().message();
  // `ip netns list` prints "NAME" or "NAME (id: N)".
  const std::string ip_out = sh_ok("ip netns list");
  for (const auto* ns : {&t.a, &t.b}) {
    const auto it = std::find_if(list->begin(), list->end(), [&](const NetnsEntry& e) { return e.name == ns->name(); });
    ASSERT_NE(it, list->end()) << ns->name();
    EXPECT_EQ(it->inode, stat_inode(ns->path()));
    std::smatch m;
    const std::regex line("(^|\n)" + ns->name() + "( \\(id: ([0-9]+)\\))?\n");
    ASSERT_TRUE(std::regex_search(ip_out, m, line)) << ip_out;
    if (m[3].matched) {
      EXPECT_EQ(it->nsid, std::stoi(m[3].str()));
    } else {
      EXPECT_FALSE(it->nsid);
    }
  }
  EXPECT_TRUE(std::is_sorted(list->begin(), list->end(), [](auto& x, auto& y) { return x.name < y.name; }));
}

TEST(NetnsIntegration, OpenByNamePathAndPidAndIdentify) {
  SW_REQUIRE_ROOT();
  test::TempNetns ns("id");
  test::BackgroundProcess sleeper({"sleep", "60"}, ns.name());
  // ip netns exec enters the namespace, then execs sleep: wait (bounded) for the exec.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (slurp("/proc/" + std::to_string(sleeper.pid()) + "/comm") != "sleep\n" &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));

  auto by_name = open_netns(*NetnsRef::parse(ns.name()));
  auto by_path = open_netns(*NetnsRef::parse(ns.path()));
  auto by_pid = open_netns(NetnsRef::pid(sleeper.pid()));
  ASSERT_TRUE(by_name && by_path && by_pid);
  const auto inode = stat_inode(ns.path());
  EXPECT_EQ(netns_id(by_name->get())->inode, inode);
  EXPECT_EQ(netns_id(by_path->get())->inode, inode);
  EXPECT_EQ(netns_id(by_pid->get())->inode, inode);

  auto who = identify_pid(sleeper.pid());
  ASSERT_TRUE(who);
  EXPECT_EQ(who->inode, inode);
  EXPECT_EQ(who->names, std::vector<std::string>{ns.name()});
  // Ground truth: ip netns identify PID.
  EXPECT_EQ(sh_ok("ip netns identify " + std::to_string(sleeper.pid())), ns.name() + "\n");

  // Our own namespace has no /run/netns name here.
  auto self = identify_pid(::getpid());
  ASSERT_TRUE(self);
  EXPECT_EQ(self->inode, current_inode());

  auto gone = open_netns(NetnsRef::pid(pid_t{0x3ffffff0}));
  ASSERT_FALSE(gone);
  EXPECT_EQ(gone.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(gone.error().message(), "netns of pid 1073741808: no such process");
}

TEST(NetnsIntegration, UnmountedLeftoverInRunNetnsIsNotANamespace) {
  SW_REQUIRE_ROOT();
  const std::string name = test::unique_name("stale");
  const std::string path = std::string(kNetnsRunDir) + "/" + name;
  sh_ok("mkdir -p /run/netns && touch " + shq(path));
  auto r = open_netns(*NetnsRef::parse(name));
  sh_ok("rm -f " + shq(path));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::input);
  EXPECT_NE(r.error().message().find("no longer mounted"), std::string::npos) << r.error().message();
}

TEST(NetnsIntegration, GuardEntersAndRestores) {
  SW_REQUIRE_ROOT();
  test::TempNetns ns("g");
  const auto home = current_inode();
  auto fd = open_netns(*NetnsRef::parse(ns.name()));
  ASSERT_TRUE(fd);
  {
    auto g = NetnsGuard::enter(fd->get());
    ASSERT_TRUE(g) << g.error().message();
    EXPECT_EQ(current_inode(), stat_inode(ns.path()));
    // Moving the guard moves the duty to restore; the moved-from one does nothing.
    NetnsGuard moved(std::move(*g));
    EXPECT_EQ(current_inode(), stat_inode(ns.path()));
  }
  EXPECT_EQ(current_inode(), home);
}

// A function that enters a namespace and then fails half-way, the way real code does.
Result<int> enter_then_fail(int ns_fd) {
  auto guard = SW_TRY(NetnsGuard::enter(ns_fd));
  SW_TRY(open_netns(*NetnsRef::parse("stackwire-no-such-ns-for-the-guard-test")));
  return 0;
}

TEST(NetnsIntegration, GuardRestoresAfterAnError) {
  SW_REQUIRE_ROOT();
  test::TempNetns ns("err");
  const auto home = current_inode();
  auto fd = open_netns(*NetnsRef::parse(ns.name()));
  ASSERT_TRUE(fd);
  auto r = enter_then_fail(fd->get());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind(), ErrorKind::not_found);
  EXPECT_EQ(current_inode(), home);

  // Entering something that is not a namespace fails and leaves the thread where it was.
  UniqueFd not_ns(::open("/etc/hostname", O_RDONLY | O_CLOEXEC));
  auto bad = NetnsGuard::enter(not_ns.get());
  EXPECT_FALSE(bad);
  EXPECT_EQ(current_inode(), home);
}

TEST(NetnsIntegration, GuardIsPerThread) {
  SW_REQUIRE_ROOT();
  test::TempNetns ns("thr");
  const auto home = current_inode();
  auto fd = open_netns(*NetnsRef::parse(ns.name()));
  ASSERT_TRUE(fd);
  std::uint64_t inside = 0, main_while_inside = 0, after = 0;
  std::atomic<int> step{0};
  std::thread worker([&] {
    auto g = NetnsGuard::enter(fd->get());
    if (!g) return;
    inside = current_inode();
    step = 1;
    while (step != 2) std::this_thread::yield();
    g->leave().value();
    after = current_inode();
  });
  while (step != 1) std::this_thread::yield();
  main_while_inside = current_inode();
  step = 2;
  worker.join();
  EXPECT_EQ(inside, stat_inode(ns.path()));
  EXPECT_EQ(main_while_inside, home);
  EXPECT_EQ(after, home);
}

// /proc/sys/net is resolved against the namespace of the thread that opens the file; /proc/self/net
// follows the process (its main thread), /proc/thread-self/net the thread. netprobe relies on the
// first and avoids the second; this test pins both facts on the running kernel.
TEST(NetnsIntegration, ProcSysNetFollowsTheOpeningThread) {
  SW_REQUIRE_ROOT();
  test::TwoNetns t;
  t.a.exec_ok("sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.va.rp_filter=2");
  t.b.exec_ok("sysctl -qw net.ipv4.ip_forward=0 net.ipv4.conf.vb.rp_filter=1");
  auto fa = t.fd_a(), fb = t.fd_b();
  std::string a_fwd, b_fwd, a_rp, thread_dev, self_dev;
  std::thread worker([&] {
    a_fwd = read_proc_sysctl(fa.get(), "net.ipv4.ip_forward").value_or("?");
    b_fwd = read_proc_sysctl(fb.get(), "net.ipv4.ip_forward").value_or("?");
    a_rp = read_proc_sysctl(fa.get(), "net.ipv4.conf.va.rp_filter").value_or("?");
    auto g = NetnsGuard::enter(fa.get());
    if (!g) return;
    thread_dev = slurp("/proc/thread-self/net/dev");
    self_dev = slurp("/proc/self/net/dev");
  });
  worker.join();
  EXPECT_EQ(a_fwd, "1");
  EXPECT_EQ(b_fwd, "0");
  EXPECT_EQ(a_rp, "2");
  EXPECT_NE(thread_dev.find("va:"), std::string::npos) << thread_dev;
  EXPECT_EQ(self_dev.find("va:"), std::string::npos) << "/proc/self/net followed the thread?\n" << self_dev;
  // Outside the guard, the same sysctl path is not there at all (va lives in a).
  auto home = read_proc_sysctl(-1, "net.ipv4.conf.va.rp_filter");
  EXPECT_FALSE(home);
}

}  // namespace
}  // namespace sw::netprobe
