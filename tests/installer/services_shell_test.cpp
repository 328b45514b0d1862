// The service shell library run by /bin/sh: escapes, config files compared and installed from
// stdin, restart marks, and pidfile supervision (start, idempotent start, stop with SIGKILL
// fallback, failure with the log's tail) — with `sleep`/`sh` as daemons and a private SW_RUN.
#include "installer/service_shell.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "installer/manifest.h"
#include "installer/services.h"
#include "tests/support/system.h"

namespace sw::installer {
namespace {

namespace fs = std::filesystem;

class ServiceShellTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / test::unique_name("svcsh");
    fs::create_directories(dir_ / "run");
    user_ = test::sh("id -un").out;
    group_ = test::sh("id -gn").out;
    while (!user_.empty() && user_.back() == '\n') user_.pop_back();
    while (!group_.empty() && group_.back() == '\n') group_.pop_back();
  }
  void TearDown() override {
    // Kill (by pid) whatever a test left running from its pidfiles.
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir_ / "run", ec)) {
      if (e.path().extension() != ".pid") continue;
      std::ifstream in(e.path());
      pid_t pid = 0;
      if (in >> pid && pid > 1) ::kill(pid, SIGKILL);
    }
    fs::remove_all(dir_, ec);
  }

  // Runs script after the library, with SW_RUN private to the test.
  test::CmdResult run(const std::string& script) {
    const fs::path f = dir_ / "t.sh";
    std::ofstream(f) << "set -u\nSW_RUN=" << test::shq((dir_ / "run").string()) << "\n"
                     << service_shell_functions() << "\n" << script << "\n";
    return test::sh("sh " + test::shq(f.string()) + " 2>&1");
  }

  test::CmdResult run_manifest(const Manifest& m, const std::string& env) {
    const fs::path f = dir_ / m.file_name();
    std::ofstream(f) << m.render();
    return test::sh("cd " + test::shq(dir_.string()) + " && env SW_RUN=" + test::shq((dir_ / "run").string()) +
                    " " + env + " sh " + test::shq(f.string()) + " 2>&1");
  }

  static bool has_systemd() { return fs::exists("/run/systemd/system"); }

  fs::path dir_;
  std::string user_, group_;
};

TEST_F(ServiceShellTest, EscapesKeepEveryCharacterData) {
  auto r = run(R"SH(v='a b/c$d%e:f@g'"'"'h"i\j'
printf '%s\n' "$(sw_urlencode "$v")" "$(sw_oslo_escape "$v")" "$(sw_sql_escape "$v")" "$(sw_json_quote "$v")"
printf '%s\n' "$(sw_dburl_escape "$v")"
eval "w=$(sw_sh_squote "$v")"; [ "$w" = "$v" ] && echo squote-roundtrip)SH");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out,
            "a%20b%2Fc%24d%25e%3Af%40g%27h%22i%5Cj\n"
            "a b/c$$d%e:f@g'h\"i\\j\n"
            "a b/c$d%e:f@g\\'h\"i\\\\j\n"
            "\"a b/c$d%e:f@g'h\\\"i\\\\j\"\n"
            "a b/c$$d%25e:f%40g'h\"i\\j\n"
            "squote-roundtrip\n");
}

TEST_F(ServiceShellTest, RequireNamesTheMissingVariableAndTakesHavanaSpellings) {
  auto r = run("sw_require CONFIG_NOT_THERE_PW; echo rc=$?");
  EXPECT_EQ(r.out, "CONFIG_NOT_THERE_PW is not set in /var/lib/stackwire/answers.env\nrc=1\n");
  r = run("CONFIG_MYSQL_PW=old; sw_require CONFIG_MARIADB_PW && echo \"$CONFIG_MARIADB_PW\"");
  EXPECT_EQ(r.out, "old\n");
}

TEST_F(ServiceShellTest, AlembicHeadsAreWhatNeutronShipsAsItsHeads) {
  const fs::path versions = "/usr/lib/python3/dist-packages/neutron/db/migration/alembic_migrations/versions";
  if (!fs::exists(versions / "EXPAND_HEAD")) GTEST_SKIP() << "neutron is not installed";
  auto r = run("sw_alembic_heads " + test::shq(versions.string()));
  auto want = test::sh("cat " + test::shq((versions / "EXPAND_HEAD").string()) + " " +
                       test::shq((versions / "CONTRACT_HEAD").string()) + " | sort").out;
  EXPECT_EQ(r.out, want);
}

TEST_F(ServiceShellTest, ConfigFileStepWritesOnceMarksOnceAndFollowsTheSecret) {
  const fs::path conf = dir_ / "etc" / "svc.conf";
  ConfigText c;
  c.section("DEFAULT").set("plain", "a b 'quoted' $HOME `x`").set_expanded("password", "${sw_pw}");
  Manifest m{"h", "svc",
             {config_file_step("svc.conf is as rendered", {conf.string(), "0640", user_, group_}, c,
                               "sw_require CONFIG_T_PW || exit 1\nsw_pw=$(sw_oslo_escape \"$CONFIG_T_PW\")\n",
                               {"swtest-svc"})}};
  auto r1 = run_manifest(m, "CONFIG_T_PW='pa$s'");
  ASSERT_EQ(r1.status, 0) << r1.out;
  EXPECT_EQ(parse_manifest_output(r1.out, 1).changed(), 1) << r1.out;
  std::ifstream in(conf);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "[DEFAULT]\nplain = a b 'quoted' $HOME `x`\npassword = pa$$s\n");
  EXPECT_EQ(test::sh("stat -c %a " + test::shq(conf.string())).out, "640\n");
  EXPECT_TRUE(fs::exists(dir_ / "run/restart/swtest-svc"));
  EXPECT_EQ(r1.out.find("pa$"), std::string::npos) << "a secret was printed: " << r1.out;

  fs::remove(dir_ / "run/restart/swtest-svc");
  auto r2 = run_manifest(m, "CONFIG_T_PW='pa$s'");
  EXPECT_EQ(parse_manifest_output(r2.out, 1).changed(), 0) << r2.out;
  EXPECT_FALSE(fs::exists(dir_ / "run/restart/swtest-svc")) << "nothing changed, yet a restart was marked";

  auto r3 = run_manifest(m, "CONFIG_T_PW=new");
  EXPECT_EQ(parse_manifest_output(r3.out, 1).changed(), 1) << r3.out;
  EXPECT_TRUE(fs::exists(dir_ / "run/restart/swtest-svc"));

  auto r4 = run_manifest(m, "");
  EXPECT_NE(r4.status, 0);
  EXPECT_NE(r4.out.find("CONFIG_T_PW is not set"), std::string::npos) << r4.out;
}

TEST_F(ServiceShellTest, PidfileServiceStartsOnceStopsAndRestartsWhenMarked) {
  if (has_systemd()) GTEST_SKIP() << "systemd manages services here";
  const std::string start = "sw_service_ensure swtest-sleep " + user_ + " " + test::shq((dir_ / "log/sleep.log").string()) +
                            " -- /bin/sleep 300";
  auto r = run(start + " && sw_service_current swtest-sleep && cat \"$SW_RUN/swtest-sleep.pid\"");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("started swtest-sleep"), std::string::npos) << r.out;
  const std::string pid1 = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);

  r = run(start + " && cat \"$SW_RUN/swtest-sleep.pid\"");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_EQ(r.out, pid1) << "a second ensure with nothing marked must not restart";

  r = run("sw_mark_restart swtest-sleep; sw_service_current swtest-sleep || echo pending; " + start +
          " && sw_service_current swtest-sleep && cat \"$SW_RUN/swtest-sleep.pid\"");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("pending"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("stopped swtest-sleep"), std::string::npos) << r.out;
  const std::string pid2 = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
  EXPECT_NE(pid2, pid1);
  EXPECT_FALSE(fs::exists(dir_ / "run/restart/swtest-sleep"));
  // Dead, or a zombie waiting for this machine's init to reap it.
  EXPECT_EQ(test::sh("ps -o stat= -p " + pid1.substr(0, pid1.size() - 1) + " | grep -v Z").out, "")
      << "old pid still alive";

  r = run("sw_service_stop swtest-sleep && ! sw_service_running swtest-sleep && echo down");
  EXPECT_NE(r.out.find("down"), std::string::npos) << r.out;
}

TEST_F(ServiceShellTest, StopKillsADaemonThatIgnoresSigterm) {
  if (has_systemd()) GTEST_SKIP() << "systemd manages services here";
  auto r = run("sw_service_start swtest-stubborn " + user_ + " " + test::shq((dir_ / "stubborn.log").string()) +
               " -- /bin/sh -c 'trap \"\" TERM; while :; do sleep 1; done' && sw_service_stop swtest-stubborn 1 && "
               "! sw_service_running swtest-stubborn && echo gone");
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("still runs 1s after SIGTERM: SIGKILL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("gone"), std::string::npos) << r.out;
}

TEST_F(ServiceShellTest, AStartThatDiesShowsTheLogTail) {
  if (has_systemd()) GTEST_SKIP() << "systemd manages services here";
  auto r = run("sw_service_start swtest-crash " + user_ + " " + test::shq((dir_ / "crash.log").string()) +
               " -- /bin/sh -c 'echo boom: bad config >&2; exit 3'; echo rc=$?");
  EXPECT_NE(r.out.find("swtest-crash did not stay up"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("boom: bad config"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rc=1"), std::string::npos) << r.out;
}

// Passwords the services themselves cannot take are refused before anything is written, with the
// reason. Run in a private mount namespace with tmpfs over /etc/keystone and /etc/neutron, so even a
// broken guard could not touch this machine's files.
TEST_F(ServiceShellTest, PasswordsTheServicesCannotTakeAreRefusedWithAReason) {
  SW_REQUIRE_ROOT();
  if (!fs::exists("/etc/keystone") || !fs::exists("/etc/neutron")) GTEST_SKIP() << "keystone/neutron not installed";
  ServiceHost host{"controller", "10.15.0.4", "10.15.0.4", {true, false, false}, OsFamily::debian,
                   ServiceManager::none};
  KeystoneParams kp;
  kp.host = host;
  NeutronParams np;
  np.host = host;
  const auto pick = [](const std::vector<Step>& steps, const std::string& title) {
    for (const auto& s : steps)
      if (s.title == title) return s;
    ADD_FAILURE() << "no step " << title;
    return Step{};
  };
  const struct {
    Step step;
    std::string env, reason;
  } cases[] = {
      {pick(plan_keystone(kp), "keystone.conf is as rendered"), "CONFIG_KEYSTONE_DB_PW='a%b'",
       "CONFIG_KEYSTONE_DB_PW holds % or @"},
      {pick(plan_neutron(np), "neutron.conf is as rendered"),
       "CONFIG_AMQP_AUTH_PASSWORD='a/b' CONFIG_NEUTRON_DB_PW=x CONFIG_NEUTRON_KS_PW=y",
       "CONFIG_AMQP_AUTH_PASSWORD holds /"},
  };
  for (const auto& c : cases) {
    const fs::path f = dir_ / "guard.sh";
    std::ofstream(f) << Manifest{"h", "guard", {c.step}}.render();
    auto r = test::sh("env " + c.env + " unshare --mount --propagation private sh -c " +
                      test::shq("mount -t tmpfs tmpfs /etc/keystone && mount -t tmpfs tmpfs /etc/neutron && "
                                "sh " + f.string() + "; echo listing:; ls -A /etc/keystone /etc/neutron") +
                      " 2>&1");
    EXPECT_NE(r.out.find(c.reason), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("SW-STEP 1 failed 1"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(".conf", r.out.find("listing:")), std::string::npos) << "a file was written: " << r.out;
  }
}

TEST_F(ServiceShellTest, WaitsAreBoundedAndSayWhat) {
  auto r = run("sw_wait_tcp 127.0.0.1 1 1; echo rc=$?");
  EXPECT_NE(r.out.find("127.0.0.1:1 accepts no connection after 1 s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("rc=1"), std::string::npos);
  r = run("sw_wait_http http://127.0.0.1:1/ 1; echo rc=$?");
  EXPECT_NE(r.out.find("http://127.0.0.1:1/ does not answer after 1 s"), std::string::npos) << r.out;
  r = run("sw_wait_cmd 1 'the flag file appears' test -e /nonexistent/flag; echo rc=$?");
  EXPECT_NE(r.out.find("the flag file appears: still not after 1 s"), std::string::npos) << r.out;
}

// The deployer's note (another host of the plugin failed) ends a long wait within a round.
TEST_F(ServiceShellTest, WaitsStopWhenTheDeployerLeavesANote) {
  const std::string note = dir_.string() + "/abort-run1";
  std::ofstream(note) << "host 10.15.0.4 failed in plugin neutron (neutron-api is running)\n";
  auto r = run("export SW_ABORT_FILE=" + test::shq(note) + "; s=$(date +%s); sw_wait_http http://127.0.0.1:1/ 300; echo rc=$?; "
               "sw_wait_cmd 300 'the flag file appears' test -e /nonexistent/flag; echo rc=$?; "
               "echo took=$(( $(date +%s) - s ))");
  EXPECT_NE(r.out.find("stopped waiting for http://127.0.0.1:1/ to answer: host 10.15.0.4 failed in plugin neutron "
                       "(neutron-api is running)\nrc=1"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("stopped waiting for the flag file appears: host 10.15.0.4"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("took=0"), std::string::npos) << r.out;
  // Without a note (or an empty one) the wait runs its course.
  r = run("export SW_ABORT_FILE=" + test::shq(dir_.string() + "/none") + "; sw_wait_http http://127.0.0.1:1/ 1; echo rc=$?");
  EXPECT_NE(r.out.find("does not answer after 1 s"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace sw::installer
