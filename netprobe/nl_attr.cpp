#include "netprobe/nl_attr.h"

#include <arpa/inet.h>

namespace sw::netprobe::nl {

Result<std::vector<Message>> split(Bytes buffer) {
  std::vector<Message> out;
  std::size_t off = 0;
  while (buffer.size() - off >= sizeof(nlmsghdr)) {
    nlmsghdr h;
    std::memcpy(&h, buffer.data() + off, sizeof h);
    if (h.nlmsg_len < sizeof(nlmsghdr) || h.nlmsg_len > buffer.size() - off)
      return fail(Error::os("netlink: message length " + std::to_string(h.nlmsg_len) + " at offset " +
                                std::to_string(off) + " does not fit a " + std::to_string(buffer.size()) +
                                "-byte buffer"));
    out.push_back(Message{h.nlmsg_type, h.nlmsg_flags, h.nlmsg_seq, h.nlmsg_pid,
                          buffer.subspan(off + sizeof(nlmsghdr), h.nlmsg_len - sizeof(nlmsghdr))});
    off += NLMSG_ALIGN(h.nlmsg_len);
    if (off > buffer.size()) break;
  }
  return out;
}

Result<Message> single(Bytes buffer) {
  auto msgs = SW_TRY(split(buffer));
  if (msgs.size() != 1)
    return fail(Error::os("netlink: expected one message, got " + std::to_string(msgs.size())));
  return msgs.front();
}

Result<Attrs> Attrs::parse(Bytes bytes) {
  Attrs a;
  std::size_t off = 0;
  while (bytes.size() - off >= sizeof(nlattr)) {
    nlattr h;
    std::memcpy(&h, bytes.data() + off, sizeof h);
    if (h.nla_len < sizeof(nlattr) || h.nla_len > bytes.size() - off)
      return fail(Error::os("netlink: attribute type " + std::to_string(h.nla_type & NLA_TYPE_MASK) +
                                " has length " + std::to_string(h.nla_len) + ", " +
                                std::to_string(bytes.size() - off) + " bytes left"));
    const std::uint16_t type = h.nla_type & NLA_TYPE_MASK;
    if (type < kMaxType) {
      a.data_[type] = bytes.subspan(off + NLA_HDRLEN, h.nla_len - NLA_HDRLEN);
      a.present_[type] = true;
    }
    off += NLA_ALIGN(h.nla_len);
    if (off > bytes.size()) break;
  }
  return a;
}

Result<Attrs> Attrs::after_header(Bytes payload, std::size_t hdr_len) {
  const std::size_t start = NLMSG_ALIGN(hdr_len);
  if (payload.size() < hdr_len)
    return fail(Error::os("netlink: payload of " + std::to_string(payload.size()) +
                              " bytes is shorter than its " + std::to_string(hdr_len) + "-byte header"));
  if (payload.size() <= start) return Attrs{};
  return parse(payload.subspan(start));
}

std::optional<std::uint16_t> Attrs::be16(std::uint16_t type) const {
  auto v = u16(type);
  if (!v) return std::nullopt;
  return ntohs(*v);
}

std::optional<std::string> Attrs::str(std::uint16_t type) const {
  if (!has(type)) return std::nullopt;
  const Bytes b = data_[type];
  std::size_t n = 0;
  while (n < b.size() && b[n] != std::byte{0}) ++n;
  return std::string(reinterpret_cast<const char*>(b.data()), n);
}

std::optional<IpAddress> Attrs::ip(std::uint16_t type) const {
  if (!has(type)) return std::nullopt;
  return IpAddress::from_bytes(data_[type]);
}

Result<Attrs> Attrs::nested(std::uint16_t type) const {
  if (!has(type)) return Attrs{};
  return parse(data_[type]);
}

}  // namespace sw::netprobe::nl
