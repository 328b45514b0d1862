// Builds netlink messages byte by byte for decoder tests — the kernel's side of the conversation,
// without the kernel. Attributes nest with begin_nest()/end_nest(); finish() writes nlmsg_len.
#pragma once

#include <linux/netlink.h>

#include <arpa/inet.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace sw::test {

class NlBuilder {
 public:
  NlBuilder(std::uint16_t type, std::uint16_t flags = 0) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    put_raw(&h, sizeof h);
  }

  template <class T>
  NlBuilder& header(const T& hdr) {
    put_raw(&hdr, sizeof hdr);
    align();
    return *this;
  }

  NlBuilder& attr(std::uint16_t type, const void* data, std::size_t len) {
    nlattr a{static_cast<std::uint16_t>(NLA_HDRLEN + len), type};
    put_raw(&a, sizeof a);
    put_raw(data, len);
    align();
    return *this;
  }
  NlBuilder& u8(std::uint16_t type, std::uint8_t v) { return attr(type, &v, 1); }
  NlBuilder& u16(std::uint16_t type, std::uint16_t v) { return attr(type, &v, 2); }
  NlBuilder& u32(std::uint16_t type, std::uint32_t v) { return attr(type, &v, 4); }
  NlBuilder& s32(std::uint16_t type, std::int32_t v) { return attr(type, &v, 4); }
  NlBuilder& be16(std::uint16_t type, std::uint16_t v) { return u16(type, htons(v)); }
  NlBuilder& be32(std::uint16_t type, std::uint32_t v) { return u32(type, htonl(v)); }
  NlBuilder& str(std::uint16_t type, const std::string& s) { return attr(type, s.c_str(), s.size() + 1); }
  NlBuilder& bytes(std::uint16_t type, std::vector<std::uint8_t> b) { return attr(type, b.data(), b.size()); }
  /// An IPv4 or IPv6 literal as 4 or 16 bytes.
  NlBuilder& ip(std::uint16_t type, const std::string& text) {
    unsigned char buf[16];
    if (inet_pton(AF_INET, text.c_str(), buf) == 1) return attr(type, buf, 4);
    inet_pton(AF_INET6, text.c_str(), buf);
    return attr(type, buf, 16);
  }

  NlBuilder& begin_nest(std::uint16_t type) {
    nests_.push_back(buf_.size());
    nlattr a{0, static_cast<std::uint16_t>(type | NLA_F_NESTED)};
    put_raw(&a, sizeof a);
    return *this;
  }
  NlBuilder& end_nest() {
    const std::size_t at = nests_.back();
    nests_.pop_back();
    const auto len = static_cast<std::uint16_t>(buf_.size() - at);
    std::memcpy(buf_.data() + at, &len, 2);
    return *this;
  }

  /// Raw bytes appended as they are (for nested non-attribute data such as rtnexthop).
  NlBuilder& raw(const void* data, std::size_t len) {
    put_raw(data, len);
    align();
    return *this;
  }

  std::vector<std::byte> finish() const {
    std::vector<std::byte> out = buf_;
    const auto len = static_cast<std::uint32_t>(out.size());
    std::memcpy(out.data(), &len, 4);
    return out;
  }

 private:
  // resize + memcpy: g++ 12 misreads vector::insert of raw bytes as an overflow.
  void put_raw(const void* p, std::size_t n) {
    const std::size_t at = buf_.size();
    buf_.resize(at + n);
    if (n) std::memcpy(buf_.data() + at, p, n);
  }
  void align() { buf_.resize(NLMSG_ALIGN(buf_.size())); }

  std::vector<std::byte> buf_;
  std::vector<std::size_t> nests_;
};

}  // namespace sw::test
