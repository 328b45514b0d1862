// The ssh transport against a real OpenSSH sshd in a throwaway namespace (tests/support/sshd.h).
// Every client call runs on a thread inside that namespace; nothing touches the root namespace.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "common/unique_fd.h"
#include "installer/known_hosts.h"
#include "installer/ssh_session.h"
#include "tests/support/sshd.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::Sshd;

// A namespace, a temp dir and an sshd listening in it on 127.0.0.1:22.
struct Lab {
  test::TempNetns ns{"ssh"};
  test::TempDir dir{"ssh"};
  Sshd sshd{ns, dir.path()};
};

SshTarget target_of(const Sshd& d) {
  SshTarget t;
  t.host = d.address();
  t.port = d.port();
  t.identity = d.user_key();
  return t;
}

SshOptions options_of(const Sshd& d, bool accept_new = false) {
  SshOptions o;
  o.known_hosts = d.known_hosts();
  o.accept_new_host_keys = accept_new;
  o.connect_timeout = 5s;
  return o;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

double ms_since(Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); }

// "[s]wt123-4-x": a pgrep pattern that matches the marker but not the pgrep's own shell.
std::string pgrep_pattern(const std::string& marker) { return "[" + marker.substr(0, 1) + "]" + marker.substr(1); }

TEST(SshIntegration, ExecReportsStatusStreamsSignalsAndInput) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_TRUE(s.has_value()) << s.error().message() << "\n" << lab.sshd.log();
    EXPECT_EQ(s->host_key_fingerprint(), lab.sshd.host_key_fingerprint());
    EXPECT_EQ(s->host_key_type(), "ssh-ed25519");

    auto ok = s->exec("echo out; echo err >&2");
    ASSERT_TRUE(ok.has_value()) << ok.error().message();
    EXPECT_EQ(ok->exit_status, 0);
    EXPECT_EQ(ok->out, "out\n");
    EXPECT_EQ(ok->err, "err\n");

    auto three = s->exec("echo partial; exit 3");
    ASSERT_TRUE(three.has_value()) << three.error().message();
    EXPECT_EQ(three->exit_status, 3);
    EXPECT_EQ(three->out, "partial\n");

    auto killed = s->exec("kill -TERM $$");
    ASSERT_TRUE(killed.has_value()) << killed.error().message();
    EXPECT_EQ(killed->signal, "TERM");
    EXPECT_EQ(killed->exit_status, -1);

    RunOptions in;
    in.input = std::string("line one\n\0binary\xff", 17);
    auto cat = s->exec("cat", in);
    ASSERT_TRUE(cat.has_value()) << cat.error().message();
    EXPECT_EQ(cat->out, in.input);

    // Figures: connect (TCP + handshake + host key + auth) and a round trip per command.
    const int n = 50;
    const auto start = Clock::now();
    for (int i = 0; i < n; ++i) {
      auto r = s->exec("true");
      ASSERT_TRUE(r.has_value()) << r.error().message();
    }
    const double per_cmd = ms_since(start) / n;
    std::printf("[ figures  ] connect+auth %lld ms; per command (exec 'true', new channel) %.2f ms\n",
                static_cast<long long>(s->connect_duration().count()), per_cmd);
    ::testing::Test::RecordProperty("connect_ms", std::to_string(s->connect_duration().count()));
    ::testing::Test::RecordProperty("per_command_ms", std::to_string(per_cmd));
  });
}

TEST(SshIntegration, FiftyMegabytesOnBothStreamsWithoutDeadlock) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    // Interleaved: 1 MiB to stdout, 200 KiB to stderr, 50 times; a reader that drained only one
    // stream would stall on the other's full window.
    const std::string cmd =
        "i=0; while [ $i -lt 50 ]; do head -c 1048576 /dev/zero | tr '\\0' o; "
        "head -c 204800 /dev/zero | tr '\\0' e >&2; i=$((i+1)); done; printf END";
    RunOptions all;
    all.timeout = 60s;
    all.output_cap = size_t{64} << 20;
    const auto start = Clock::now();
    auto r = s->exec(cmd, all);
    const double took = ms_since(start);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->exit_status, 0);
    EXPECT_EQ(r->out_bytes, 50u * 1048576 + 3);
    EXPECT_EQ(r->out.size(), 50u * 1048576 + 3);
    EXPECT_EQ(r->err_bytes, 50u * 204800);
    EXPECT_EQ(r->out.find_first_not_of('o'), 50u * 1048576);
    EXPECT_FALSE(r->out_truncated());
    std::printf("[ figures  ] 50 MiB stdout + 10 MiB stderr in %.0f ms (%.0f MiB/s)\n", took, 60.0 / (took / 1000));

    RunOptions capped;
    capped.timeout = 60s;
    capped.output_cap = 1 << 20;
    auto c = s->exec(cmd, capped);
    ASSERT_TRUE(c.has_value()) << c.error().message();
    EXPECT_TRUE(c->out_truncated());
    EXPECT_TRUE(c->err_truncated());
    EXPECT_EQ(c->out.size(), 1u << 20);
    EXPECT_EQ(c->out_bytes, 50u * 1048576 + 3);
    EXPECT_EQ(c->out.substr(c->out.size() - 4), "oEND");
  });
}

TEST(SshIntegration, CommandTimeoutKillsTheCommandAndKeepsTheSession) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  const std::string marker = test::unique_name("hung");
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    RunOptions o;
    o.timeout = 1s;
    const auto start = Clock::now();
    auto r = s->exec("sleep 30; echo " + marker, o);
    const double took = ms_since(start);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), ErrorKind::timeout);
    EXPECT_EQ(r.error().message(), "host 127.0.0.1: command 'sleep 30; echo " + marker + "': timed out after 1 s");
    EXPECT_LT(took, 2000) << "the timeout took " << took << " ms";
    EXPECT_TRUE(s->usable());

    auto next = s->exec("echo again");
    ASSERT_TRUE(next.has_value()) << next.error().message();
    EXPECT_EQ(next->out, "again\n");
    std::printf("[ figures  ] 1 s command timeout reported after %.0f ms; session kept\n", took);
  });
  // The remote command was killed, not left running (sshd delivers the "signal" request).
  EXPECT_NE(test::sh("pgrep -f " + test::shq(pgrep_pattern(marker))).status, 0) << "remote command survived";
}

TEST(SshIntegration, ConnectTimeoutOnDroppedSynsAndSilentServers) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  // Inside the namespace only: SYNs to port 2222 vanish; 10.255.0.1 is blackholed.
  lab.ns.exec_ok("iptables -A INPUT -p tcp --dport 2222 -j DROP && ip route add blackhole 10.255.0.1");
  test::run_in_netns(lab.ns.path(), [&] {
    SshTarget t = target_of(lab.sshd);
    SshOptions o = options_of(lab.sshd);
    o.connect_timeout = 1s;

    t.port = 2222;
    auto start = Clock::now();
    auto dropped = SshSession::connect(t, o);
    double took = ms_since(start);
    ASSERT_FALSE(dropped.has_value());
    EXPECT_EQ(dropped.error().kind(), ErrorKind::timeout);
    EXPECT_EQ(dropped.error().message(), "host 127.0.0.1:2222: connect to 127.0.0.1 port 2222: timed out after 1 s");
    EXPECT_GT(took, 900);
    EXPECT_LT(took, 1600);

    t.host = "10.255.0.1";
    t.port = 22;
    start = Clock::now();
    auto blackholed = SshSession::connect(t, o);
    took = ms_since(start);
    ASSERT_FALSE(blackholed.has_value());
    EXPECT_EQ(blackholed.error().message().rfind("host 10.255.0.1: connect to 10.255.0.1 port 22: ", 0), 0u)
        << blackholed.error().message();
    EXPECT_LT(took, 1600);

    // A TCP listener that never speaks ssh: the handshake has the same bound.
    UniqueFd l(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(2200);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(l.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ASSERT_EQ(::listen(l.get(), 4), 0);
    t.host = "127.0.0.1";
    t.port = 2200;
    start = Clock::now();
    auto silent = SshSession::connect(t, o);
    took = ms_since(start);
    ASSERT_FALSE(silent.has_value());
    EXPECT_EQ(silent.error().kind(), ErrorKind::timeout);
    EXPECT_NE(silent.error().message().find("host 127.0.0.1:2200: ssh handshake: no answer within 1 s"),
              std::string::npos)
        << silent.error().message();
    EXPECT_LT(took, 1600);
  });
}

TEST(SshIntegration, UnknownHostKeyIsRefusedNamingHostTypeAndFingerprint) {
  SW_REQUIRE_ROOT();
  Lab lab;
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_FALSE(s.has_value());
    const std::string& m = s.error().message();
    EXPECT_EQ(m.rfind("host 127.0.0.1: host key: unknown host: 127.0.0.1 offered ssh-ed25519 key " +
                          lab.sshd.host_key_fingerprint(),
                      0),
              0u)
        << m;
    EXPECT_NE(m.find("--accept-new-host-keys"), std::string::npos) << m;
  });
  EXPECT_FALSE(exists(lab.sshd.known_hosts())) << "a refused key must not be recorded";
}

TEST(SshIntegration, AcceptNewRecordsTheKeyForOpenSshAndUs) {
  SW_REQUIRE_ROOT();
  Lab lab;
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd, /*accept_new=*/true));
    ASSERT_TRUE(s.has_value()) << s.error().message();
    auto again = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd, /*accept_new=*/false));
    ASSERT_TRUE(again.has_value()) << again.error().message();
  });
  struct stat st;
  ASSERT_EQ(::stat(lab.sshd.known_hosts().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(slurp(lab.sshd.known_hosts()), "127.0.0.1 " + lab.sshd.host_public_key() + "\n");
  // OpenSSH reads what we wrote.
  test::sh_ok("ssh-keygen -F 127.0.0.1 -f " + test::shq(lab.sshd.known_hosts()));
}

TEST(SshIntegration, ChangedHostKeyIsAlwaysRefused) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  const std::string old_fp = lab.sshd.host_key_fingerprint();
  const std::string before = slurp(lab.sshd.known_hosts());
  lab.sshd.stop();
  lab.sshd.regenerate_host_key();
  ASSERT_TRUE(lab.sshd.start());
  const std::string new_fp = lab.sshd.host_key_fingerprint();
  ASSERT_NE(old_fp, new_fp);
  test::run_in_netns(lab.ns.path(), [&] {
    auto s = SshSession::connect(target_of(lab.sshd), options_of(lab.sshd, /*accept_new=*/true));
    ASSERT_FALSE(s.has_value());
    const std::string& m = s.error().message();
    EXPECT_EQ(m.rfind("host 127.0.0.1: host key: CHANGED: ", 0), 0u) << m;
    EXPECT_NE(m.find("records ssh-ed25519 key " + old_fp + " for 127.0.0.1, but the host offered " + new_fp),
              std::string::npos)
        << m;
  });
  EXPECT_EQ(slurp(lab.sshd.known_hosts()), before) << "a changed key must never be recorded";
}

TEST(SshIntegration, HashedEntriesAndNonStandardPorts) {
  SW_REQUIRE_ROOT();
  Lab lab;
  test::TempDir dir2("ssh2");
  Sshd other(lab.ns, dir2.path(), "127.0.0.1", 2222);
  const std::string kh = lab.dir.path() + "/hashed_known_hosts";
  {
    std::ofstream f(kh);
    f << "127.0.0.1 " << lab.sshd.host_public_key() << "\n[127.0.0.1]:2222 " << other.host_public_key() << "\n";
  }
  test::sh_ok("ssh-keygen -H -f " + test::shq(kh) + " 2>/dev/null");
  ASSERT_EQ(slurp(kh).find("127.0.0.1"), std::string::npos) << "ssh-keygen -H did not hash";
  test::run_in_netns(lab.ns.path(), [&] {
    SshOptions o = options_of(lab.sshd);
    o.known_hosts = kh;
    auto a = SshSession::connect(target_of(lab.sshd), o);
    EXPECT_TRUE(a.has_value()) << a.error().message();
    SshTarget t2 = target_of(other);
    auto b = SshSession::connect(t2, o);
    ASSERT_TRUE(b.has_value()) << b.error().message();
    EXPECT_EQ(b->label(), "127.0.0.1:2222");
    EXPECT_EQ(b->exec("echo two")->out, "two\n");
  });
}

TEST(SshIntegration, RefusedUserKeyNamesUserHostAndKey) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  const std::string stranger = lab.dir.path() + "/id_stranger";
  test::sh_ok("ssh-keygen -q -t ed25519 -N '' -f " + test::shq(stranger));
  test::run_in_netns(lab.ns.path(), [&] {
    SshTarget t = target_of(lab.sshd);
    t.identity = stranger;
    auto s = SshSession::connect(t, options_of(lab.sshd));
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().message(),
              "host 127.0.0.1: auth as root: the server refused key " + stranger + " for root@127.0.0.1");
    t.identity = lab.dir.path() + "/no_such_key";
    auto missing = SshSession::connect(t, options_of(lab.sshd));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().kind(), ErrorKind::not_found);
    EXPECT_NE(missing.error().message().find("private key " + t.identity + ": No such file"), std::string::npos)
        << missing.error().message();
  });
}

TEST(SshIntegration, UploadIsAtomicWithModeAndContent) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  const std::string target_dir = lab.dir.path() + "/etc";
  ASSERT_EQ(::mkdir(target_dir.c_str(), 0755), 0);
  const std::string path = target_dir + "/it's a $(file)";
  std::string content(1 << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : content) c = char(rng());
  test::run_in_netns(lab.ns.path(), [&] {
    SshHostRunner runner(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_TRUE(runner.upload(path, "old\n").has_value());
    const int old_fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(old_fd, 0);
    auto up = runner.upload(path, content, {.mode = 0640});
    ASSERT_TRUE(up.has_value()) << up.error().message();
    char buf[8] = {};
    EXPECT_EQ(::pread(old_fd, buf, sizeof buf, 0), 4) << "the old file was rewritten in place";
    ::close(old_fd);

    auto bad = runner.upload(target_dir + "/missing/x.conf", "x");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().message().rfind("host 127.0.0.1: upload " + target_dir + "/missing/x.conf: ", 0), 0u)
        << bad.error().message();
    EXPECT_NE(bad.error().message().find("No such file or directory"), std::string::npos) << bad.error().message();
  });
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_uid, 0u);
  EXPECT_EQ(slurp(path), content);
  EXPECT_EQ(test::sh_ok("ls -A " + test::shq(target_dir)), "it's a $(file)\n") << "temp files left behind";
}

// libssh2 1.10 keeps one half-sent packet per session and fails every other packet with
// LIBSSH2_ERROR_BAD_USE until the call that started it finishes it; libssh2_keepalive_send even
// swallows its own EAGAIN and leaves its half-sent keepalive (in a stack buffer) pending for good.
// A fresh lab's deploy hit it: the network host's session sat idle past the keepalive interval,
// its 40 KB manifest filled the socket while the busy host was slow to read, and the channel close
// failed with "Unable to send close-channel request". Here the host stops reading (its sshd
// sessions are frozen) while input larger than the namespace's small socket buffers is on its way
// and a keepalive falls due; then input and output flow at once, so that the output's window
// adjustments meet half-sent input (without the fix: "Unable to send transfer-window adjustment").
TEST(SshIntegration, AHostTooBusyToReadNeverWedgesTheSession) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  const std::string path = lab.dir.path() + "/big";
  std::string content(4 << 20, '\0');
  std::mt19937 rng(11);
  for (char& c : content) c = char(rng());
  test::run_in_netns(lab.ns.path(), [&] {
    // Socket buffers as small as a fresh connection's on a veth with a 1500-byte MTU, so that the
    // socket fills before sshd's 2 MiB channel window does (these sysctls are per namespace).
    for (const auto& [key, value] : {std::pair{"tcp_rmem", "4096 16384 16384"}, std::pair{"tcp_wmem", "4096 8192 8192"}}) {
      std::ofstream f(std::string("/proc/sys/net/ipv4/") + key);
      f << value << "\n";
      ASSERT_TRUE(f.flush()) << key;
    }
    auto o = options_of(lab.sshd);
    o.keepalive = 1s;
    SshHostRunner runner(target_of(lab.sshd), o);
    // Sizes around the socket buffers, so that some rounds end with the socket full just as the
    // input and its EOF are out (the deploy's case) and others stall half-way through the input.
    for (size_t size : {size_t(48) << 10, size_t(200) << 10, size_t(1) << 20, content.size()}) {
      const std::string_view part(content.data(), size);
      ASSERT_TRUE(runner.run("true").has_value());
      std::this_thread::sleep_for(1100ms);  // a keepalive is due at the first pause
      std::thread busy([&] {
        std::this_thread::sleep_for(150ms);
        lab.sshd.freeze_sessions(true);
        std::this_thread::sleep_for(1500ms);
        lab.sshd.freeze_sessions(false);
      });
      RunOptions slow;
      slow.timeout = 60s;
      slow.input.assign(part);
      auto r = runner.run("sleep 0.1; wc -c", slow);
      busy.join();
      ASSERT_TRUE(r.has_value()) << size << " bytes: " << r.error().message();
      EXPECT_EQ(r->out, std::to_string(size) + "\n");

      std::this_thread::sleep_for(1100ms);
      std::thread busy2([&] {
        std::this_thread::sleep_for(150ms);
        lab.sshd.freeze_sessions(true);
        std::this_thread::sleep_for(1500ms);
        lab.sshd.freeze_sessions(false);
      });
      auto up = runner.upload(path, part);
      busy2.join();
      ASSERT_TRUE(up.has_value()) << size << " bytes: " << up.error().message();
      EXPECT_EQ(slurp(path), part);
    }
    // Input and output at once through the small buffers: window adjustments for the output meet
    // half-sent input packets.
    std::string doubled = content + content;
    RunOptions echo;
    echo.timeout = 60s;
    echo.input = doubled;
    echo.output_cap = 1024;
    auto r = runner.run("cat; cat /dev/null >&2", echo);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->out_bytes, doubled.size());
    EXPECT_TRUE(r->ok());
  });
}

TEST(SshIntegration, KilledSshdMidCommandIsAClearErrorAndTheRunnerReconnects) {
  SW_REQUIRE_ROOT();
  Lab lab;
  lab.sshd.trust_host_key();
  test::run_in_netns(lab.ns.path(), [&] {
    SshHostRunner runner(target_of(lab.sshd), options_of(lab.sshd));
    ASSERT_TRUE(runner.run("true").has_value());
    std::thread killer([&] {
      std::this_thread::sleep_for(300ms);
      lab.sshd.kill_all();
    });
    RunOptions o;
    o.timeout = 30s;
    const auto start = Clock::now();
    auto r = runner.run("sleep 20", o);
    const double took = ms_since(start);
    killer.join();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message().rfind("host 127.0.0.1: command 'sleep 20': connection lost", 0), 0u)
        << r.error().message();
    EXPECT_LT(took, 2000);

    auto down = runner.run("true");
    ASSERT_FALSE(down.has_value());
    EXPECT_EQ(down.error().message(), "host 127.0.0.1: connect to 127.0.0.1 port 22: Connection refused");

    ASSERT_TRUE(lab.sshd.start());
    auto back = runner.run("echo back");
    ASSERT_TRUE(back.has_value()) << back.error().message();
    EXPECT_EQ(back->out, "back\n");

    // The host restarts while the session is idle: the next command notices before anything ran
    // and goes through on a fresh connection.
    lab.sshd.kill_all();
    ASSERT_TRUE(lab.sshd.start());
    auto after_idle = runner.run("echo fresh");
    ASSERT_TRUE(after_idle.has_value()) << after_idle.error().message();
    EXPECT_EQ(after_idle->out, "fresh\n");
  });
}

TEST(SshIntegration, TwoHostsInParallelFromTwoThreads) {
  SW_REQUIRE_ROOT();
  Lab lab;
  test::TempDir dir2("ssh2");
  Sshd second(lab.ns, dir2.path(), "127.0.0.2", 22);
  lab.sshd.trust_host_key();
  second.trust_host_key();
  SshHostRunner a(target_of(lab.sshd), options_of(lab.sshd));
  SshHostRunner b(target_of(second), options_of(second));
  for (auto* r : {&a, &b})
    test::run_in_netns(lab.ns.path(), [&] { ASSERT_TRUE(r->connect().has_value()); });
  std::optional<Result<CommandResult>> ra, rb;
  const auto start = Clock::now();
  std::thread ta([&] { test::run_in_netns(lab.ns.path(), [&] { ra = a.run("sleep 1; hostname -I; echo a"); }); });
  std::thread tb([&] { test::run_in_netns(lab.ns.path(), [&] { rb = b.run("sleep 1; echo b"); }); });
  ta.join();
  tb.join();
  const double took = ms_since(start);
  ASSERT_TRUE(ra && ra->has_value()) << (ra ? ra->error().message() : "no result");
  ASSERT_TRUE(rb && rb->has_value()) << (rb ? rb->error().message() : "no result");
  EXPECT_TRUE((*ra)->out.ends_with("a\n"));
  EXPECT_EQ((*rb)->out, "b\n");
  EXPECT_LT(took, 1800) << "two 1 s commands on two hosts did not overlap";
}

}  // namespace
}  // namespace sw::installer
