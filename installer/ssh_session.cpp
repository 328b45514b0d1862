#include "installer/ssh_session.h"

#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>
#include <thread>

#include "common/log.h"
#include "common/strings.h"
#include "installer/known_hosts.h"
#include "installer/shell_quote.h"

namespace sw::installer {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

std::string seconds_text(milliseconds d) {
  const auto ms = d.count();
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", double(ms) / 1000.0);
  return buf;
}

milliseconds since(Clock::time_point t) { return std::chrono::duration_cast<milliseconds>(Clock::now() - t); }

bool is_connection_error(int rc) {
  switch (rc) {
    case LIBSSH2_ERROR_SOCKET_NONE:
    case LIBSSH2_ERROR_SOCKET_SEND:
    case LIBSSH2_ERROR_SOCKET_RECV:
    case LIBSSH2_ERROR_SOCKET_DISCONNECT:
    case LIBSSH2_ERROR_SOCKET_TIMEOUT:
    case LIBSSH2_ERROR_TIMEOUT:
    case LIBSSH2_ERROR_BANNER_RECV:
    case LIBSSH2_ERROR_BANNER_SEND:
    case LIBSSH2_ERROR_KEX_FAILURE:
    case LIBSSH2_ERROR_DECRYPT:
    case LIBSSH2_ERROR_ENCRYPT:
    case LIBSSH2_ERROR_PROTO:
    case LIBSSH2_ERROR_INVALID_MAC:
      return true;
    default:
      return false;
  }
}

std::string random_suffix() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

// First line of every remote command: "\x1eswpid:<pid>" on stderr (see run_channel).
constexpr const char* kPidPrologue = "printf '\\036swpid:%s\\n' \"$$\" >&2";
constexpr std::string_view kPidMarker = "\x1eswpid:";

// Takes the pid line off the front of stderr and passes everything else on.
class PidLine {
 public:
  void feed(std::string_view data, OutputTail& err) {
    if (done_) {
      err.append(data);
      return;
    }
    head_.append(data);
    const auto nl = head_.find('\n');
    if (nl == std::string::npos && head_.size() < 64) return;
    done_ = true;
    if (nl != std::string::npos && std::string_view(head_).starts_with(kPidMarker)) {
      pgid_ = std::atol(head_.substr(kPidMarker.size(), nl - kPidMarker.size()).c_str());
      err.append(std::string_view(head_).substr(nl + 1));
    } else {
      err.append(head_);
    }
    head_.clear();
  }
  void finish(OutputTail& err) {
    if (!done_ && !head_.empty()) {
      done_ = true;
      if (!std::string_view(head_).starts_with(kPidMarker)) err.append(head_);
    }
  }
  long pgid() const { return pgid_; }

 private:
  bool done_ = false;
  long pgid_ = 0;
  std::string head_;
};

// The names in a comma-separated method list that this libssh2 supports, in the list's order.
// libssh2 1.10's libssh2_session_method_pref drops the others with an overlapping memcpy (undefined
// behaviour, which AddressSanitizer stops on), so it is given none.
std::string supported_methods(LIBSSH2_SESSION* session, int method_type, const std::string& wanted) {
  const char** algs = nullptr;
  const int n = libssh2_session_supported_algs(session, method_type, &algs);
  if (n <= 0 || !algs) return {};
  std::string out;
  for (auto name : split(wanted, ','))
    for (int i = 0; i < n; ++i)
      if (algs[i] && name == algs[i]) {
        if (!out.empty()) out += ',';
        out += name;
        break;
      }
  libssh2_free(session, algs);
  return out;
}

constexpr unsigned kWindow = 8u << 20;  // larger than libssh2's 2 MiB default: fewer window stalls on bulk output

}  // namespace

std::string default_known_hosts_path() {
  std::string home;
  if (const char* h = std::getenv("HOME"); h && *h) home = h;
  else if (const passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_dir) home = pw->pw_dir;
  else home = "/root";
  return home + "/.ssh/known_hosts";
}

void SshSession::SessionDeleter::operator()(_LIBSSH2_SESSION* s) const {
  // Blocking with a short bound for the goodbye: disconnect and freeing leftover channels may
  // need to write, and must neither spin on EAGAIN nor hang on a dead peer.
  libssh2_session_set_timeout(s, 1000);
  libssh2_session_set_blocking(s, 1);
  libssh2_session_disconnect(s, "bye");
  libssh2_session_free(s);
}

SshSession::SshSession(SshSession&&) noexcept = default;
SshSession& SshSession::operator=(SshSession&&) noexcept = default;

SshSession::~SshSession() {
  // A broken connection cannot say goodbye: shut the socket so libssh2 fails fast instead of waiting.
  if (session_ && broken_ && sock_) ::shutdown(sock_.get(), SHUT_RDWR);
}

Error SshSession::ssh_error(const std::string& prefix, int rc) {
  char* msg = nullptr;
  int len = 0;
  const int code = libssh2_session_last_error(session_.get(), &msg, &len, 0);
  if (rc == 0) rc = code;
  const std::string why = (msg && len > 0) ? std::string(msg, size_t(len)) : "unknown ssh error";
  // BAD_USE: libssh2 has a packet half-sent that it cannot finish; nothing more can go out.
  if (rc == LIBSSH2_ERROR_BAD_USE) broken_ = true;
  if (!is_connection_error(rc)) return Error::failed(prefix + ": " + why);
  broken_ = true;
  if (rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT) return Error::timeout(prefix + ": " + why);
  if (rc == LIBSSH2_ERROR_SOCKET_DISCONNECT || rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND ||
      rc == LIBSSH2_ERROR_SOCKET_NONE)
    return Error::os(prefix + ": connection lost (" + why + ")");
  return Error::os(prefix + ": " + why);
}

Result<void> SshSession::wait_socket(Clock::time_point deadline, milliseconds cap) {
  const int dirs = libssh2_session_block_directions(session_.get());
  short events = 0;
  if (dirs & LIBSSH2_SESSION_BLOCK_INBOUND) events |= POLLIN;
  if (dirs & LIBSSH2_SESSION_BLOCK_OUTBOUND) events |= POLLOUT;
  if (events == 0) {
    events = POLLIN;
    cap = std::min(cap, milliseconds(20));  // libssh2 may hold buffered work: look again soon
  }
  const auto left = std::chrono::ceil<milliseconds>(deadline - Clock::now());
  if (left.count() <= 0) return fail(Error::timeout("deadline passed"));
  pollfd pfd{sock_.get(), events, 0};
  const int rc = ::poll(&pfd, 1, int(std::min(left, cap).count()));
  if (rc < 0 && errno != EINTR) return fail_errno(errno, "poll");
  return {};
}

Result<void> SshSession::open_socket(const SshTarget& target, Clock::time_point deadline, milliseconds budget) {
  const std::string where = "connect to " + target.host + " port " + std::to_string(target.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;  // no AI_ADDRCONFIG: it hides 127.0.0.1 in a namespace with only lo
  addrinfo* res = nullptr;
  const std::string port = std::to_string(target.port);
  if (const int g = ::getaddrinfo(target.host.c_str(), port.c_str(), &hints, &res); g != 0)
    return fail(Error::input("host " + label_ + ": " + where + ": " + ::gai_strerror(g)));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owner(res, ::freeaddrinfo);
  std::string last = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    UniqueFd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol));
    if (!fd) {
      last = errno_string(errno);
      continue;
    }
    if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = errno_string(errno);
        continue;
      }
      for (;;) {
        const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
        if (left.count() <= 0)
          return fail(Error::timeout("host " + label_ + ": " + where + ": timed out after " + seconds_text(budget)));
        pollfd pfd{fd.get(), POLLOUT, 0};
        const int pr = ::poll(&pfd, 1, int(left.count()));
        if (pr < 0 && errno == EINTR) continue;
        if (pr < 0) return fail_errno(errno, "host " + label_ + ": " + where + ": poll");
        if (pr > 0) break;
      }
      int soerr = 0;
      socklen_t len = sizeof soerr;
      ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &soerr, &len);
      if (soerr != 0) {
        last = errno_string(soerr);
        continue;
      }
    }
    const int one = 1;
    ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    sock_ = std::move(fd);
    return {};
  }
  return fail(Error::os("host " + label_ + ": " + where + ": " + last));
}

Result<void> SshSession::handshake(Clock::time_point deadline, milliseconds budget) {
  for (;;) {
    const int rc = libssh2_session_handshake(session_.get(), sock_.get());
    if (rc == 0) return {};
    if (rc != LIBSSH2_ERROR_EAGAIN) {
      Error e = ssh_error("host " + label_ + ": ssh handshake", rc);
      broken_ = true;
      return fail(std::move(e));
    }
    if (!wait_socket(deadline))
      return fail(Error::timeout("host " + label_ + ": ssh handshake: no answer within " + seconds_text(budget) +
                                 " (is an ssh server listening there?)"));
  }
}

Result<void> SshSession::verify_host_key(const SshTarget& target, const SshOptions& options,
                                         const std::string& known_hosts_path) {
  size_t len = 0;
  int type = 0;
  const char* key = libssh2_session_hostkey(session_.get(), &len, &type);
  const std::string prefix = "host " + label_ + ": host key: ";
  if (!key || len == 0) return fail(Error::failed(prefix + "the server offered no host key"));
  const std::span<const uint8_t> blob(reinterpret_cast<const uint8_t*>(key), len);
  fingerprint_ = sha256_fingerprint(blob);
  key_type_ = key_blob_type(blob).value_or("unknown");

  auto known = KnownHosts::load(known_hosts_path);
  if (!known) return fail(std::move(known.error()).context("host " + label_ + ": host key"));
  auto verdict = known->check(target.host, target.port, blob);
  if (!verdict) return fail(std::move(verdict.error()).context("host " + label_ + ": host key"));
  const std::string name = known_hosts_name(target.host, target.port);
  switch (verdict->status) {
    case HostKeyCheck::Status::match:
      return {};
    case HostKeyCheck::Status::revoked:
      return fail(Error::failed(prefix + key_type_ + " key " + fingerprint_ + " is marked @revoked in " +
                                known_hosts_path + "; refusing to connect"));
    case HostKeyCheck::Status::mismatch:
      return fail(Error::failed(
          prefix + "CHANGED: " + known_hosts_path + " records " + key_type_ + " key " +
          (verdict->expected_fingerprint.empty() ? std::string("(unreadable)") : verdict->expected_fingerprint) +
          " for " + name + ", but the host offered " + fingerprint_ +
          "; refusing to connect (if the host was reinstalled, remove the old key with `ssh-keygen -R " +
          name + " -f " + known_hosts_path + "`)"));
    case HostKeyCheck::Status::not_found:
      break;
  }
  if (!options.accept_new_host_keys)
    return fail(Error::failed(prefix + "unknown host: " + name + " offered " + key_type_ + " key " + fingerprint_ +
                              ", which is not in " + known_hosts_path +
                              "; verify it and rerun with --accept-new-host-keys to record it"));
  auto line = known_hosts_line(target.host, target.port, blob);
  if (!line) return fail(std::move(line.error()).context("host " + label_ + ": host key"));
  if (auto r = KnownHosts::append(known_hosts_path, *line); !r)
    return fail(std::move(r.error()).context("host " + label_ + ": host key: recording new key"));
  log::info("host " + label_ + ": recorded new " + key_type_ + " host key " + fingerprint_ + " in " +
            known_hosts_path);
  return {};
}

Result<void> SshSession::authenticate(const SshTarget& target, Clock::time_point deadline) {
  const std::string prefix = "host " + label_ + ": auth as " + target.user + ": ";
  if (target.identity.empty()) return fail(Error::input(prefix + "no private key file given"));
  if (::access(target.identity.c_str(), R_OK) != 0)
    return fail_errno(errno, prefix + "private key " + target.identity);
  std::string pub = target.identity + ".pub";
  const bool have_pub = ::access(pub.c_str(), R_OK) == 0;

  // Which methods does the server take? (Also sends the "ssh-userauth" service request.)
  for (;;) {
    const char* methods = libssh2_userauth_list(session_.get(), target.user.c_str(), unsigned(target.user.size()));
    if (methods) {
      if (!std::strstr(methods, "publickey"))
        return fail(Error::failed(prefix + "the server does not accept public keys (it offers: " +
                                  std::string(methods) + ")"));
      break;
    }
    if (libssh2_userauth_authenticated(session_.get())) return {};  // "none" was enough
    const int err = libssh2_session_last_errno(session_.get());
    if (err != LIBSSH2_ERROR_EAGAIN) return fail(ssh_error("host " + label_ + ": auth as " + target.user, err));
    if (!wait_socket(deadline)) return fail(Error::timeout(prefix + "no answer in time"));
  }
  for (;;) {
    const int rc = libssh2_userauth_publickey_fromfile_ex(
        session_.get(), target.user.c_str(), unsigned(target.user.size()), have_pub ? pub.c_str() : nullptr,
        target.identity.c_str(), target.passphrase.empty() ? nullptr : target.passphrase.c_str());
    if (rc == 0) return {};
    if (rc == LIBSSH2_ERROR_EAGAIN) {
      if (!wait_socket(deadline)) return fail(Error::timeout(prefix + "no answer in time"));
      continue;
    }
    if (rc == LIBSSH2_ERROR_AUTHENTICATION_FAILED || rc == LIBSSH2_ERROR_PUBLICKEY_UNVERIFIED)
      return fail(Error::failed(prefix + "the server refused key " + target.identity + " for " + target.user + "@" +
                                target.host));
    if (rc == LIBSSH2_ERROR_FILE || rc == LIBSSH2_ERROR_METHOD_NOT_SUPPORTED) {
      const Error e = ssh_error("", rc);
      return fail(Error::input(prefix + "cannot use key " + target.identity + " (" + e.message().substr(2) +
                               "; wrong passphrase or unsupported key format?)"));
    }
    return fail(ssh_error("host " + label_ + ": auth as " + target.user, rc));
  }
}

Result<SshSession> SshSession::connect(const SshTarget& target, const SshOptions& options) {
  SW_TRY_VOID(ssh_library_init());
  const auto start = Clock::now();
  const auto deadline = start + options.connect_timeout;
  SshSession s;
  s.label_ = target.port == 22 ? target.host : target.host + ":" + std::to_string(target.port);
  if (target.host.empty()) return fail(Error::input("ssh: empty host name"));
  if (target.port <= 0 || target.port > 65535)
    return fail(Error::input("host " + s.label_ + ": port " + std::to_string(target.port) + " is out of range"));
  const std::string known_hosts = options.known_hosts.empty() ? default_known_hosts_path() : options.known_hosts;

  SW_TRY_VOID(s.open_socket(target, deadline, options.connect_timeout));
  const int user_timeout_ms = int(std::chrono::duration_cast<milliseconds>(options.keepalive * 3).count());
  ::setsockopt(s.sock_.get(), IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout_ms, sizeof user_timeout_ms);
  const int on = 1, idle = int(std::max<int64_t>(1, options.keepalive.count())), probes = 3;
  ::setsockopt(s.sock_.get(), SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  ::setsockopt(s.sock_.get(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  ::setsockopt(s.sock_.get(), IPPROTO_TCP, TCP_KEEPINTVL, &idle, sizeof idle);
  ::setsockopt(s.sock_.get(), IPPROTO_TCP, TCP_KEEPCNT, &probes, sizeof probes);

  s.session_.reset(libssh2_session_init());
  if (!s.session_) return fail(Error::os("host " + s.label_ + ": ssh: out of memory"));
  libssh2_session_set_blocking(s.session_.get(), 0);

  // Ask for the key type known_hosts records for this host (as OpenSSH does); otherwise libssh2
  // would prefer ECDSA and a host known by its ed25519 key would look unknown.
  auto known = KnownHosts::load(known_hosts);
  if (!known) return fail(std::move(known.error()).context("host " + s.label_ + ": host key"));
  const std::string methods = supported_methods(
      s.session_.get(), LIBSSH2_METHOD_HOSTKEY, hostkey_methods_for(known->recorded_key_types(target.host, target.port)));
  if (!methods.empty()) libssh2_session_method_pref(s.session_.get(), LIBSSH2_METHOD_HOSTKEY, methods.c_str());

  SW_TRY_VOID(s.handshake(deadline, options.connect_timeout));
  SW_TRY_VOID(s.verify_host_key(target, options, known_hosts));
  SW_TRY_VOID(s.authenticate(target, deadline));
  s.connect_duration_ = since(start);
  log::debug("host " + s.label_ + ": ssh session up in " + std::to_string(s.connect_duration_.count()) + " ms (" +
             s.key_type_ + " " + s.fingerprint_ + ")");
  return s;
}

// One exec channel: opened, fed, drained, closed and freed within one call.
class SshSession::Channel {
 public:
  Channel(SshSession& s, std::string prefix) : s_(s), prefix_(std::move(prefix)) {}
  ~Channel() { release(Clock::now() + milliseconds(1000)); }
  Channel(const Channel&) = delete;
  Channel& operator=(const Channel&) = delete;

  LIBSSH2_SESSION* session() const { return s_.session_.get(); }
  LIBSSH2_CHANNEL* get() const { return ch_; }

  Error error(std::string_view step, int rc) {
    return s_.ssh_error(step.empty() ? prefix_ : prefix_ + ": " + std::string(step), rc);
  }

  /// Repeats op while it says EAGAIN, waiting on the socket, until deadline.
  template <class Op>
  Result<int> retry(Op op, Clock::time_point deadline, std::string_view step) {
    for (;;) {
      const int rc = int(op());
      if (rc != LIBSSH2_ERROR_EAGAIN) return rc;
      if (!s_.wait_socket(deadline)) return fail(Error::timeout(prefix_ + ": " + std::string(step) + ": timed out"));
    }
  }

  Result<void> open(Clock::time_point deadline) {
    for (;;) {
      ch_ = libssh2_channel_open_ex(session(), "session", sizeof("session") - 1, kWindow,
                                    LIBSSH2_CHANNEL_PACKET_DEFAULT, nullptr, 0);
      if (ch_) return {};
      const int err = libssh2_session_last_errno(session());
      if (err != LIBSSH2_ERROR_EAGAIN) return fail(error("open channel", err));
      if (!s_.wait_socket(deadline)) return fail(Error::timeout(prefix_ + ": open channel: timed out"));
    }
  }

  /// Closes and frees the channel within deadline; if that cannot finish the session is unusable.
  void release(Clock::time_point deadline) {
    if (!ch_) return;
    for (;;) {
      const int rc = libssh2_channel_free(ch_);
      if (rc == 0) break;
      if (rc != LIBSSH2_ERROR_EAGAIN || !s_.wait_socket(deadline)) {
        s_.broken_ = true;  // libssh2 still lists the channel; freeing the session frees it
        break;
      }
    }
    ch_ = nullptr;
  }

 private:
  SshSession& s_;
  std::string prefix_;
  LIBSSH2_CHANNEL* ch_ = nullptr;
};

Result<CommandResult> SshSession::exec(const std::string& command, const RunOptions& options) {
  return run_channel(command, options, "host " + label_ + ": command '" + display_command(command, options) + "'",
                     true);
}

Result<CommandResult> SshSession::run_channel(const std::string& command, const RunOptions& options,
                                              const std::string& prefix, bool kill_on_timeout) {
  const auto start = Clock::now();
  const auto deadline = start + options.timeout;
  if (!usable()) return fail(Error::os(prefix + ": the ssh session is closed after an earlier failure"));
  if (command.find('\0') != std::string::npos) return fail(Error::input(prefix + ": contains a NUL byte"));
  auto timed_out = [&] {
    return Error::timeout(prefix + ": timed out after " + seconds_text(options.timeout));
  };

  Channel ch(*this, prefix);
  exec_sent_ = false;
  if (auto r = ch.open(deadline); !r) return fail(r.error().kind() == ErrorKind::timeout ? timed_out() : r.error());
  exec_sent_ = true;
  // sshd runs the command in a new session (setsid), so the shell's pid is the process group of
  // everything it starts. The first line reports it on stderr (and is stripped from it) so that a
  // command that overruns can be killed whole: libssh2 1.10 cannot send the ssh "signal" request
  // on a started channel. On its own line, so that even a command that fails to parse reports it.
  const std::string wrapped = std::string(kPidPrologue) + "\n" + command;
  auto started = ch.retry([&] { return libssh2_channel_process_startup(ch.get(), "exec", 4, wrapped.data(),
                                                                       unsigned(wrapped.size())); },
                          deadline, "exec");
  if (!started) return fail(timed_out());
  if (*started != 0) return fail(ch.error("exec", *started));

  OutputTail out(options.output_cap), err(options.output_cap);
  PidLine pid_line;
  size_t input_sent = 0;
  bool eof_sent = false;
  bool out_done = false, err_done = false;
  std::vector<char> buf(256 * 1024);
  std::optional<Error> failure;

  // Reads what libssh2 has for one stream into sink; true when anything happened.
  auto drain = [&](int stream, auto&& sink, bool& done) {
    bool progress = false;
    while (!done) {
      const ssize_t n = libssh2_channel_read_ex(ch.get(), stream, buf.data(), buf.size());
      if (n > 0) {
        sink(std::string_view(buf.data(), size_t(n)));
        progress = true;
        continue;
      }
      // 0 is the end of the stream only once EOF came and nothing is queued for the channel.
      if (n == 0 && libssh2_channel_eof(ch.get())) done = progress = true;
      else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) failure = ch.error("", int(n));
      break;
    }
    return progress;
  };
  auto to_out = [&](std::string_view d) { out.append(d); };
  auto to_err = [&](std::string_view d) { pid_line.feed(d, err); };

  // libssh2 1.10 holds one half-sent packet per session and refuses any other packet with
  // LIBSSH2_ERROR_BAD_USE until the call that started it is repeated and finishes it. Sending input
  // and reading output both send packets (data and EOF; window adjustments), so while one of them
  // has a packet half-sent only that one is called again.
  enum class HalfSent { none, input, output } half_sent = HalfSent::none;
  auto outbound_blocked = [&] {
    return (libssh2_session_block_directions(session_.get()) & LIBSSH2_SESSION_BLOCK_OUTBOUND) != 0;
  };
  // Sends what input the channel takes, then its EOF; true when anything went out.
  auto push_input = [&] {
    bool progress = false, again = false;
    while (input_sent < options.input.size()) {
      const ssize_t w = libssh2_channel_write_ex(ch.get(), 0, options.input.data() + input_sent,
                                                 std::min<size_t>(options.input.size() - input_sent, 1 << 20));
      if (w > 0) {
        input_sent += size_t(w);
        progress = true;
      } else {
        if (w != LIBSSH2_ERROR_EAGAIN) failure = ch.error("sending input", int(w));
        again = true;
        break;
      }
    }
    if (!failure && input_sent == options.input.size()) {
      const int rc = libssh2_channel_send_eof(ch.get());
      if (rc == 0) eof_sent = progress = true;
      else if (rc != LIBSSH2_ERROR_EAGAIN) failure = ch.error("sending end of input", rc);
      else again = true;
    }
    half_sent = again && !failure && outbound_blocked() ? HalfSent::input : HalfSent::none;
    return progress;
  };

  for (;;) {
    bool progress = false;
    if (!eof_sent && half_sent != HalfSent::output) progress |= push_input();
    if (!failure && half_sent != HalfSent::input) {
      progress |= drain(0, to_out, out_done);
      if (!failure) progress |= drain(SSH_EXTENDED_DATA_STDERR, to_err, err_done);
      half_sent = !failure && outbound_blocked() ? HalfSent::output : HalfSent::none;
    }
    if (failure) return fail(std::move(*failure));
    if (out_done && err_done) break;

    if (Clock::now() >= deadline) {
      // Kill the command's process group from a second channel, then wind this one down. A
      // session that cannot do so within the grace period is dropped, so the next command starts
      // on a fresh connection instead of behind a stuck channel.
      const auto grace = Clock::now() + milliseconds(2000);
      // The kill needs a packet of its own: first finish the one half-sent, if any.
      while (!failure && half_sent != HalfSent::none && wait_socket(grace)) {
        if (half_sent == HalfSent::input) push_input();
        else {
          drain(0, [](std::string_view) {}, out_done);
          half_sent = !failure && outbound_blocked() ? HalfSent::output : HalfSent::none;
        }
      }
      if (failure || half_sent != HalfSent::none) broken_ = true;
      if (kill_on_timeout && pid_line.pgid() > 1 && usable()) {
        RunOptions k;
        k.timeout = milliseconds(1500);
        k.output_cap = 4096;
        (void)run_channel("kill -9 -" + std::to_string(pid_line.pgid()) + " 2>/dev/null", k, prefix + ": kill", false);
      }
      bool clean = usable();
      while (clean && !(out_done && err_done)) {
        auto discard = [](std::string_view) {};
        // Both streams are drained every round (no short circuit).
        const bool moved_out = drain(0, discard, out_done);
        const bool moved_err = drain(SSH_EXTENDED_DATA_STDERR, discard, err_done);
        const bool moved = moved_out || moved_err;
        if (failure) clean = false;
        else if (!moved && !(out_done && err_done) && !wait_socket(grace)) clean = false;
      }
      if (clean) clean = ch.retry([&] { return libssh2_channel_close(ch.get()); }, grace, "close").has_value();
      if (clean) clean = ch.retry([&] { return libssh2_channel_wait_closed(ch.get()); }, grace, "close").has_value();
      if (!clean) broken_ = true;
      ch.release(grace);
      log::debug(prefix + ": timed out; " + (clean ? "command killed, session kept" : "session dropped"));
      return fail(timed_out());
    }
    if (progress) continue;
    // A vanished peer shows up here as a socket error, through TCP keepalive and TCP_USER_TIMEOUT.
    if (auto w = wait_socket(deadline, milliseconds(1000)); !w && w.error().kind() != ErrorKind::timeout)
      return fail(std::move(w.error()).context(prefix));
  }
  pid_line.finish(err);

  // Output is complete; the exit status arrives with (before) the channel close.
  const auto close_deadline = std::max(deadline, Clock::now() + milliseconds(2000));
  // A command may end without reading all its input: a packet of it still half-sent goes out first.
  while (half_sent == HalfSent::input) {
    push_input();
    if (failure) return fail(std::move(*failure));
    if (half_sent == HalfSent::input && !wait_socket(close_deadline)) return fail(timed_out());
  }
  auto closed = ch.retry([&] { return libssh2_channel_close(ch.get()); }, close_deadline, "close");
  if (closed && *closed == 0)
    closed = ch.retry([&] { return libssh2_channel_wait_closed(ch.get()); }, close_deadline, "close");
  if (!closed) return fail(std::move(closed.error()));
  if (*closed != 0) return fail(ch.error("close", *closed));

  CommandResult r;
  char* sig = nullptr;
  size_t sig_len = 0;
  libssh2_channel_get_exit_signal(ch.get(), &sig, &sig_len, nullptr, nullptr, nullptr, nullptr);
  if (sig) {
    r.signal.assign(sig, sig_len);
    libssh2_free(session_.get(), sig);
  } else {
    r.exit_status = libssh2_channel_get_exit_status(ch.get());
  }
  ch.release(Clock::now() + milliseconds(1000));
  r.out_bytes = out.total();
  r.err_bytes = err.total();
  r.out = out.take();
  r.err = err.take();
  r.duration = since(start);
  return r;
}

Result<void> SshSession::upload(const std::string& path, std::string_view content, const UploadOptions& options) {
  const std::string prefix = "host " + label_ + ": upload " + path;
  const auto slash = path.rfind('/');
  if (path.empty() || path.front() != '/' || path.back() == '/')
    return fail(Error::input(prefix + ": need an absolute file path"));
  const std::string tmp = path.substr(0, slash + 1) + "." + path.substr(slash + 1) + ".swtmp-" + random_suffix();
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", unsigned(options.mode & 07777));
  auto q_tmp = shell_quote(tmp);
  auto q_path = shell_quote(path);
  if (!q_tmp || !q_path) return fail(Error::input(prefix + ": the path contains a NUL byte"));
  // The bytes travel on the channel's stdin into a 0600 temp file beside the target (same file
  // system, so the rename is atomic); its size is checked before it gets its mode and replaces path.
  const std::string command = "umask 077 && cat > " + *q_tmp + " && [ \"$(wc -c < " + *q_tmp + ")\" -eq " +
                              std::to_string(content.size()) + " ] && chmod " + mode + " " + *q_tmp + " && mv -f " +
                              *q_tmp + " " + *q_path + " || { rc=$?; rm -f " + *q_tmp + "; exit $rc; }";
  RunOptions run;
  run.timeout = options.timeout;
  run.input.assign(content);
  run.output_cap = 64 * 1024;
  auto r = run_channel(command, run, prefix, true);
  if (!r) return fail(std::move(r.error()));
  if (!r->ok()) {
    std::string why(trim(r->err));
    if (why.empty()) why = r->status_text();
    return fail(Error::failed(prefix + ": " + why));
  }
  return {};
}

SshHostRunner::SshHostRunner(SshTarget target, SshOptions options)
    : target_(std::move(target)), options_(std::move(options)) {}

Result<SshSession*> SshHostRunner::session_locked() {
  if (session_ && session_->usable()) return &*session_;
  session_.reset();
  session_.emplace(SW_TRY(SshSession::connect(target_, options_)));
  return &*session_;
}

Result<void> SshHostRunner::connect() {
  std::lock_guard lock(mutex_);
  SW_TRY(session_locked());
  return {};
}

// A reused session may have died while idle (the host rebooted, a NAT forgot it); that shows up
// when opening the channel, before anything ran remotely, and then one fresh connection is tried.
template <class Op>
auto SshHostRunner::with_session(Op op) -> decltype(op(std::declval<SshSession&>())) {
  std::lock_guard lock(mutex_);
  const bool reused = session_ && session_->usable();
  SshSession* s = SW_TRY(session_locked());
  auto r = op(*s);
  if (!r && reused && !s->usable() && !s->exec_sent_) {
    s = SW_TRY(session_locked());
    r = op(*s);
  }
  return r;
}

Result<CommandResult> SshHostRunner::run(const std::string& command, const RunOptions& options) {
  return with_session([&](SshSession& s) { return s.exec(command, options); });
}

// An upload is idempotent (a temp file checked and renamed over the target), so unlike a command it
// is sent again on a fresh connection when the session broke under it, even after its exec went out.
Result<void> SshHostRunner::upload(const std::string& path, std::string_view content, const UploadOptions& options) {
  std::lock_guard lock(mutex_);
  SshSession* s = SW_TRY(session_locked());
  auto r = s->upload(path, content, options);
  if (!r && !s->usable() && r.error().kind() != ErrorKind::input) {
    log::warn("host " + s->label() + ": upload " + path + " failed (" + r.error().message() + "); once more, on a new connection");
    std::this_thread::sleep_for(std::chrono::seconds(1));
    s = SW_TRY(session_locked());
    r = s->upload(path, content, options);
  }
  return r;
}

void SshHostRunner::disconnect() {
  std::lock_guard lock(mutex_);
  session_.reset();
}

std::string SshHostRunner::host_key_fingerprint() {
  std::lock_guard lock(mutex_);
  return session_ ? session_->host_key_fingerprint() : std::string();
}

}  // namespace sw::installer
