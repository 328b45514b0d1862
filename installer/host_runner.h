// Running commands and placing files on one host: the installer's only way to touch a host.
//
// HostRunner is the narrow interface (as ninja's CommandRunner): run a shell command line with a
// timeout and get {exit status or signal, stdout, stderr, duration}; upload bytes to a path with a
// mode, atomically (a temp file in the same directory, then rename). Implementations:
//   - SshHostRunner (ssh_session.h): over one reused libssh2 session to the host;
//   - LocalRunner (here): /bin/sh on this machine, for all-in-one installs and tests;
//   - FakeHostRunner (tests/installer/fake_host_runner.h): records calls, replays scripted results.
// A runner is used by one thread at a time; different runners run in parallel.
//
// A command that ran and exited non-zero is a result, not an error: the caller decides. Errors are
// for what prevented knowing the outcome (connect, auth, timeout, lost connection) and read
// "host 10.15.0.7: command 'apt-get install ...': timed out after 5 s". Commands may carry
// secrets: errors and logs show RunOptions::display, or the command masked by sw::log::mask.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sw::installer {

/// What a command did.
struct CommandResult {
  int exit_status = -1;        ///< the exit status; -1 when the command was killed by a signal
  std::string signal;          ///< the signal that killed it, without "SIG" ("KILL"); empty otherwise
  std::string out;             ///< stdout: the last RunOptions::output_cap bytes
  std::string err;             ///< stderr: the last RunOptions::output_cap bytes
  uint64_t out_bytes = 0;      ///< stdout bytes produced in all (more than out.size() when truncated)
  uint64_t err_bytes = 0;      ///< stderr bytes produced in all
  std::chrono::milliseconds duration{0};

  bool ok() const { return signal.empty() && exit_status == 0; }
  bool out_truncated() const { return out_bytes > out.size(); }
  bool err_truncated() const { return err_bytes > err.size(); }
  /// "exit status 3" or "killed by signal KILL".
  std::string status_text() const;
};

struct RunOptions {
  /// The whole command, from start to exit; on expiry the command is killed and Error::timeout returned.
  std::chrono::milliseconds timeout = std::chrono::seconds(300);
  /// How the command is shown in errors and logs; empty = the command with secrets masked.
  std::string display;
  /// Bytes fed to the command's stdin, then end of file (a way to pass secrets off the command line).
  std::string input;
  /// At most this many bytes of stdout and of stderr are kept (the last ones); the rest is counted.
  size_t output_cap = size_t{8} << 20;
};

struct UploadOptions {
  mode_t mode = 0644;
  std::chrono::milliseconds timeout = std::chrono::seconds(120);
};

class HostRunner {
 public:
  virtual ~HostRunner() = default;

  /// The host as named in messages ("10.15.0.7").
  virtual const std::string& host() const = 0;
  /// Makes sure the host is reachable and trusted (for ssh: connect, check the host key, authenticate).
  /// run() and upload() connect on demand; calling this first lets a caller check every host up front.
  virtual Result<void> connect() = 0;
  /// Runs a POSIX shell command line. Values inside it must have been quoted (shell_quote.h).
  virtual Result<CommandResult> run(const std::string& command, const RunOptions& options = {}) = 0;
  /// Writes content to path with options.mode: a temp file in path's directory, then rename over path,
  /// so readers see the old file or the new one, never a part.
  virtual Result<void> upload(const std::string& path, std::string_view content,
                              const UploadOptions& options = {}) = 0;
};

/// The command as shown in messages: options.display, or the command with registered secrets
/// masked and long text shortened.
std::string display_command(const std::string& command, const RunOptions& options);

/// Keeps the last `cap` bytes of a stream and counts all of them.
class OutputTail {
 public:
  explicit OutputTail(size_t cap) : cap_(cap) {}
  void append(std::string_view data);
  /// The kept bytes (the last cap); the tail is left empty.
  std::string take();
  uint64_t total() const { return total_; }

 private:
  size_t cap_;
  uint64_t total_ = 0;
  std::string buf_;
};

/// Runs commands on this machine with /bin/sh -c, each in its own process group (killed whole on
/// timeout). Uploads are local files written the same atomic way.
class LocalRunner final : public HostRunner {
 public:
  explicit LocalRunner(std::string label = "localhost");

  const std::string& host() const override { return label_; }
  Result<void> connect() override { return {}; }
  Result<CommandResult> run(const std::string& command, const RunOptions& options = {}) override;
  Result<void> upload(const std::string& path, std::string_view content, const UploadOptions& options = {}) override;

 private:
  std::string label_;
};

}  // namespace sw::installer
