#include "installer/runner.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "installer/progress.h"

namespace sw::installer {
namespace {

// Plays manifests back from a script: per host, which step fails (0 = none) and whether the
// transport fails. Records the order of calls and the peak concurrency.
class FakeExecutor : public ManifestExecutor {
 public:
  std::map<std::string, int> fail_step;      // host → 1-based step that fails
  std::set<std::string> unreachable;
  std::chrono::milliseconds delay{0};

  Result<ExecResult> execute(const Manifest& m) override {
    {
      std::lock_guard lock(mu_);
      calls.push_back(m.host + ":" + m.plugin);
      peak = std::max(peak, ++running_);
    }
    std::this_thread::sleep_for(delay);
    Result<ExecResult> r = ExecResult{};
    if (unreachable.count(m.host)) {
      r = fail(Error::os("host " + m.host + ": connect: Connection timed out"));
    } else {
      std::string out;
      const int f = fail_step.count(m.host) ? fail_step[m.host] : 0;
      for (size_t i = 1; i <= m.steps.size(); ++i) {
        if (static_cast<int>(i) == f) {
          out += "boom line\nSW-STEP " + std::to_string(i) + " failed 7\n";
          r->exit_status = 7;
          break;
        }
        out += "SW-STEP " + std::to_string(i) + (i % 2 ? " changed\n" : " unchanged\n");
      }
      r->output = out;
    }
    std::lock_guard lock(mu_);
    --running_;
    return r;
  }

  std::vector<std::string> calls;
  int peak = 0;

 private:
  std::mutex mu_;
  int running_ = 0;
};

std::vector<Manifest> manifests_for(std::initializer_list<const char*> hosts, const char* plugin) {
  std::vector<Manifest> out;
  for (const char* h : hosts)
    out.push_back({h, plugin, {{"a", "", "true"}, {"b", "", "true"}, {"c", "", "true"}}});
  return out;
}

TEST(RunnerTest, AllHostsSucceedAndChangesAreCounted) {
  FakeExecutor ex;
  auto log = SetupLog::null();
  auto out = run_plugin("neutron", manifests_for({"h1", "h2", "h3"}, "neutron"), ex, 4, log);
  EXPECT_TRUE(out.ok());
  ASSERT_EQ(out.hosts.size(), 3u);
  EXPECT_EQ(out.hosts[0].host, "h1");
  EXPECT_EQ(out.hosts[2].host, "h3");
  EXPECT_EQ(out.changed(), 6);  // steps 1 and 3 on each host
  EXPECT_TRUE(out.failures().empty());
}

TEST(RunnerTest, HostsRunInParallelUpToJobs) {
  FakeExecutor ex;
  ex.delay = std::chrono::milliseconds(50);
  auto log = SetupLog::null();
  run_plugin("p", manifests_for({"h1", "h2", "h3", "h4", "h5"}, "p"), ex, 2, log);
  EXPECT_EQ(ex.peak, 2);
  FakeExecutor ex1;
  ex1.delay = std::chrono::milliseconds(20);
  run_plugin("p", manifests_for({"h1", "h2", "h3"}, "p"), ex1, 1, log);
  EXPECT_EQ(ex1.peak, 1);
}

TEST(RunnerTest, OneHostsManifestsRunInOrderAndStopAtItsFailure) {
  FakeExecutor ex;
  ex.fail_step["h1"] = 2;
  auto log = SetupLog::null();
  std::vector<Manifest> ms = {{"h1", "first", {{"a", "", "true"}, {"b", "", "true"}}},
                              {"h2", "first", {{"a", "", "true"}}},
                              {"h1", "second", {{"x", "", "true"}}}};
  auto out = run_plugin("p", ms, ex, 1, log);
  EXPECT_FALSE(out.ok());
  // h1's second manifest never ran; h2 still finished (the rest of the plugin's hosts finish).
  EXPECT_EQ(std::count(ex.calls.begin(), ex.calls.end(), "h1:second"), 0);
  EXPECT_EQ(std::count(ex.calls.begin(), ex.calls.end(), "h2:first"), 1);
  ASSERT_EQ(out.failures().size(), 1u);
  EXPECT_EQ(out.failures()[0], "host h1: step 'b' failed (exit 7)");
  EXPECT_NE(out.hosts[0].tail.find("boom line"), std::string::npos);
  EXPECT_TRUE(out.hosts[1].ok);
}

TEST(RunnerTest, UnreachableHostIsNamedWithTheTransportError) {
  FakeExecutor ex;
  ex.unreachable.insert("10.15.0.8");
  auto log = SetupLog::null();
  auto out = run_plugin("p", manifests_for({"10.15.0.7", "10.15.0.8"}, "p"), ex, 4, log);
  ASSERT_EQ(out.failures().size(), 1u);
  EXPECT_EQ(out.failures()[0], "host 10.15.0.8: connect: Connection timed out");
}

// Agent hosts wait for neutron-server's API, which lives on another host of the same plugin: when
// that host fails, the hosts still waiting are told so and stop, rather than waiting out 300 s.
// Hosts already done are left alone.
class WaitingExecutor : public ManifestExecutor {
 public:
  Result<ExecResult> execute(const Manifest& m) override {
    ExecResult r;
    if (m.host == "controller") {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the quick host finishes first
      r.exit_status = 1;
      r.output = "neutron-server exited before http://c:9696/ answered\nSW-STEP 1 failed 1\n";
      return r;
    }
    if (m.host == "quick") {
      r.output = "SW-STEP 1 changed\nSW-STEP 2 changed\nSW-STEP 3 changed\n";
      return r;
    }
    std::unique_lock lock(mu_);
    const bool told = cv_.wait_for(lock, std::chrono::seconds(20), [&] { return reasons.count(m.host) > 0; });
    r.exit_status = 1;
    r.output = told ? "stopped waiting for http://c:9696/ to answer: " + reasons[m.host] + "\nSW-STEP 1 failed 1\n"
                    : "http://c:9696/ does not answer after 300 s\nSW-STEP 1 failed 1\n";
    return r;
  }
  void interrupt_waits(const std::string& host, const std::string& reason) override {
    std::lock_guard lock(mu_);
    reasons[host] = reason;
    cv_.notify_all();
  }
  std::map<std::string, std::string> reasons;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

TEST(RunnerTest, AFailedHostMakesTheOthersStillRunningStopWaiting) {
  WaitingExecutor ex;
  auto log = SetupLog::null();
  auto out = run_plugin("neutron", manifests_for({"controller", "network", "quick", "compute1"}, "neutron"), ex, 4, log);
  EXPECT_FALSE(out.ok());
  ASSERT_EQ(out.hosts.size(), 4u);
  EXPECT_EQ(ex.reasons.count("quick"), 0u) << "a host that had finished was interrupted";
  EXPECT_EQ(ex.reasons.count("controller"), 0u);
  for (const char* h : {"network", "compute1"}) {
    ASSERT_EQ(ex.reasons.count(h), 1u) << h;
    EXPECT_EQ(ex.reasons[h], "host controller failed in plugin neutron (a)");
  }
  EXPECT_TRUE(out.hosts[2].ok);
  EXPECT_NE(out.hosts[1].tail.find("stopped waiting for http://c:9696/ to answer: host controller failed"),
            std::string::npos)
      << out.hosts[1].tail;
}

TEST(RunnerTest, LastLines) {
  EXPECT_EQ(last_lines("a\nb\nc\n", 2), "b\nc");
  EXPECT_EQ(last_lines("a\nb\nc", 5), "a\nb\nc");
  EXPECT_EQ(last_lines("", 3), "");
}

TEST(ProgressTest, LineHasPackstacksShape) {
  EXPECT_EQ(format_progress_line("Clean Up", true, ""),
            "Clean Up...                                             [ DONE ]");
  EXPECT_EQ(format_progress_line("Adding Neutron manifest entries", false, "host x"),
            "Adding Neutron manifest entries...                      [ ERROR ] host x");
}

}  // namespace
}  // namespace sw::installer
