// ssh to one host with libssh2: one TCP connection and one authenticated session, reused for many
// commands (one channel each), and the HostRunner built on it.
//
// Model: SshSession::connect() does TCP connect → ssh handshake → host key check against
// known_hosts → publickey auth, all within SshOptions::connect_timeout. The session is then used
// for exec() and upload(), one at a time (not thread-safe; sessions to different hosts are
// independent and run in parallel). Everything is non-blocking with our own poll and a deadline,
// so a dead or silent peer costs at most the timeout. A command that overruns its timeout is
// killed remotely (its process group, which sshd makes per command, from a second channel), its
// channel closed, and the session stays usable; if that cleanup itself cannot finish, the
// session is marked unusable and SshHostRunner reconnects on the next call.
//
// Host keys (never switched off): a key recorded in known_hosts for the host must match; an
// unknown host is refused — naming host, key type and SHA256 fingerprint — unless
// accept_new_host_keys, which records it (known_hosts created 0600); a changed or @revoked key is
// always refused, naming the recorded and the offered fingerprint.
//
// Lifetime: the socket is created in the calling thread's network namespace and stays there; the
// session owns it and closes it last.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "common/unique_fd.h"
#include "installer/host_runner.h"

struct _LIBSSH2_SESSION;
struct _LIBSSH2_CHANNEL;

namespace sw::installer {

/// Where to connect and as whom.
struct SshTarget {
  std::string host;        ///< IP address or name; also the name looked up in known_hosts
  int port = 22;
  std::string user = "root";
  std::string identity;    ///< private key file (ed25519, ecdsa or rsa); "<identity>.pub" is used when present
  std::string passphrase;  ///< for an encrypted private key; empty = none
};

struct SshOptions {
  std::string known_hosts;                 ///< known_hosts file; empty = default_known_hosts_path()
  bool accept_new_host_keys = false;       ///< record unknown hosts' keys instead of refusing them
  /// Bounds TCP connect, handshake, host key check and auth together.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  /// TCP keepalive idle time and interval (with TCP_USER_TIMEOUT of 3 intervals), so that a vanished
  /// peer is noticed even when the command's own timeout is long, and NAT state stays fresh. TCP's,
  /// not libssh2's: libssh2 1.10 leaves a keepalive that met a full socket half-sent in a buffer of
  /// its own, and every later packet on the session then fails with LIBSSH2_ERROR_BAD_USE.
  std::chrono::seconds keepalive = std::chrono::seconds(15);
};

/// $HOME/.ssh/known_hosts (the passwd entry's home when HOME is unset).
std::string default_known_hosts_path();

class SshSession {
 public:
  /// Connects, checks the host key and authenticates. Errors read "host H: <step>: <why>".
  static Result<SshSession> connect(const SshTarget& target, const SshOptions& options);

  SshSession(SshSession&&) noexcept;
  SshSession& operator=(SshSession&&) noexcept;
  ~SshSession();

  /// Runs a command line through the remote user's shell on a new channel.
  Result<CommandResult> exec(const std::string& command, const RunOptions& options = {});
  /// Atomic upload: the bytes go through a channel's stdin into a temp file next to path
  /// (created 0600), which is checked for size, given options.mode and renamed over path.
  Result<void> upload(const std::string& path, std::string_view content, const UploadOptions& options = {});

  /// False once the connection failed or a channel could not be cleaned up; reconnect then.
  bool usable() const { return session_ && !broken_; }
  /// "10.15.0.7", or "10.15.0.7:2222" on another port: how messages name the host.
  const std::string& label() const { return label_; }
  /// The host key's fingerprint ("SHA256:...") and type ("ssh-ed25519").
  const std::string& host_key_fingerprint() const { return fingerprint_; }
  const std::string& host_key_type() const { return key_type_; }
  /// Time taken by connect() (TCP + handshake + host key + auth).
  std::chrono::milliseconds connect_duration() const { return connect_duration_; }

 private:
  struct SessionDeleter { void operator()(_LIBSSH2_SESSION* s) const; };
  using Clock = std::chrono::steady_clock;
  class Channel;
  SshSession() = default;

  Result<void> open_socket(const SshTarget& target, Clock::time_point deadline, std::chrono::milliseconds budget);
  Result<void> handshake(Clock::time_point deadline, std::chrono::milliseconds budget);
  Result<void> verify_host_key(const SshTarget& target, const SshOptions& options, const std::string& known_hosts);
  Result<void> authenticate(const SshTarget& target, Clock::time_point deadline);
  /// Waits until libssh2's socket can make progress, or the deadline passes (Error::timeout).
  Result<void> wait_socket(Clock::time_point deadline, std::chrono::milliseconds cap = std::chrono::milliseconds(1000));
  /// libssh2's last error as text after prefix ("host H: step"); marks the session broken when
  /// the connection itself failed.
  Error ssh_error(const std::string& prefix, int rc);
  Result<CommandResult> run_channel(const std::string& command, const RunOptions& options, const std::string& prefix,
                                    bool kill_on_timeout);

  friend class SshHostRunner;

  std::string label_;
  bool exec_sent_ = false;  // the last command got past opening its channel (it may have run)
  UniqueFd sock_;  // declared before session_: destroyed after it
  std::unique_ptr<_LIBSSH2_SESSION, SessionDeleter> session_;
  bool broken_ = false;
  std::string fingerprint_;
  std::string key_type_;
  std::chrono::milliseconds connect_duration_{0};
};

/// HostRunner over one SshSession, connected on first use and reconnected when it became
/// unusable; a command whose channel could not even be opened on a reused session that turned out
/// dead is tried once more on a fresh one (nothing ran). One call at a time (serialised by a mutex).
class SshHostRunner final : public HostRunner {
 public:
  SshHostRunner(SshTarget target, SshOptions options);

  const std::string& host() const override { return target_.host; }
  Result<void> connect() override;
  Result<CommandResult> run(const std::string& command, const RunOptions& options = {}) override;
  Result<void> upload(const std::string& path, std::string_view content, const UploadOptions& options = {}) override;
  /// Closes the session; the next call connects again.
  void disconnect();
  /// The current session's host key fingerprint, empty when not connected.
  std::string host_key_fingerprint();

 private:
  Result<SshSession*> session_locked();
  template <class Op>
  auto with_session(Op op) -> decltype(op(std::declval<SshSession&>()));

  SshTarget target_;
  SshOptions options_;
  std::mutex mutex_;
  std::optional<SshSession> session_;
};

}  // namespace sw::installer
