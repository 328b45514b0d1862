// LocalRunner against /bin/sh on this machine, and the FakeHostRunner other tests rely on.
#include "installer/host_runner.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "common/log.h"
#include "tests/installer/fake_host_runner.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string read_file(const std::string& p) { return test::sh_ok("cat " + test::shq(p)); }

TEST(OutputTail, KeepsTheLastBytesAndCountsAll) {
  OutputTail t(4);
  t.append("abc");
  t.append("defgh");
  t.append("ij");
  EXPECT_EQ(t.total(), 10u);
  EXPECT_EQ(t.take(), "ghij");
  OutputTail none(0);
  none.append("abc");
  EXPECT_EQ(none.total(), 3u);
  EXPECT_EQ(none.take(), "");
}

TEST(LocalRunner, ExitStatusAndSeparateStreams) {
  LocalRunner r;
  auto ok = r.run("echo out; echo err >&2");
  ASSERT_TRUE(ok.has_value()) << ok.error().message();
  EXPECT_TRUE(ok->ok());
  EXPECT_EQ(ok->out, "out\n");
  EXPECT_EQ(ok->err, "err\n");
  auto three = r.run("exit 3");
  ASSERT_TRUE(three.has_value());
  EXPECT_EQ(three->exit_status, 3);
  EXPECT_EQ(three->status_text(), "exit status 3");
  auto killed = r.run("kill -TERM $$");
  ASSERT_TRUE(killed.has_value());
  EXPECT_EQ(killed->signal, "TERM");
  EXPECT_EQ(killed->status_text(), "killed by signal TERM");
  EXPECT_FALSE(killed->ok());
}

TEST(LocalRunner, FeedsInput) {
  LocalRunner r;
  RunOptions o;
  o.input = std::string(3 << 20, 'x') + "end";
  auto res = r.run("wc -c", o);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(std::atoll(res->out.c_str()), (3 << 20) + 3);
  // A command that ignores its input must not make us die of SIGPIPE.
  auto ignore = r.run("exit 0", o);
  ASSERT_TRUE(ignore.has_value()) << ignore.error().message();
  EXPECT_EQ(ignore->exit_status, 0);
}

TEST(LocalRunner, TimeoutKillsTheWholeCommand) {
  LocalRunner r("box");
  const std::string marker = test::unique_name("sleeper");
  RunOptions o;
  o.timeout = 500ms;
  const auto start = Clock::now();
  auto res = r.run("sh -c 'sleep 30; : " + marker + "' & sleep 30", o);
  const auto took = Clock::now() - start;
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().kind(), ErrorKind::timeout);
  EXPECT_NE(res.error().message().find("host box: command 'sh -c"), std::string::npos) << res.error().message();
  EXPECT_NE(res.error().message().find("timed out after 0.5 s"), std::string::npos) << res.error().message();
  EXPECT_LT(took, 2s);
  std::this_thread::sleep_for(100ms);
  // "[s]wt..." matches the marker but not this pgrep's own shell, whose command line holds the brackets.
  EXPECT_NE(test::sh("pgrep -f " + test::shq("[" + marker.substr(0, 1) + "]" + marker.substr(1))).status, 0)
      << "background child survived";
}

TEST(LocalRunner, CapsStoredOutput) {
  LocalRunner r;
  RunOptions o;
  o.output_cap = 1000;
  auto res = r.run("head -c 100000 /dev/zero | tr '\\0' a; printf END", o);
  ASSERT_TRUE(res.has_value());
  EXPECT_EQ(res->out_bytes, 100003u);
  EXPECT_EQ(res->out.size(), 1000u);
  EXPECT_TRUE(res->out_truncated());
  EXPECT_EQ(res->out.substr(997), "END");
  EXPECT_FALSE(res->err_truncated());
}

TEST(LocalRunner, MasksSecretsInErrors) {
  log::add_secret("hunter2-secret");
  LocalRunner r;
  RunOptions o;
  o.timeout = 100ms;
  auto res = r.run("sleep 5 # hunter2-secret", o);
  ASSERT_FALSE(res.has_value());
  EXPECT_EQ(res.error().message().find("hunter2"), std::string::npos) << res.error().message();
  o.display = "the sleeper";
  res = r.run("sleep 5", o);
  EXPECT_NE(res.error().message().find("'the sleeper'"), std::string::npos);
}

TEST(LocalRunner, UploadIsAtomicWithMode) {
  const std::string dir = "/tmp/" + test::unique_name("upload");
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  LocalRunner r;
  const std::string path = dir + "/conf";
  ASSERT_TRUE(r.upload(path, "old\n").has_value());
  const int old_fd = ::open(path.c_str(), O_RDONLY);
  ASSERT_GE(old_fd, 0);
  const std::string content("new\n\0binary\xff", 13);
  auto up = r.upload(path, content, {.mode = 0640});
  ASSERT_TRUE(up.has_value()) << up.error().message();
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(read_file(path), content);
  char buf[8] = {};
  EXPECT_EQ(::pread(old_fd, buf, sizeof buf, 0), 4);  // the old file was replaced, not rewritten
  EXPECT_STREQ(buf, "old\n");
  ::close(old_fd);
  EXPECT_EQ(test::sh_ok("ls -A " + test::shq(dir)), "conf\n");  // no temp file left
  auto bad = r.upload(dir + "/missing/x", "x");
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("host localhost: upload " + dir + "/missing/x"), std::string::npos)
      << bad.error().message();
  std::filesystem::remove_all(dir);
}

TEST(FakeHostRunner, RecordsCallsAndReplaysScriptedResults) {
  auto journal = std::make_shared<FakeJournal>();
  FakeHostRunner a("10.15.0.7", journal), b("10.15.0.2", journal);
  a.on("dpkg -s openvswitch", FakeHostRunner::result(1, "", "not installed"), 1)
      .on("dpkg -s", FakeHostRunner::result(0, "Status: install ok installed\n"))
      .on("slow", Error::timeout("host 10.15.0.7: command 'slow': timed out after 1 s"));
  EXPECT_EQ(a.run("dpkg -s openvswitch-switch")->exit_status, 1);
  EXPECT_EQ(a.run("dpkg -s openvswitch-switch")->exit_status, 0);  // the first rule was used up
  EXPECT_EQ(a.run("slow").error().kind(), ErrorKind::timeout);
  EXPECT_EQ(a.run("anything else")->exit_status, 0);
  ASSERT_TRUE(b.upload("/etc/x.conf", "k=v\n", {.mode = 0600}).has_value());
  b.fail_connect(Error::os("host 10.15.0.2: connect to 10.15.0.2 port 22: Connection refused"));
  EXPECT_FALSE(b.connect().has_value());
  EXPECT_FALSE(b.run("true").has_value());

  EXPECT_EQ(a.commands(), (std::vector<std::string>{"dpkg -s openvswitch-switch", "dpkg -s openvswitch-switch",
                                                    "slow", "anything else"}));
  EXPECT_EQ(b.file("/etc/x.conf")->first, "k=v\n");
  EXPECT_EQ(b.file("/etc/x.conf")->second, 0600u);
  const auto events = journal->snapshot();
  ASSERT_EQ(events.size(), 7u);
  EXPECT_EQ(events[4], "10.15.0.2: upload /etc/x.conf");
  EXPECT_EQ(events[6], "10.15.0.2: run true");
}

}  // namespace
}  // namespace sw::installer
