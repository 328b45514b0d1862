// Fingerprints and known_hosts handling, on fixed keys (made once with ssh-keygen; the expected
// fingerprints are what `ssh-keygen -lf` printed for them) and text — no network, no files.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "installer/known_hosts.h"

namespace sw::installer {
namespace {

constexpr const char* kKey1 = "AAAAC3NzaC1lZDI1NTE5AAAAIG0VgROyfAsLEZEeNo9HMN2b+/yk0A22kX8ONC4K2zjs";
constexpr const char* kKey1Fp = "SHA256:RgW5Q6J91oSbBlXgLp+FCxdwk696JvXYcJjAIvpFKgA";
constexpr const char* kKey2 = "AAAAC3NzaC1lZDI1NTE5AAAAIB1EZXEXGdZGmA7Qu4WI1DbBEj7oz1dPoSxpbCNQIndP";
constexpr const char* kKey2Fp = "SHA256:QjfWC7VXZHTfxXztvI6tMdMC/ZvGfdpFxtQL5io8bgw";
constexpr const char* kEcdsa =
    "AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBLM/MgYRMh69BgMbsTG1l2SSBqj09N4WngvC0WVYmIkG3Mwy/"
    "SGVpG5KbYfvH7HeKv+R+Gjult9FzTOvJSvLEtA=";
constexpr const char* kEcdsaFp = "SHA256:5vaGgNCTAkVCVrRQJxgzXDFIIBAZa2wpX8RqfiMaQuQ";
// `ssh-keygen -H` of "10.15.0.7 <key1>" and "[127.0.0.1]:2222 <key2>".
constexpr const char* kHashed =
    "|1|pdtDQhX7yGlx7fkaYkLAz1esrJw=|HJqTfn5nmVP3mukuqcq9b6zlMBQ= ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIG0VgROyfAsLEZEeNo9HMN2b+/yk0A22kX8ONC4K2zjs\n"
    "|1|h0sXTafV/YO+iW+9tKL+6WgPldU=|LFyO/lIaO82sY6jnsNbIg7R7mpU= ssh-ed25519 "
    "AAAAC3NzaC1lZDI1NTE5AAAAIB1EZXEXGdZGmA7Qu4WI1DbBEj7oz1dPoSxpbCNQIndP\n";

std::vector<uint8_t> blob(const char* b64) { return base64_decode(b64).value(); }

std::string hex(std::span<const uint8_t> d) {
  std::string s;
  char b[3];
  for (auto c : d) {
    std::snprintf(b, sizeof b, "%02x", c);
    s += b;
  }
  return s;
}

std::vector<uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Sha256, KnownVectors) {
  EXPECT_EQ(hex(sha256(bytes(""))), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hex(sha256(bytes("abc"))), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hex(sha256(bytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hex(sha256(std::vector<uint8_t>(1000000, 'a'))),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Base64, RoundTripsAndRejectsJunk) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const auto enc = base64_encode(bytes(s));
    const auto dec = base64_decode(enc);
    ASSERT_TRUE(dec.has_value()) << enc;
    EXPECT_EQ(std::string(dec->begin(), dec->end()), s);
  }
  EXPECT_EQ(base64_encode(bytes("foobar")), "Zm9vYmFy");
  EXPECT_EQ(base64_encode(bytes("fooba")), "Zm9vYmE=");
  EXPECT_FALSE(base64_decode("Zm9v YmFy").has_value());
  EXPECT_FALSE(base64_decode("Z").has_value());
}

TEST(Fingerprint, MatchesSshKeygen) {
  EXPECT_EQ(sha256_fingerprint(blob(kKey1)), kKey1Fp);
  EXPECT_EQ(sha256_fingerprint(blob(kKey2)), kKey2Fp);
  EXPECT_EQ(sha256_fingerprint(blob(kEcdsa)), kEcdsaFp);
}

TEST(KeyBlobType, ReadsTheAlgorithmName) {
  EXPECT_EQ(key_blob_type(blob(kKey1)).value(), "ssh-ed25519");
  EXPECT_EQ(key_blob_type(blob(kEcdsa)).value(), "ecdsa-sha2-nistp256");
  EXPECT_FALSE(key_blob_type(bytes("\0\0\0")).has_value());
  EXPECT_FALSE(key_blob_type(bytes(std::string("\0\0\0\x50xx", 6))).has_value());
}

TEST(KnownHostsName, FollowsOpenSsh) {
  EXPECT_EQ(known_hosts_name("10.15.0.7", 22), "10.15.0.7");
  EXPECT_EQ(known_hosts_name("10.15.0.7", 2222), "[10.15.0.7]:2222");
  EXPECT_EQ(known_hosts_line("10.15.0.7", 2222, blob(kKey1)).value(),
            std::string("[10.15.0.7]:2222 ssh-ed25519 ") + kKey1 + "\n");
  EXPECT_FALSE(known_hosts_line("a b", 22, blob(kKey1)).has_value());
  EXPECT_FALSE(known_hosts_line("*", 22, blob(kKey1)).has_value());
}

TEST(KnownHosts, PlainEntriesMatchMismatchAndUnknown) {
  const std::string text = std::string("# comment\n\n10.15.0.2,compute1 ssh-ed25519 ") + kKey1 +
                           " root@compute1\n[10.15.0.7]:2222 ssh-ed25519 " + kKey2 + "\n";
  auto kh = KnownHosts::parse(text, "test");
  ASSERT_TRUE(kh.has_value()) << kh.error().message();
  EXPECT_EQ(kh->entries(), 2u);
  EXPECT_EQ(kh->skipped(), 0u);

  EXPECT_EQ(kh->check("10.15.0.2", 22, blob(kKey1))->status, HostKeyCheck::Status::match);
  EXPECT_EQ(kh->check("compute1", 22, blob(kKey1))->status, HostKeyCheck::Status::match);
  EXPECT_EQ(kh->check("10.15.0.7", 2222, blob(kKey2))->status, HostKeyCheck::Status::match);

  auto changed = kh->check("10.15.0.2", 22, blob(kKey2));
  ASSERT_TRUE(changed.has_value());
  EXPECT_EQ(changed->status, HostKeyCheck::Status::mismatch);
  EXPECT_EQ(changed->expected_fingerprint, kKey1Fp);

  // Port matters: "[h]:2222" is not "h", and the bare name does not cover other ports.
  EXPECT_EQ(kh->check("10.15.0.7", 22, blob(kKey2))->status, HostKeyCheck::Status::not_found);
  EXPECT_EQ(kh->check("10.15.0.2", 2222, blob(kKey2))->status, HostKeyCheck::Status::not_found);
  // A key of another type is unknown, not changed (as in OpenSSH).
  EXPECT_EQ(kh->check("10.15.0.2", 22, blob(kEcdsa))->status, HostKeyCheck::Status::not_found);
}

TEST(KnownHosts, HashedEntriesFromSshKeygen) {
  auto kh = KnownHosts::parse(kHashed, "hashed");
  ASSERT_TRUE(kh.has_value());
  EXPECT_EQ(kh->entries(), 2u);
  EXPECT_EQ(kh->check("10.15.0.7", 22, blob(kKey1))->status, HostKeyCheck::Status::match);
  EXPECT_EQ(kh->check("127.0.0.1", 2222, blob(kKey2))->status, HostKeyCheck::Status::match);
  auto changed = kh->check("127.0.0.1", 2222, blob(kKey1));
  EXPECT_EQ(changed->status, HostKeyCheck::Status::mismatch);
  EXPECT_EQ(changed->expected_fingerprint, kKey2Fp);
  EXPECT_EQ(kh->check("127.0.0.1", 22, blob(kKey2))->status, HostKeyCheck::Status::not_found);
  EXPECT_EQ(kh->recorded_key_types("10.15.0.7", 22), std::vector<std::string>{"ssh-ed25519"});
}

TEST(KnownHosts, SkipsWhatItCannotReadAndHonoursRevoked) {
  const std::string text = std::string("@cert-authority *.example ssh-ed25519 ") + kKey1 +
                           "\nhost sk-ssh-ed25519@openssh.com AAAAGnNrLXNzaC1lZDI1NTE5QG9wZW5zc2guY29t\n" +
                           "garbage\n@revoked * ssh-ed25519 " + kKey2 + "\nrevokedhost ssh-ed25519 " + kKey2 +
                           "\n10.15.0.8 ecdsa-sha2-nistp256 " + kEcdsa + "\n";
  auto kh = KnownHosts::parse(text, "mixed");
  ASSERT_TRUE(kh.has_value());
  // libssh2 keeps the sk- line as a key of unknown type (it never matches); the CA and junk are skipped.
  EXPECT_EQ(kh->entries(), 3u);
  EXPECT_EQ(kh->skipped(), 2u);
  EXPECT_EQ(kh->check("revokedhost", 22, blob(kKey2))->status, HostKeyCheck::Status::revoked);
  EXPECT_EQ(kh->check("10.15.0.8", 22, blob(kEcdsa))->status, HostKeyCheck::Status::match);
  EXPECT_EQ(kh->recorded_key_types("10.15.0.8", 22), std::vector<std::string>{"ecdsa-sha2-nistp256"});
  EXPECT_TRUE(kh->recorded_key_types("10.15.0.9", 22).empty());
}

TEST(KnownHosts, WrittenLineReadsBack) {
  auto line = known_hosts_line("10.15.0.4", 2200, blob(kEcdsa));
  ASSERT_TRUE(line.has_value());
  auto kh = KnownHosts::parse(*line, "written");
  ASSERT_TRUE(kh.has_value());
  EXPECT_EQ(kh->entries(), 1u);
  EXPECT_EQ(kh->check("10.15.0.4", 2200, blob(kEcdsa))->status, HostKeyCheck::Status::match);
}

TEST(HostkeyMethods, RecordedTypesFirst) {
  EXPECT_EQ(hostkey_methods_for({}).substr(0, 31), "ssh-ed25519,ecdsa-sha2-nistp256");
  const auto m = hostkey_methods_for({"ecdsa-sha2-nistp256"});
  EXPECT_EQ(m.substr(0, 32), "ecdsa-sha2-nistp256,ssh-ed25519,");
  EXPECT_NE(m.find("rsa-sha2-512"), std::string::npos);
}

}  // namespace
}  // namespace sw::installer
