// OpenSSH known_hosts: fingerprints, the names hosts are recorded under, and a checked set of
// recorded keys. The set is read with libssh2's known-hosts parser (plain and hashed `|1|` names,
// `[host]:port`, comma lists, comments); lines it cannot read — key types it does not know,
// `@cert-authority` — are skipped and counted, and `@revoked` keys refuse any host offering them.
// A KnownHosts is a snapshot of the file: load it, check, drop it. Appending a newly accepted key
// goes straight to the file (append()), never by rewriting it, so lines we skipped survive.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

struct _LIBSSH2_SESSION;
struct _LIBSSH2_KNOWNHOSTS;

namespace sw::installer {

/// Calls libssh2_init exactly once per process (thread-safe); every libssh2 user calls this first.
Result<void> ssh_library_init();

/// RFC 4648 base64 with padding.
std::string base64_encode(std::span<const uint8_t> bytes);
/// Decodes RFC 4648 base64 (padding optional, no blanks); nullopt on anything else.
std::optional<std::vector<uint8_t>> base64_decode(std::string_view text);
/// SHA-256 of bytes.
std::array<uint8_t, 32> sha256(std::span<const uint8_t> bytes);

/// "SHA256:<unpadded base64>", exactly as `ssh-keygen -l` and ssh print a key's fingerprint.
std::string sha256_fingerprint(std::span<const uint8_t> key_blob);
/// The algorithm name a public key blob starts with ("ssh-ed25519", "ecdsa-sha2-nistp256",
/// "ssh-rsa"); nullopt when the blob is malformed.
std::optional<std::string> key_blob_type(std::span<const uint8_t> key_blob);
/// The name OpenSSH records a host under: "host" on port 22, "[host]:port" otherwise.
std::string known_hosts_name(std::string_view host, int port);
/// One known_hosts line (with '\n') recording key_blob for host/port, in OpenSSH's plain format.
Result<std::string> known_hosts_line(std::string_view host, int port, std::span<const uint8_t> key_blob);

/// libssh2's host key method list: the algorithms of the recorded types first (so a host known by
/// its ed25519 key is asked for that key, as OpenSSH does), then the rest in OpenSSH's order.
std::string hostkey_methods_for(const std::vector<std::string>& recorded_types);

struct HostKeyCheck {
  enum class Status {
    match,      ///< a recorded key of this host equals the offered one
    mismatch,   ///< the host is recorded with a different key of the same type
    not_found,  ///< no key of this type is recorded for the host
    revoked,    ///< the offered key is marked @revoked
  };
  Status status = Status::not_found;
  /// For mismatch: the fingerprint of the recorded key.
  std::string expected_fingerprint;
};

class KnownHosts {
 public:
  /// Parses known_hosts text; source names it in errors ("/root/.ssh/known_hosts").
  static Result<KnownHosts> parse(std::string_view text, std::string_view source);
  /// Reads a known_hosts file; a missing file is an empty set.
  static Result<KnownHosts> load(const std::string& path);

  /// Checks the key host:port offers against the recorded ones, as OpenSSH matches names
  /// (port 22 as "host", others as "[host]:port").
  Result<HostKeyCheck> check(std::string_view host, int port, std::span<const uint8_t> key_blob) const;
  /// Algorithm names ("ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa", ...) recorded for host:port,
  /// in OpenSSH's preference order; the handshake asks the server for these first.
  std::vector<std::string> recorded_key_types(std::string_view host, int port) const;

  /// Number of entries read, and of lines skipped as unreadable.
  size_t entries() const { return entries_; }
  size_t skipped() const { return skipped_; }

  /// Appends line to the file at path, creating it with mode 0600 (and its directory with 0700).
  /// One write(2) with O_APPEND, serialised within the process, so parallel accepts do not tear.
  static Result<void> append(const std::string& path, std::string_view line);

  KnownHosts(KnownHosts&&) noexcept;
  KnownHosts& operator=(KnownHosts&&) noexcept;
  ~KnownHosts();

 private:
  struct SessionDeleter { void operator()(_LIBSSH2_SESSION* s) const; };
  struct HostsDeleter { void operator()(_LIBSSH2_KNOWNHOSTS* h) const; };
  KnownHosts() = default;

  std::unique_ptr<_LIBSSH2_SESSION, SessionDeleter> session_;  // libssh2's parser needs one
  std::unique_ptr<_LIBSSH2_KNOWNHOSTS, HostsDeleter> hosts_;
  std::vector<std::vector<uint8_t>> revoked_;
  size_t entries_ = 0;
  size_t skipped_ = 0;
};

}  // namespace sw::installer
