// A real OpenSSH sshd for integration tests, running inside a throwaway network namespace, with its
// own host key, a user key authorised for root, and a known_hosts file, all in a temp directory
// removed on destruction. The daemon is a BackgroundProcess (killed by pid); kill_all() also kills
// the per-connection sshd processes and the commands below them, as a crashed host would.
//
// Client code reaches it from a thread that entered the namespace: run_in_netns() runs a function on
// such a thread (setns affects only the calling thread; sockets stay in the namespace they were made in).
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

#include "tests/support/system.h"

namespace sw::test {

/// Runs fn on a new thread that has entered the network namespace at netns_path, and waits for it.
/// A failure to enter is a test failure (fn is not run).
void run_in_netns(const std::string& netns_path, const std::function<void()>& fn);

/// A directory under /tmp named after unique_name(tag), removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view tag);
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class Sshd {
 public:
  /// Generates keys under dir and starts sshd in netns, listening on address:port.
  Sshd(const TempNetns& netns, const std::string& dir, std::string address = "127.0.0.1", int port = 22);
  ~Sshd();
  Sshd(const Sshd&) = delete;
  Sshd& operator=(const Sshd&) = delete;

  /// Starts the daemon and waits (≤ 5 s) until it listens; false (with a test failure) otherwise.
  bool start();
  /// Stops the daemon (SIGTERM, then SIGKILL) and everything below it.
  void stop();
  /// SIGKILLs the daemon, its sessions and their commands at once: the host "dies".
  void kill_all();
  /// SIGSTOPs (true) or SIGCONTs (false) the daemon's sessions and their commands, not the
  /// listener: a host too busy to read its sockets.
  void freeze_sessions(bool frozen);
  /// Replaces the host key with a new one; takes effect at the next start().
  void regenerate_host_key();

  const std::string& address() const { return address_; }
  int port() const { return port_; }
  /// Private key authorised for root.
  std::string user_key() const { return dir_ + "/id_user"; }
  /// A known_hosts file in the temp dir (not created by the fixture).
  std::string known_hosts() const { return dir_ + "/known_hosts"; }
  /// The host key's "SHA256:..." fingerprint, as ssh-keygen -l prints it.
  std::string host_key_fingerprint() const;
  /// "<type> <base64>" of the current host key.
  std::string host_public_key() const;
  /// Appends the current host key to known_hosts() under the name OpenSSH uses for address:port.
  void trust_host_key() const;
  /// sshd's log (-E).
  std::string log() const;
  pid_t pid() const { return process_ ? process_->pid() : -1; }

 private:
  const TempNetns& netns_;
  std::string dir_;
  std::string address_;
  int port_;
  std::unique_ptr<BackgroundProcess> process_;
};

}  // namespace sw::test
