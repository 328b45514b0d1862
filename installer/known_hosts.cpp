#include "installer/known_hosts.h"

#include <fcntl.h>
#include <libssh2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>

#include "common/strings.h"
#include "common/unique_fd.h"

namespace sw::installer {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Key algorithms as recorded in known_hosts, in OpenSSH's preference order, with libssh2's
// known-hosts type bits and the host key algorithms that produce them.
struct KeyKind {
  const char* name;
  int knownhost_mask;
  const char* hostkey_methods;
};
constexpr KeyKind kKeyKinds[] = {
    {"ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519, "ssh-ed25519"},
    {"ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256, "ecdsa-sha2-nistp256"},
    {"ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384, "ecdsa-sha2-nistp384"},
    {"ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521, "ecdsa-sha2-nistp521"},
    {"ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA, "rsa-sha2-512,rsa-sha2-256,ssh-rsa"},
    {"ssh-dss", LIBSSH2_KNOWNHOST_KEY_SSHDSS, "ssh-dss"},
};

int knownhost_mask_of(std::string_view type) {
  for (const auto& k : kKeyKinds)
    if (type == k.name) return k.knownhost_mask;
  return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
}

uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

std::mutex g_append_mutex;

}  // namespace

Result<void> ssh_library_init() {
  static std::once_flag once;
  static int rc = 0;
  std::call_once(once, [] { rc = libssh2_init(0); });
  if (rc != 0) return fail(Error::os("libssh2_init failed (crypto backend did not initialise)"));
  return {};
}

std::string base64_encode(std::span<const uint8_t> in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (uint32_t(in[i]) << 16) | (uint32_t(in[i + 1]) << 8) | in[i + 2];
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += kB64[(v >> 6) & 63];
    out += kB64[v & 63];
  }
  if (const size_t rest = in.size() - i; rest > 0) {
    uint32_t v = uint32_t(in[i]) << 16;
    if (rest == 2) v |= uint32_t(in[i + 1]) << 8;
    out += kB64[v >> 18];
    out += kB64[(v >> 12) & 63];
    out += rest == 2 ? kB64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> base64_decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  if (text.size() % 4 == 1) return std::nullopt;
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const char* p = c ? std::strchr(kB64, c) : nullptr;
    if (!p) return std::nullopt;
    acc = (acc << 6) | uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(uint8_t(acc >> bits));
    }
  }
  return out;
}

std::array<uint8_t, 32> sha256(std::span<const uint8_t> data) {
  static constexpr uint32_t k[64] = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
      0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
      0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
      0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
      0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
      0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
      0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::vector<uint8_t> msg(data.begin(), data.end());
  const uint64_t bit_len = uint64_t(data.size()) * 8;
  msg.push_back(0x80);
  while (msg.size() % 64 != 56) msg.push_back(0);
  for (int i = 7; i >= 0; --i) msg.push_back(uint8_t(bit_len >> (i * 8)));
  for (size_t off = 0; off < msg.size(); off += 64) {
    uint32_t w[64];
    for (int i = 0; i < 16; ++i)
      w[i] = (uint32_t(msg[off + 4 * i]) << 24) | (uint32_t(msg[off + 4 * i + 1]) << 16) |
             (uint32_t(msg[off + 4 * i + 2]) << 8) | msg[off + 4 * i + 3];
    for (int i = 16; i < 64; ++i) {
      const uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      const uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; ++i) {
      const uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k[i] + w[i];
      const uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
      hh = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  std::array<uint8_t, 32> out{};
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 4; ++j) out[4 * i + j] = uint8_t(h[i] >> (24 - 8 * j));
  return out;
}

std::string sha256_fingerprint(std::span<const uint8_t> key_blob) {
  const auto digest = sha256(key_blob);
  std::string b64 = base64_encode(digest);
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return "SHA256:" + b64;
}

std::optional<std::string> key_blob_type(std::span<const uint8_t> blob) {
  if (blob.size() < 4) return std::nullopt;
  const uint32_t len = (uint32_t(blob[0]) << 24) | (uint32_t(blob[1]) << 16) | (uint32_t(blob[2]) << 8) | blob[3];
  if (len == 0 || len > 64 || len > blob.size() - 4) return std::nullopt;
  std::string type(reinterpret_cast<const char*>(blob.data() + 4), len);
  for (char c : type)
    if (c <= ' ' || c > '~') return std::nullopt;
  return type;
}

std::string known_hosts_name(std::string_view host, int port) {
  if (port == 22) return std::string(host);
  return "[" + std::string(host) + "]:" + std::to_string(port);
}

Result<std::string> known_hosts_line(std::string_view host, int port, std::span<const uint8_t> key_blob) {
  auto type = key_blob_type(key_blob);
  if (!type) return fail(Error::input("host key of " + std::string(host) + " is malformed"));
  for (char c : host)
    if (c <= ' ' || c == ',' || c == '#' || c == '[' || c == ']' || c == '*' || c == '?' || c == '!')
      return fail(Error::input("host name '" + std::string(host) + "' cannot be recorded in known_hosts"));
  return known_hosts_name(host, port) + " " + *type + " " + base64_encode(key_blob) + "\n";
}

void KnownHosts::SessionDeleter::operator()(_LIBSSH2_SESSION* s) const { libssh2_session_free(s); }
void KnownHosts::HostsDeleter::operator()(_LIBSSH2_KNOWNHOSTS* h) const { libssh2_knownhost_free(h); }

KnownHosts::KnownHosts(KnownHosts&&) noexcept = default;
KnownHosts& KnownHosts::operator=(KnownHosts&&) noexcept = default;
KnownHosts::~KnownHosts() = default;

Result<KnownHosts> KnownHosts::parse(std::string_view text, std::string_view source) {
  SW_TRY_VOID(ssh_library_init());
  KnownHosts kh;
  kh.session_.reset(libssh2_session_init());
  if (!kh.session_) return fail(Error::os("known_hosts " + std::string(source) + ": out of memory"));
  kh.hosts_.reset(libssh2_knownhost_init(kh.session_.get()));
  if (!kh.hosts_) return fail(Error::os("known_hosts " + std::string(source) + ": out of memory"));

  for (std::string_view raw : split(text, '\n')) {
    const std::string_view line = trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '@') {
      // Markers: "@revoked hosts type key" is honoured (for every host); "@cert-authority" is
      // not used by us (we do not accept host certificates) and is skipped.
      std::vector<std::string_view> f;
      for (auto part : split(line, ' '))
        if (!part.empty()) f.push_back(part);
      if (f.size() >= 4 && f[0] == "@revoked") {
        if (auto blob = base64_decode(f[3])) kh.revoked_.push_back(std::move(*blob));
        else ++kh.skipped_;
      } else {
        ++kh.skipped_;
      }
      continue;
    }
    const std::string copy(line);
    if (libssh2_knownhost_readline(kh.hosts_.get(), copy.c_str(), copy.size(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) == 0)
      ++kh.entries_;
    else
      ++kh.skipped_;
  }
  return kh;
}

Result<KnownHosts> KnownHosts::load(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return parse("", path);
    return fail_errno(errno, "known_hosts " + path);
  }
  std::string text;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(errno, "known_hosts " + path);
    }
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  return parse(text, path);
}

Result<HostKeyCheck> KnownHosts::check(std::string_view host, int port, std::span<const uint8_t> key_blob) const {
  HostKeyCheck out;
  for (const auto& r : revoked_) {
    if (r.size() == key_blob.size() && std::equal(r.begin(), r.end(), key_blob.begin())) {
      out.status = HostKeyCheck::Status::revoked;
      return out;
    }
  }
  auto type = key_blob_type(key_blob);
  if (!type) return fail(Error::failed("host key is malformed"));
  const std::string name = known_hosts_name(host, port);
  libssh2_knownhost* ext = nullptr;
  // Port -1: match exactly the name OpenSSH would record (libssh2 would otherwise also try
  // the bare host for a non-standard port, which OpenSSH does not).
  const int rc = libssh2_knownhost_checkp(
      hosts_.get(), name.c_str(), -1, reinterpret_cast<const char*>(key_blob.data()), key_blob.size(),
      LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | knownhost_mask_of(*type), &ext);
  switch (rc) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
      out.status = HostKeyCheck::Status::match;
      return out;
    case LIBSSH2_KNOWNHOST_CHECK_NOTFOUND:
      out.status = HostKeyCheck::Status::not_found;
      return out;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
      out.status = HostKeyCheck::Status::mismatch;
      if (ext && ext->key) {
        if (auto blob = base64_decode(ext->key)) out.expected_fingerprint = sha256_fingerprint(*blob);
      }
      return out;
    default:
      return fail(Error::os("known_hosts lookup failed"));
  }
}

std::vector<std::string> KnownHosts::recorded_key_types(std::string_view host, int port) const {
  std::vector<std::string> types;
  const std::string name = known_hosts_name(host, port);
  // A one-byte key never equals a recorded one: MISMATCH means "a key of this type is recorded".
  const char probe = 0;
  for (const auto& k : kKeyKinds) {
    const int rc = libssh2_knownhost_checkp(hosts_.get(), name.c_str(), -1, &probe, 1,
                                            LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW |
                                                k.knownhost_mask,
                                            nullptr);
    if (rc == LIBSSH2_KNOWNHOST_CHECK_MISMATCH) types.emplace_back(k.name);
  }
  return types;
}

std::string hostkey_methods_for(const std::vector<std::string>& recorded) {
  std::string methods;
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& k : kKeyKinds) {
      bool is_recorded = false;
      for (const auto& t : recorded) is_recorded = is_recorded || t == k.name;
      if (is_recorded != (pass == 0)) continue;
      if (!methods.empty()) methods += ',';
      methods += k.hostkey_methods;
    }
  }
  return methods;
}

Result<void> KnownHosts::append(const std::string& path, std::string_view line) {
  std::lock_guard lock(g_append_mutex);
  const auto slash = path.rfind('/');
  if (slash != std::string::npos && slash > 0) {
    const std::string dir = path.substr(0, slash);
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return fail_errno(errno, "known_hosts directory " + dir);
  }
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(errno, "known_hosts " + path);
  std::string text(line);
  // Never glue a new entry onto an unterminated last line.
  struct stat st {};
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
    UniqueFd rd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    char last = '\n';
    if (rd && ::pread(rd.get(), &last, 1, st.st_size - 1) == 1 && last != '\n') text.insert(text.begin(), '\n');
  }
  const ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0) return fail_errno(errno, "known_hosts " + path);
  if (size_t(n) != text.size()) return fail(Error::os("known_hosts " + path + ": short write"));
  if (::fsync(fd.get()) != 0) return fail_errno(errno, "known_hosts " + path);
  return {};
}

}  // namespace sw::installer
