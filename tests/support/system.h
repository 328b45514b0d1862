// Test support for integration tests that touch the real system: shell commands as ground truth,
// throwaway network namespaces, and background processes — every one owned by an object whose
// destructor removes it, so a failing test leaves nothing behind.
//
// Names: every namespace a test makes is "swt<pid>-<n>-<tag>". At start-up the test binary removes
// leftovers of earlier runs whose pid is dead (a crashed or killed run), and nothing else.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

namespace sw::test {

bool is_root();

/// Skips the current test (not fails) when not running as root.
#define SW_REQUIRE_ROOT()                                                    \
  do {                                                                       \
    if (!::sw::test::is_root()) GTEST_SKIP() << "needs root (privileged integration test)"; \
  } while (0)

struct CmdResult {
  int status = -1;   ///< exit status, or 128+signal
  std::string out;   ///< stdout
  std::string err;   ///< stderr
};

/// Runs `/bin/sh -c cmd` and captures its output. Ground truth for tests only.
CmdResult sh(const std::string& cmd);
/// Like sh() but records a test failure (with stderr) when the status is not 0; returns stdout.
std::string sh_ok(const std::string& cmd);
/// Quotes s for a POSIX shell.
std::string shq(std::string_view s);

/// "swt<pid>-<n>-<tag>", unique per process and call.
std::string unique_name(std::string_view tag);

/// A named network namespace (in /run/netns), deleted with everything in it on destruction.
class TempNetns {
 public:
  explicit TempNetns(std::string_view tag);
  ~TempNetns();
  TempNetns(const TempNetns&) = delete;
  TempNetns& operator=(const TempNetns&) = delete;

  const std::string& name() const { return name_; }
  std::string path() const { return "/run/netns/" + name_; }
  /// Runs cmd inside the namespace (ip netns exec NAME sh -c cmd).
  CmdResult exec(const std::string& cmd) const;
  std::string exec_ok(const std::string& cmd) const;

 private:
  std::string name_;
};

/// A process started in the background (optionally inside a namespace), killed by pid on
/// destruction: SIGTERM, a bounded wait, then SIGKILL.
class BackgroundProcess {
 public:
  /// argv[0] is looked up in PATH. netns empty = the caller's namespace.
  BackgroundProcess(std::vector<std::string> argv, std::string netns = {});
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool alive() const;
  void stop();

 private:
  pid_t pid_ = -1;
};

}  // namespace sw::test
