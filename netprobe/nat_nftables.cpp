#include "netprobe/nat_nftables.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "netprobe/nat_xtables.h"

namespace sw::netprobe {

namespace {

template <auto Fn>
struct Deleter {
  template <class T>
  void operator()(T* p) const { Fn(p); }
};
using TablePtr = std::unique_ptr<nftnl_table, Deleter<nftnl_table_free>>;
using ChainPtr = std::unique_ptr<nftnl_chain, Deleter<nftnl_chain_free>>;
using RulePtr = std::unique_ptr<nftnl_rule, Deleter<nftnl_rule_free>>;
using GenPtr = std::unique_ptr<nftnl_gen, Deleter<nftnl_gen_free>>;
using MnlSocketPtr = std::unique_ptr<mnl_socket, Deleter<mnl_socket_close>>;

// A netlink message copied to 4-byte aligned storage and checked enough for libnftnl's parsers,
// which trust nlmsg_len. Why the zero guard after the message: libnftnl 1.2.4 validates string
// attributes as MNL_TYPE_STRING, which does not require a terminating NUL, and then strcmp()s or
// strdup()s them (NFTA_EXPR_NAME, table and chain names); an unterminated name at the end of a
// malformed message would be read past the buffer. With the guard it ends at the guard.
struct Message {
  std::vector<uint32_t> storage;
  const nlmsghdr* nlh = nullptr;
};

Result<Message> checked_message(std::span<const uint8_t> bytes, uint8_t expect, const char* what) {
  const size_t min = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  if (bytes.size() < min)
    return fail(Error::input(std::string(what) + " message: " + std::to_string(bytes.size()) + " bytes, too short"));
  Message m;
  m.storage.assign((bytes.size() + 3) / 4 + 1, 0);
  std::memcpy(m.storage.data(), bytes.data(), bytes.size());
  m.nlh = reinterpret_cast<const nlmsghdr*>(m.storage.data());
  if (m.nlh->nlmsg_len < min || m.nlh->nlmsg_len > bytes.size())
    return fail(Error::input(std::string(what) + " message: length " + std::to_string(m.nlh->nlmsg_len) +
                             " does not fit its " + std::to_string(bytes.size()) + " bytes"));
  if (m.nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | expect))
    return fail(Error::input(std::string(what) + " message: unexpected type " + std::to_string(m.nlh->nlmsg_type)));
  return m;
}

std::string hook_name(unsigned family, int hooknum) {
  if (family == NFPROTO_NETDEV) return hooknum == 0 ? "ingress" : hooknum == 1 ? "egress" : std::to_string(hooknum);
  static constexpr const char* names[] = {"prerouting", "input", "forward", "output", "postrouting", "ingress"};
  return hooknum >= 0 && hooknum < 6 ? names[hooknum] : std::to_string(hooknum);
}

// ---- rule messages, parsed here -----------------------------------------------------------------
// Why not nftnl_rule_nlmsg_parse(): libnftnl 1.2.4 trusts the kernel. On malformed input it
// strcmp()s a missing NFTA_EXPR_NAME (NULL), strdup()s a missing verdict chain, and reads
// unterminated strings past their attribute. Rule messages are what verify decodes most and what
// issue 9 fuzzes, so they are walked here with every length checked; libnftnl still parses tables
// and chains (behind the zero guard) and builds requests.

// Calls f(type, payload) for each attribute in b; false when an attribute overruns b.
template <class F>
bool walk_attrs(std::span<const uint8_t> b, F&& f) {
  size_t off = 0;
  while (off + sizeof(nlattr) <= b.size()) {
    uint16_t len = 0, type = 0;
    std::memcpy(&len, b.data() + off, 2);
    std::memcpy(&type, b.data() + off + 2, 2);
    if (len < sizeof(nlattr) || len > b.size() - off) return false;
    f(static_cast<uint16_t>(type & NLA_TYPE_MASK), b.subspan(off + sizeof(nlattr), len - sizeof(nlattr)));
    off += NLA_ALIGN(len);
  }
  return true;
}

// ---- table and chain messages: checked before libnftnl sees them --------------------------------
// libnftnl 1.2.4 validates each attribute with mnl_attr_validate() and, when one has the wrong size
// ("nf_tables kernel ABI is broken"), calls exit(). So every attribute its table and chain parsers
// validate is checked here first, with the same rules, and a message that would fail is an input
// error instead of the end of the process. (Found by fuzz_nat_nftables.)
enum class AttrKind { u32, u64, string, nul_string, nested, binary };

bool attr_ok(AttrKind kind, std::span<const uint8_t> p) {
  switch (kind) {
    case AttrKind::u32: return p.size() == 4;  // libmnl: fixed sizes exactly
    case AttrKind::u64: return p.size() == 8;
    case AttrKind::string: return !p.empty();
    case AttrKind::nul_string: return !p.empty() && p.back() == 0;
    case AttrKind::nested: return p.empty() || p.size() >= sizeof(nlattr);
    case AttrKind::binary: return true;
  }
  return false;
}

// Checks the attributes of b against kinds (indexed by type; types beyond it are ignored, as
// libnftnl ignores them); nested(type, payload) checks the inside of nested ones.
template <size_t N, class Nested>
bool attrs_valid(std::span<const uint8_t> b, const std::array<std::optional<AttrKind>, N>& kinds, Nested&& nested) {
  bool ok = true;
  const bool walked = walk_attrs(b, [&](uint16_t type, std::span<const uint8_t> p) {
    if (type >= N || !kinds[type]) return;
    if (!attr_ok(*kinds[type], p)) ok = false;
    else if (*kinds[type] == AttrKind::nested && !nested(type, p)) ok = false;
  });
  // libmnl stops at an attribute that overruns the message; so does libnftnl, without harm.
  (void)walked;
  return ok;
}

bool devices_valid(std::span<const uint8_t> b) {
  std::array<std::optional<AttrKind>, NFTA_DEVICE_MAX + 1> k{};
  k[NFTA_DEVICE_NAME] = AttrKind::nul_string;
  return attrs_valid(b, k, [](uint16_t, std::span<const uint8_t>) { return true; });
}

bool table_attrs_valid(std::span<const uint8_t> attrs) {
  std::array<std::optional<AttrKind>, NFTA_TABLE_MAX + 1> k{};
  k[NFTA_TABLE_NAME] = AttrKind::string;
  k[NFTA_TABLE_HANDLE] = AttrKind::u64;
  k[NFTA_TABLE_FLAGS] = AttrKind::u32;
  k[NFTA_TABLE_USE] = AttrKind::u32;
  k[NFTA_TABLE_OWNER] = AttrKind::u32;
  k[NFTA_TABLE_USERDATA] = AttrKind::binary;
  return attrs_valid(attrs, k, [](uint16_t, std::span<const uint8_t>) { return true; });
}

bool chain_attrs_valid(std::span<const uint8_t> attrs) {
  std::array<std::optional<AttrKind>, NFTA_CHAIN_MAX + 1> k{};
  k[NFTA_CHAIN_NAME] = k[NFTA_CHAIN_TABLE] = k[NFTA_CHAIN_TYPE] = AttrKind::string;
  k[NFTA_CHAIN_HOOK] = k[NFTA_CHAIN_COUNTERS] = AttrKind::nested;
  k[NFTA_CHAIN_POLICY] = k[NFTA_CHAIN_USE] = k[NFTA_CHAIN_FLAGS] = k[NFTA_CHAIN_ID] = AttrKind::u32;
  k[NFTA_CHAIN_HANDLE] = AttrKind::u64;
  k[NFTA_CHAIN_USERDATA] = AttrKind::binary;
  return attrs_valid(attrs, k, [](uint16_t type, std::span<const uint8_t> p) {
    if (type == NFTA_CHAIN_COUNTERS) {
      std::array<std::optional<AttrKind>, NFTA_COUNTER_MAX + 1> c{};
      c[NFTA_COUNTER_BYTES] = c[NFTA_COUNTER_PACKETS] = AttrKind::u64;
      return attrs_valid(p, c, [](uint16_t, std::span<const uint8_t>) { return true; });
    }
    std::array<std::optional<AttrKind>, NFTA_HOOK_MAX + 1> h{};
    h[NFTA_HOOK_HOOKNUM] = h[NFTA_HOOK_PRIORITY] = AttrKind::u32;
    h[NFTA_HOOK_DEV] = AttrKind::nul_string;
    h[NFTA_HOOK_DEVS] = AttrKind::nested;
    return attrs_valid(p, h, [](uint16_t, std::span<const uint8_t> d) { return devices_valid(d); });
  });
}

std::span<const uint8_t> message_attrs(const Message& m) {
  const size_t at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  const auto* p = reinterpret_cast<const uint8_t*>(m.nlh);
  return {p + at, m.nlh->nlmsg_len - at};
}

using Bytes = std::vector<uint8_t>;

// One expression: its name and the attributes of its NFTA_EXPR_DATA, by type.
struct Expr {
  std::string name;
  std::map<uint16_t, Bytes> attrs;

  bool has(uint16_t t) const { return attrs.contains(t); }
  uint32_t u32(uint16_t t) const {  // nf_tables sends numbers big-endian
    auto it = attrs.find(t);
    if (it == attrs.end() || it->second.size() < 4) return 0;
    uint32_t v;
    std::memcpy(&v, it->second.data(), 4);
    return ntohl(v);
  }
  uint64_t u64(uint16_t t) const {
    auto it = attrs.find(t);
    if (it == attrs.end() || it->second.size() < 8) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | it->second[i];
    return v;
  }
  std::string str(uint16_t t) const {
    auto it = attrs.find(t);
    if (it == attrs.end()) return {};
    const auto& b = it->second;
    return std::string(b.begin(), std::find(b.begin(), b.end(), 0));
  }
  Bytes raw(uint16_t t) const {
    auto it = attrs.find(t);
    return it == attrs.end() ? Bytes{} : it->second;
  }
  // An NFTA_DATA_VALUE nested in attribute t (cmp data, bitwise mask, immediate data).
  Bytes value(uint16_t t) const {
    Bytes out;
    walk_attrs(raw(t), [&](uint16_t type, std::span<const uint8_t> p) {
      if (type == NFTA_DATA_VALUE) out.assign(p.begin(), p.end());
    });
    return out;
  }
  // An NFTA_DATA_VERDICT nested in attribute t: code and chain.
  std::optional<std::pair<int, std::string>> verdict(uint16_t t) const {
    std::optional<std::pair<int, std::string>> out;
    walk_attrs(raw(t), [&](uint16_t type, std::span<const uint8_t> p) {
      if (type != NFTA_DATA_VERDICT) return;
      Expr v;
      if (!walk_attrs(p, [&](uint16_t vt, std::span<const uint8_t> vp) { v.attrs[vt].assign(vp.begin(), vp.end()); }))
        return;
      if (!v.has(NFTA_VERDICT_CODE)) return;
      out.emplace(static_cast<int>(v.u32(NFTA_VERDICT_CODE)), v.str(NFTA_VERDICT_CHAIN));
    });
    return out;
  }
};

struct ParsedRule {
  unsigned family = 0;
  std::string table, chain;
  uint64_t handle = 0;
  std::vector<Expr> exprs;
  Bytes userdata;
};

Result<ParsedRule> parse_rule(const nlmsghdr* nlh) {
  ParsedRule pr;
  nfgenmsg g;
  std::memcpy(&g, reinterpret_cast<const uint8_t*>(nlh) + NLMSG_HDRLEN, sizeof g);
  pr.family = g.nfgen_family;
  const size_t attrs_at = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  std::span<const uint8_t> body(reinterpret_cast<const uint8_t*>(nlh) + attrs_at, nlh->nlmsg_len - attrs_at);
  bool ok = true;
  Expr rule;  // the rule's own attributes
  ok = walk_attrs(body, [&](uint16_t type, std::span<const uint8_t> p) {
    if (type != NFTA_RULE_EXPRESSIONS) {
      rule.attrs[type].assign(p.begin(), p.end());
      return;
    }
    ok = ok && walk_attrs(p, [&](uint16_t elem, std::span<const uint8_t> ep) {
      if (elem != NFTA_LIST_ELEM) return;
      Expr e;
      Bytes data;
      bool named = false;
      ok = ok && walk_attrs(ep, [&](uint16_t et, std::span<const uint8_t> v) {
        if (et == NFTA_EXPR_NAME) {
          named = true;
          e.name.assign(v.begin(), std::find(v.begin(), v.end(), 0));
        } else if (et == NFTA_EXPR_DATA) {
          data.assign(v.begin(), v.end());
        }
      });
      ok = ok && named && !e.name.empty() &&
           walk_attrs(data, [&](uint16_t dt, std::span<const uint8_t> dv) { e.attrs[dt].assign(dv.begin(), dv.end()); });
      pr.exprs.push_back(std::move(e));
    });
  }) && ok;
  if (!ok) return fail(Error::input("nftables rule message: malformed attributes"));
  pr.table = rule.str(NFTA_RULE_TABLE);
  pr.chain = rule.str(NFTA_RULE_CHAIN);
  pr.handle = rule.u64(NFTA_RULE_HANDLE);
  pr.userdata = rule.raw(NFTA_RULE_USERDATA);
  return pr;
}

// Data as `nft --debug=netlink` prints it: 32-bit words in host order.
std::string words(const Bytes& b) {
  std::string out;
  char buf[16];
  for (size_t i = 0; i < b.size(); i += 4) {
    uint32_t w = 0;
    std::memcpy(&w, b.data() + i, std::min<size_t>(4, b.size() - i));
    std::snprintf(buf, sizeof buf, "%s0x%08x", out.empty() ? "" : " ", w);
    out += buf;
  }
  return out;
}

const char* cmp_op_name(uint32_t op) {
  static constexpr const char* names[] = {"eq", "neq", "lt", "lte", "gt", "gte"};
  return op < 6 ? names[op] : "?";
}

std::string meta_key_name(uint32_t k) {
  static constexpr const char* names[] = {"len", "protocol", "priority", "mark", "iif", "oif", "iifname", "oifname",
                                          "iiftype", "oiftype", "skuid", "skgid", "nftrace", "rtclassid", "secmark",
                                          "nfproto", "l4proto", "bri_iifname", "bri_oifname", "pkttype", "cpu",
                                          "iifgroup", "oifgroup", "cgroup", "prandom"};
  return k < std::size(names) ? names[k] : "key " + std::to_string(k);
}

std::string ct_key_name(uint32_t k) {
  static constexpr const char* names[] = {"state", "direction", "status", "mark", "secmark", "expiration", "helper",
                                          "l3protocol", "src", "dst", "protocol", "proto_src", "proto_dst", "label"};
  return k < std::size(names) ? names[k] : "key " + std::to_string(k);
}

// One expression in `nft --debug=netlink` words: "[ payload load 4b @ network header + 12 => reg 1 ]".
std::string describe_expr(const Expr& e) {
  char buf[256];
  std::string body;
  const std::string& n = e.name;
  if (n == "payload") {
    static constexpr const char* bases[] = {"link", "network", "transport", "inner"};
    const uint32_t base = e.u32(NFTA_PAYLOAD_BASE);
    const char* bn = base < 4 ? bases[base] : "unknown";
    if (e.has(NFTA_PAYLOAD_SREG))
      std::snprintf(buf, sizeof buf, "write reg %u => %ub @ %s header + %u", e.u32(NFTA_PAYLOAD_SREG),
                    e.u32(NFTA_PAYLOAD_LEN), bn, e.u32(NFTA_PAYLOAD_OFFSET));
    else
      std::snprintf(buf, sizeof buf, "load %ub @ %s header + %u => reg %u", e.u32(NFTA_PAYLOAD_LEN), bn,
                    e.u32(NFTA_PAYLOAD_OFFSET), e.u32(NFTA_PAYLOAD_DREG));
    body = buf;
  } else if (n == "meta") {
    body = e.has(NFTA_META_SREG) ? "set " + meta_key_name(e.u32(NFTA_META_KEY)) + " with reg " + std::to_string(e.u32(NFTA_META_SREG))
                                 : "load " + meta_key_name(e.u32(NFTA_META_KEY)) + " => reg " + std::to_string(e.u32(NFTA_META_DREG));
  } else if (n == "ct") {
    body = e.has(NFTA_CT_SREG) ? "set " + ct_key_name(e.u32(NFTA_CT_KEY)) + " with reg " + std::to_string(e.u32(NFTA_CT_SREG))
                               : "load " + ct_key_name(e.u32(NFTA_CT_KEY)) + " => reg " + std::to_string(e.u32(NFTA_CT_DREG));
    if (e.has(NFTA_CT_DIRECTION)) body += e.raw(NFTA_CT_DIRECTION).at(0) ? ", dir reply" : ", dir original";
  } else if (n == "cmp") {
    body = std::string(cmp_op_name(e.u32(NFTA_CMP_OP))) + " reg " + std::to_string(e.u32(NFTA_CMP_SREG)) + " " +
           words(e.value(NFTA_CMP_DATA));
  } else if (n == "range") {
    body = std::string(e.u32(NFTA_RANGE_OP) == NFT_RANGE_NEQ ? "neq" : "eq") + " reg " +
           std::to_string(e.u32(NFTA_RANGE_SREG)) + " " + words(e.value(NFTA_RANGE_FROM_DATA)) + " " +
           words(e.value(NFTA_RANGE_TO_DATA));
  } else if (n == "bitwise") {
    body = "reg " + std::to_string(e.u32(NFTA_BITWISE_DREG)) + " = ( reg " + std::to_string(e.u32(NFTA_BITWISE_SREG)) +
           " & " + words(e.value(NFTA_BITWISE_MASK)) + " ) ^ " + words(e.value(NFTA_BITWISE_XOR));
  } else if (n == "immediate") {
    body = "reg " + std::to_string(e.u32(NFTA_IMMEDIATE_DREG)) + " ";
    if (auto v = e.verdict(NFTA_IMMEDIATE_DATA)) {
      switch (v->first) {
        case NF_ACCEPT: body += "accept"; break;
        case NF_DROP: body += "drop"; break;
        case NFT_RETURN: body += "return"; break;
        case NFT_CONTINUE: body += "continue"; break;
        case NFT_JUMP: body += "jump -> " + v->second; break;
        case NFT_GOTO: body += "goto -> " + v->second; break;
        default: body += "verdict " + std::to_string(v->first);
      }
    } else {
      body += words(e.value(NFTA_IMMEDIATE_DATA));
    }
  } else if (n == "counter") {
    body = "pkts " + std::to_string(e.u64(NFTA_COUNTER_PACKETS)) + " bytes " + std::to_string(e.u64(NFTA_COUNTER_BYTES));
  } else if (n == "lookup") {
    body = "reg " + std::to_string(e.u32(NFTA_LOOKUP_SREG)) + " set " + e.str(NFTA_LOOKUP_SET);
    if (e.has(NFTA_LOOKUP_DREG)) body += " dreg " + std::to_string(e.u32(NFTA_LOOKUP_DREG));
    if (e.has(NFTA_LOOKUP_FLAGS)) {
      std::snprintf(buf, sizeof buf, " 0x%x", e.u32(NFTA_LOOKUP_FLAGS));
      body += buf;
    }
  } else if (n == "match" || n == "target") {
    const bool t = n == "target";
    body = "name " + e.str(t ? uint16_t(NFTA_TARGET_NAME) : uint16_t(NFTA_MATCH_NAME)) + " rev " +
           std::to_string(e.u32(t ? uint16_t(NFTA_TARGET_REV) : uint16_t(NFTA_MATCH_REV)));
  } else if (n == "nat") {
    body = e.u32(NFTA_NAT_TYPE) == NFT_NAT_DNAT ? "dnat" : "snat";
    body += " " + nft_family_name(e.u32(NFTA_NAT_FAMILY));
    for (auto [attr, label] : {std::pair{NFTA_NAT_REG_ADDR_MIN, "addr_min"}, {NFTA_NAT_REG_ADDR_MAX, "addr_max"},
                               {NFTA_NAT_REG_PROTO_MIN, "proto_min"}, {NFTA_NAT_REG_PROTO_MAX, "proto_max"}})
      if (e.has(attr)) body += std::string(" ") + label + " reg " + std::to_string(e.u32(attr));
    if (e.has(NFTA_NAT_FLAGS)) {
      std::snprintf(buf, sizeof buf, " flags 0x%x", e.u32(NFTA_NAT_FLAGS));
      body += buf;
    }
  } else if (n == "masq" || n == "redir") {
    const bool m = n == "masq";
    const uint16_t pmin = m ? uint16_t(NFTA_MASQ_REG_PROTO_MIN) : uint16_t(NFTA_REDIR_REG_PROTO_MIN);
    const uint16_t pmax = m ? uint16_t(NFTA_MASQ_REG_PROTO_MAX) : uint16_t(NFTA_REDIR_REG_PROTO_MAX);
    const uint16_t fl = m ? uint16_t(NFTA_MASQ_FLAGS) : uint16_t(NFTA_REDIR_FLAGS);
    if (e.has(pmin)) body += "proto_min reg " + std::to_string(e.u32(pmin));
    if (e.has(pmax)) body += " proto_max reg " + std::to_string(e.u32(pmax));
    if (e.has(fl)) {
      std::snprintf(buf, sizeof buf, "%sflags 0x%x", body.empty() ? "" : " ", e.u32(fl));
      body += buf;
    }
  }
  return "[ " + n + (body.empty() ? "" : " " + body) + " ]";
}

uint32_t host_u32(const std::vector<uint8_t>& v) {
  uint32_t x = 0;
  std::memcpy(&x, v.data(), std::min<size_t>(v.size(), 4));
  return x;
}

uint32_t be_u32(const std::vector<uint8_t>& v, size_t off = 0) {
  uint32_t x = 0;
  if (v.size() >= off + 4) std::memcpy(&x, v.data() + off, 4);
  return x;
}

uint16_t be_u16_raw(const std::vector<uint8_t>& v) {
  uint16_t x = 0;
  if (v.size() >= 2) std::memcpy(&x, v.data(), 2);
  return x;
}

// What a register holds: a load (payload/meta/ct) or an immediate, optionally masked by bitwise.
struct Reg {
  enum class Src { payload, meta, ct, imm } src = Src::imm;
  uint32_t base = 0, offset = 0, len = 0;  // payload
  uint32_t key = 0;                        // meta/ct
  bool ct_dir = false;
  std::vector<uint8_t> data;  // immediate
  std::vector<uint8_t> mask;  // bitwise mask; empty: none
  std::optional<uint16_t> gte;  // a pending `cmp gte` on a port, waiting for its `cmp lte`
  bool consumed = false;
  size_t first = 0;  // index of the first expression that produced it
  std::string desc;  // the expressions that produced it

  static Reg load(Src src, std::string desc) {
    Reg g;
    g.src = src;
    g.desc = std::move(desc);
    return g;
  }
};

class RuleDecoder {
 public:
  explicit RuleDecoder(NatRule& r) : r_(r) {}

  void expr(const Expr& e) {
    ++index_;
    const std::string& name = e.name;
    const std::string desc = describe_expr(e);
    if (name == "counter") {
      if (!counted_) {
        r_.packets = e.u64(NFTA_COUNTER_PACKETS);
        r_.bytes = e.u64(NFTA_COUNTER_BYTES);
        counted_ = true;
      }
    } else if (name == "payload") {
      if (e.has(NFTA_PAYLOAD_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::payload, desc);
      g.base = e.u32(NFTA_PAYLOAD_BASE);
      g.offset = e.u32(NFTA_PAYLOAD_OFFSET);
      g.len = e.u32(NFTA_PAYLOAD_LEN);
      load(e.u32(NFTA_PAYLOAD_DREG), std::move(g));
    } else if (name == "meta") {
      if (e.has(NFTA_META_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::meta, desc);
      g.key = e.u32(NFTA_META_KEY);
      load(e.u32(NFTA_META_DREG), std::move(g));
    } else if (name == "ct") {
      if (e.has(NFTA_CT_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::ct, desc);
      g.key = e.u32(NFTA_CT_KEY);
      g.ct_dir = e.has(NFTA_CT_DIRECTION);
      load(e.u32(NFTA_CT_DREG), std::move(g));
    } else if (name == "bitwise") {
      bitwise(e, desc);
    } else if (name == "immediate") {
      immediate(e, desc);
    } else if (name == "cmp") {
      cmp(e, desc);
    } else if (name == "range") {
      range(e, desc);
    } else if (name == "match") {
      const Bytes info = e.raw(NFTA_MATCH_INFO);
      const std::string mname = e.str(NFTA_MATCH_NAME);
      apply_xt_match(r_, mname.empty() ? "?" : mname, e.u32(NFTA_MATCH_REV), info);
    } else if (name == "target") {
      const Bytes info = e.raw(NFTA_TARGET_INFO);
      const std::string tname = e.str(NFTA_TARGET_NAME);
      set_target(decode_xt_target(tname.empty() ? "?" : tname, e.u32(NFTA_TARGET_REV), info), desc);
    } else if (name == "nat") {
      nat(e, desc);
    } else if (name == "masq" || name == "redir") {
      masq_redir(e, name == "masq", desc);
    } else {
      unmapped(desc);
    }
  }

  void finish() {
    for (auto& [num, g] : regs_) {
      // iptables-nft writes `-i +` as a bare iifname load: it matches any interface.
      const bool bare_ifname = g.src == Reg::Src::meta && g.mask.empty() &&
                               (g.key == NFT_META_IIFNAME || g.key == NFT_META_OIFNAME);
      if (!g.consumed && !bare_ifname) unmapped_.emplace_back(g.first, g.desc);
    }
    regs_.clear();
    if (unmapped_.empty()) return;
    std::stable_sort(unmapped_.begin(), unmapped_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string text;
    for (const auto& u : unmapped_) text += (text.empty() ? "" : " ") + u.second;
    r_.unparsed = text;
    if (r_.target.kind == NatTargetKind::none) {
      r_.target.kind = NatTargetKind::other;
      r_.target.name = "nft";
    }
  }

 private:
  // Expressions left over, kept with the index of the expression they start at so that the
  // description reads in rule order.
  void unmapped(const std::string& desc) { unmapped_.emplace_back(index_, desc); }
  void unmapped(const Reg* g, const std::string& desc) {
    if (!g) return unmapped(desc);
    unmapped_.emplace_back(g->first, g->desc + " " + desc);
  }

  void load(uint32_t dreg, Reg g) {
    if (auto it = regs_.find(dreg); it != regs_.end()) {
      const Reg& old = it->second;
      const bool bare_ifname = old.src == Reg::Src::meta && (old.key == NFT_META_IIFNAME || old.key == NFT_META_OIFNAME);
      if (!old.consumed && !bare_ifname) unmapped_.emplace_back(old.first, old.desc);
    }
    g.first = index_;
    regs_[dreg] = std::move(g);
  }

  Reg* source(uint32_t sreg) {
    auto it = regs_.find(sreg);
    return it == regs_.end() ? nullptr : &it->second;
  }

  void set_target(NatTarget t, const std::string& desc) {
    if (r_.target.kind != NatTargetKind::none) return unmapped(desc);
    r_.target = std::move(t);
  }

  void bitwise(const Expr& e, const std::string& desc) {
    Reg* g = source(e.u32(NFTA_BITWISE_SREG));
    const bool boolean = !e.has(NFTA_BITWISE_OP) || e.u32(NFTA_BITWISE_OP) == NFT_BITWISE_BOOL;
    const auto mask = e.value(NFTA_BITWISE_MASK);
    const auto xr = e.value(NFTA_BITWISE_XOR);
    const bool xor_zero = std::all_of(xr.begin(), xr.end(), [](uint8_t b) { return b == 0; });
    if (!g || g->consumed || !g->mask.empty() || !boolean || !xor_zero || g->src == Reg::Src::imm || mask.empty())
      return unmapped(g, desc);
    Reg masked = *g;
    masked.mask = mask;
    masked.desc += " " + desc;
    g->consumed = true;
    regs_[e.u32(NFTA_BITWISE_DREG)] = std::move(masked);
  }

  void immediate(const Expr& e, const std::string& desc) {
    const uint32_t dreg = e.u32(NFTA_IMMEDIATE_DREG);
    if (dreg != NFT_REG_VERDICT) {
      Reg g = Reg::load(Reg::Src::imm, desc);
      g.data = e.value(NFTA_IMMEDIATE_DATA);
      load(dreg, std::move(g));
      return;
    }
    NatTarget t;
    const auto v = e.verdict(NFTA_IMMEDIATE_DATA);
    if (!v) return unmapped(desc);
    const int verdict = v->first;
    const std::string& chain = v->second;
    switch (verdict) {
      case NF_ACCEPT: t.kind = NatTargetKind::accept; t.name = "ACCEPT"; break;
      case NF_DROP: t.kind = NatTargetKind::drop; t.name = "DROP"; break;
      case NFT_RETURN: t.kind = NatTargetKind::return_; t.name = "RETURN"; break;
      case NFT_JUMP:
      case NFT_GOTO:
        if (chain.empty()) return unmapped(desc);
        t.kind = verdict == NFT_JUMP ? NatTargetKind::jump : NatTargetKind::goto_;
        t.chain = chain;
        break;
      case NFT_CONTINUE: return;
      default: return unmapped(desc);
    }
    set_target(std::move(t), desc);
  }

  // Sets an optional field once; a second value for the same field cannot be expressed.
  template <class T>
  static bool set_once(std::optional<T>& field, T value) {
    if (field) return false;
    field = std::move(value);
    return true;
  }

  bool has_module(std::string_view m) const {
    return std::find(r_.modules.begin(), r_.modules.end(), m) != r_.modules.end();
  }

  // Ports and TCP flags belong to the tcp/udp module of the rule's protocol.
  std::optional<std::string> port_module() {
    if (!r_.protocol || r_.protocol->negated) return std::nullopt;
    if (r_.protocol->number != IPPROTO_TCP && r_.protocol->number != IPPROTO_UDP) return std::nullopt;
    std::string m = r_.protocol->number == IPPROTO_TCP ? "tcp" : "udp";
    if (has_module(m == "tcp" ? "udp" : "tcp")) return std::nullopt;
    if (!has_module(m)) r_.modules.push_back(m);
    return m;
  }

  bool map_addr(const Reg& g, uint32_t op, const std::vector<uint8_t>& data) {
    if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) return false;
    const bool neg = op == NFT_CMP_NEQ;
    if ((g.offset == 12 || g.offset == 16) && g.len >= 1 && g.len <= 4 && data.size() >= g.len) {
      uint8_t a[4] = {}, m[4] = {};
      for (uint32_t i = 0; i < g.len; ++i) {
        m[i] = g.mask.empty() ? 0xff : (i < g.mask.size() ? g.mask[i] : 0);
        a[i] = data[i] & m[i];
      }
      uint32_t abe, mbe;
      std::memcpy(&abe, a, 4);
      std::memcpy(&mbe, m, 4);
      return set_once(g.offset == 12 ? r_.src : r_.dst, make_addr_match(abe, mbe, neg));
    }
    // nft merges adjacent equality matches: `ip saddr A ip daddr B` loads 8 bytes at once.
    if (g.offset == 12 && g.len == 8 && !neg && g.mask.empty() && data.size() >= 8 && !r_.src && !r_.dst) {
      r_.src = make_addr_match(be_u32(data, 0), 0xffffffffu, false);
      r_.dst = make_addr_match(be_u32(data, 4), 0xffffffffu, false);
      return true;
    }
    if (g.offset == 9 && g.len == 1 && g.mask.empty() && !data.empty())
      return set_once(r_.protocol, NatProtoMatch{data[0], neg});
    return false;
  }

  bool map_transport(const Reg& g, uint32_t op, const std::vector<uint8_t>& data) {
    if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) return false;
    const bool neg = op == NFT_CMP_NEQ;
    const auto module = port_module();
    if (!module) return false;
    auto port = [&](size_t off) { return static_cast<uint16_t>((data[off] << 8) | data[off + 1]); };
    if (g.mask.empty() && g.len == 2 && data.size() >= 2 && (g.offset == 0 || g.offset == 2)) {
      const uint16_t p = port(0);
      return set_once(g.offset == 0 ? r_.sport : r_.dport, NatPortMatch{p, p, neg});
    }
    if (g.mask.empty() && g.offset == 0 && g.len == 4 && !neg && data.size() >= 4 && !r_.sport && !r_.dport) {
      r_.sport = NatPortMatch{port(0), port(0), false};
      r_.dport = NatPortMatch{port(2), port(2), false};
      return true;
    }
    if (*module == "tcp" && g.offset == 13 && g.len == 1 && g.mask.size() >= 1 && !data.empty())
      return set_once(r_.tcp_flags, NatTcpFlagsMatch{g.mask[0], data[0], neg});
    return false;
  }

  bool map_meta(const Reg& g, uint32_t op, const std::vector<uint8_t>& data) {
    if (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) return false;
    const bool neg = op == NFT_CMP_NEQ;
    switch (g.key) {
      case NFT_META_IIFNAME:
      case NFT_META_OIFNAME: {
        if (!g.mask.empty() || data.empty()) return false;
        NatIfaceMatch i;
        i.negated = neg;
        const auto nul = std::find(data.begin(), data.end(), 0);
        i.name.assign(data.begin(), nul);
        i.wildcard = nul == data.end();  // compared as a prefix: "qr-" for qr-+
        return set_once(g.key == NFT_META_IIFNAME ? r_.in_iface : r_.out_iface, std::move(i));
      }
      case NFT_META_L4PROTO:
        if (!g.mask.empty() || data.empty()) return false;
        return set_once(r_.protocol, NatProtoMatch{data[0], neg});
      case NFT_META_MARK: {
        if (data.size() < 4 || (!g.mask.empty() && g.mask.size() < 4)) return false;
        NatMarkMatch m{host_u32(data), g.mask.empty() ? 0xffffffffu : host_u32(g.mask), neg};
        if (!set_once(r_.mark, m)) return false;
        r_.modules.emplace_back("mark");
        return true;
      }
      case NFT_META_NFPROTO:  // `meta nfproto ipv4` guards IPv4 matches in inet tables
        return !neg && g.mask.empty() && !data.empty() && data[0] == NFPROTO_IPV4;
      default:
        return false;
    }
  }

  bool map_ct(const Reg& g, uint32_t op, const std::vector<uint8_t>& data) {
    if (g.ct_dir || (op != NFT_CMP_EQ && op != NFT_CMP_NEQ) || data.size() < 4) return false;
    const uint32_t value = host_u32(data);
    NatCtStateMatch st;
    if (!g.mask.empty()) {
      // `ct state new,established` is (state & mask) != 0; `ct state != ...` is == 0.
      if (value != 0 || g.mask.size() < 4) return false;
      st.negated = op == NFT_CMP_EQ;
      const uint32_t mask = host_u32(g.mask);
      if (g.key == NFT_CT_STATE) {
        st.states = ct_state_names(mask, false);
        if (mask & ~0x4fu) return false;
      } else if (g.key == NFT_CT_STATUS) {
        // `ct status snat/dnat` is what `-m conntrack --ctstate SNAT/DNAT` tests.
        if (mask & ~uint32_t(IPS_SRC_NAT | IPS_DST_NAT)) return false;
        if (mask & IPS_SRC_NAT) st.states.emplace_back("SNAT");
        if (mask & IPS_DST_NAT) st.states.emplace_back("DNAT");
      } else {
        return false;
      }
    } else {
      // One state bit compared for equality: a packet has exactly one of them.
      if (g.key != NFT_CT_STATE || std::popcount(value) != 1 || (value & ~0x4fu)) return false;
      st.states = ct_state_names(value, false);
      st.negated = op == NFT_CMP_NEQ;
    }
    if (st.states.empty() || !set_once(r_.ctstate, std::move(st))) return false;
    r_.modules.emplace_back("conntrack");
    return true;
  }

  void cmp(const Expr& e, const std::string& desc) {
    Reg* g = source(e.u32(NFTA_CMP_SREG));
    const uint32_t op = e.u32(NFTA_CMP_OP);
    const auto data = e.value(NFTA_CMP_DATA);
    if (!g || g->consumed) return unmapped(g, desc);
    bool ok = false;
    if (g->src == Reg::Src::payload && g->base == NFT_PAYLOAD_TRANSPORT_HEADER && g->len == 2 && g->mask.empty() &&
        (g->offset == 0 || g->offset == 2) && (op == NFT_CMP_GTE || op == NFT_CMP_LTE) && data.size() >= 2) {
      // A port range written as `cmp gte` + `cmp lte`.
      const uint16_t p = static_cast<uint16_t>((data[0] << 8) | data[1]);
      if (op == NFT_CMP_GTE && !g->gte) {
        g->gte = p;
        g->desc += " " + desc;
        return;
      }
      if (op == NFT_CMP_LTE && g->gte && port_module())
        ok = set_once(g->offset == 0 ? r_.sport : r_.dport, NatPortMatch{*g->gte, p, false});
    } else if (g->src == Reg::Src::payload && g->base == NFT_PAYLOAD_NETWORK_HEADER) {
      ok = map_addr(*g, op, data);
    } else if (g->src == Reg::Src::payload && g->base == NFT_PAYLOAD_TRANSPORT_HEADER) {
      ok = map_transport(*g, op, data);
    } else if (g->src == Reg::Src::meta) {
      ok = map_meta(*g, op, data);
    } else if (g->src == Reg::Src::ct) {
      ok = map_ct(*g, op, data);
    }
    g->consumed = true;
    if (!ok) unmapped(g, desc);
  }

  void range(const Expr& e, const std::string& desc) {
    Reg* g = source(e.u32(NFTA_RANGE_SREG));
    if (!g || g->consumed) return unmapped(g, desc);
    g->consumed = true;
    const auto from = e.value(NFTA_RANGE_FROM_DATA);
    const auto to = e.value(NFTA_RANGE_TO_DATA);
    const uint32_t op = e.u32(NFTA_RANGE_OP);
    bool ok = false;
    if (g->src == Reg::Src::payload && g->base == NFT_PAYLOAD_TRANSPORT_HEADER && g->len == 2 && g->mask.empty() &&
        (g->offset == 0 || g->offset == 2) && from.size() >= 2 && to.size() >= 2 && port_module()) {
      const uint16_t lo = static_cast<uint16_t>((from[0] << 8) | from[1]);
      const uint16_t hi = static_cast<uint16_t>((to[0] << 8) | to[1]);
      ok = set_once(g->offset == 0 ? r_.sport : r_.dport, NatPortMatch{lo, hi, op == NFT_RANGE_NEQ});
    }
    if (!ok) unmapped(g, desc);
  }

  // The value of a register loaded by `immediate`, as nft writes NAT addresses and ports.
  std::optional<std::vector<uint8_t>> imm(const Expr& e, uint16_t attr, size_t size, std::string& why) {
    if (!e.has(attr)) return std::vector<uint8_t>{};
    Reg* g = source(e.u32(attr));
    if (!g) return std::nullopt;
    g->consumed = true;
    if (g->src != Reg::Src::imm || g->data.size() < size) {
      why += (why.empty() ? "" : " ") + g->desc;
      return std::nullopt;
    }
    return g->data;
  }

  void nat(const Expr& e, const std::string& desc) {
    std::string why;
    const auto amin = imm(e, NFTA_NAT_REG_ADDR_MIN, 4, why);
    const auto amax = imm(e, NFTA_NAT_REG_ADDR_MAX, 4, why);
    const auto pmin = imm(e, NFTA_NAT_REG_PROTO_MIN, 2, why);
    const auto pmax = imm(e, NFTA_NAT_REG_PROTO_MAX, 2, why);
    const uint32_t type = e.u32(NFTA_NAT_TYPE);
    const uint32_t family = e.u32(NFTA_NAT_FAMILY);
    NatTarget t;
    t.name = type == NFT_NAT_DNAT ? "DNAT" : "SNAT";
    if (!amin || !amax || !pmin || !pmax || family != NFPROTO_IPV4 || (type != NFT_NAT_SNAT && type != NFT_NAT_DNAT)) {
      t.kind = NatTargetKind::other;
      t.name = "nft";
      t.text = (why.empty() ? "" : why + " ") + desc;
      return set_target(std::move(t), desc);
    }
    uint32_t flags = e.u32(NFTA_NAT_FLAGS);
    if (!amin->empty()) flags |= NF_NAT_RANGE_MAP_IPS;
    if (!pmin->empty()) flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    const uint32_t lo = be_u32(*amin), hi = amax->empty() ? lo : be_u32(*amax);
    const uint16_t plo = be_u16_raw(*pmin), phi = pmax->empty() ? plo : be_u16_raw(*pmax);
    const std::string range = format_nat_range(flags, lo, hi, plo, phi, 0, false);
    if (type == NFT_NAT_DNAT) {
      t.kind = NatTargetKind::dnat;
      t.to_destination = range;
    } else {
      t.kind = NatTargetKind::snat;
      t.to_source = range;
    }
    t.random = flags & NF_NAT_RANGE_PROTO_RANDOM;
    t.random_fully = flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY;
    t.persistent = flags & NF_NAT_RANGE_PERSISTENT;
    set_target(std::move(t), desc);
  }

  void masq_redir(const Expr& e, bool masq, const std::string& desc) {
    std::string why;
    const uint16_t min_attr = masq ? uint16_t(NFTA_MASQ_REG_PROTO_MIN) : uint16_t(NFTA_REDIR_REG_PROTO_MIN);
    const uint16_t max_attr = masq ? uint16_t(NFTA_MASQ_REG_PROTO_MAX) : uint16_t(NFTA_REDIR_REG_PROTO_MAX);
    const uint16_t flags_attr = masq ? uint16_t(NFTA_MASQ_FLAGS) : uint16_t(NFTA_REDIR_FLAGS);
    const auto pmin = imm(e, min_attr, 2, why);
    const auto pmax = imm(e, max_attr, 2, why);
    NatTarget t;
    t.name = masq ? "MASQUERADE" : "REDIRECT";
    if (!pmin || !pmax) {
      t.kind = NatTargetKind::other;
      t.name = "nft";
      t.text = why + " " + desc;
      return set_target(std::move(t), desc);
    }
    uint32_t flags = e.u32(flags_attr);
    flags &= ~uint32_t(NF_NAT_RANGE_MAP_IPS);
    if (!pmin->empty()) flags |= NF_NAT_RANGE_PROTO_SPECIFIED;
    const uint16_t plo = be_u16_raw(*pmin), phi = pmax->empty() ? plo : be_u16_raw(*pmax);
    t.kind = masq ? NatTargetKind::masquerade : NatTargetKind::redirect;
    t.to_ports = format_nat_range(flags, 0, 0, plo, phi, 0, true);
    t.random = flags & NF_NAT_RANGE_PROTO_RANDOM;
    t.random_fully = flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY;
    t.persistent = flags & NF_NAT_RANGE_PERSISTENT;
    set_target(std::move(t), desc);
  }

  NatRule& r_;
  std::map<uint32_t, Reg> regs_;
  std::vector<std::pair<size_t, std::string>> unmapped_;
  size_t index_ = 0;
  bool counted_ = false;
};

// The rule comment in NFTA_RULE_USERDATA: TLVs of u8 type, u8 length (libnftnl's udata layout).
std::optional<std::string> userdata_comment(const Bytes& ud) {
  for (size_t off = 0; off + 2 <= ud.size();) {
    const uint8_t type = ud[off], len = ud[off + 1];
    if (off + 2 + len > ud.size()) return std::nullopt;
    if (type == NFTNL_UDATA_RULE_COMMENT) {
      const auto* p = reinterpret_cast<const char*>(ud.data() + off + 2);
      return std::string(p, strnlen(p, len));
    }
    off += 2 + size_t(len);
  }
  return std::nullopt;
}

}  // namespace

std::string nft_family_name(unsigned family) {
  switch (family) {
    case NFPROTO_INET: return "inet";
    case NFPROTO_IPV4: return "ip";
    case NFPROTO_ARP: return "arp";
    case NFPROTO_NETDEV: return "netdev";
    case NFPROTO_BRIDGE: return "bridge";
    case NFPROTO_IPV6: return "ip6";
    default: return std::to_string(family);
  }
}

Result<NftTableInfo> decode_nft_table(std::span<const uint8_t> msg) {
  const Message m = SW_TRY(checked_message(msg, NFT_MSG_NEWTABLE, "nftables table"));
  if (!table_attrs_valid(message_attrs(m)))
    return fail(Error::input("nftables table message: an attribute has the wrong size"));
  TablePtr t(nftnl_table_alloc());
  if (!t) return fail(Error::os("nftables table: out of memory", ENOMEM));
  if (nftnl_table_nlmsg_parse(m.nlh, t.get()) < 0) return fail(Error::input("nftables table message: malformed"));
  NftTableInfo info;
  if (const char* n = nftnl_table_get_str(t.get(), NFTNL_TABLE_NAME)) info.name = n;
  info.family = nft_family_name(nftnl_table_get_u32(t.get(), NFTNL_TABLE_FAMILY));
  info.flags = nftnl_table_get_u32(t.get(), NFTNL_TABLE_FLAGS);
  info.handle = nftnl_table_get_u64(t.get(), NFTNL_TABLE_HANDLE);
  if (info.name.empty()) return fail(Error::input("nftables table message: no name"));
  return info;
}

Result<NftChainInfo> decode_nft_chain(std::span<const uint8_t> msg) {
  const Message m = SW_TRY(checked_message(msg, NFT_MSG_NEWCHAIN, "nftables chain"));
  if (!chain_attrs_valid(message_attrs(m)))
    return fail(Error::input("nftables chain message: an attribute has the wrong size"));
  ChainPtr c(nftnl_chain_alloc());
  if (!c) return fail(Error::os("nftables chain: out of memory", ENOMEM));
  if (nftnl_chain_nlmsg_parse(m.nlh, c.get()) < 0) return fail(Error::input("nftables chain message: malformed"));
  NftChainInfo info;
  const unsigned family = nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_FAMILY);
  info.family = nft_family_name(family);
  if (const char* s = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TABLE)) info.table = s;
  if (const char* s = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_NAME)) info.name = s;
  if (info.table.empty() || info.name.empty()) return fail(Error::input("nftables chain message: no table or name"));
  info.handle = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_HANDLE);
  if (nftnl_chain_is_set(c.get(), NFTNL_CHAIN_HOOKNUM)) {
    info.base = true;
    info.hooknum = static_cast<int>(nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_HOOKNUM));
    info.hook = hook_name(family, info.hooknum);
    info.priority = nftnl_chain_get_s32(c.get(), NFTNL_CHAIN_PRIO);
    if (const char* s = nftnl_chain_get_str(c.get(), NFTNL_CHAIN_TYPE)) info.type = s;
    const bool drop = nftnl_chain_is_set(c.get(), NFTNL_CHAIN_POLICY) &&
                      nftnl_chain_get_u32(c.get(), NFTNL_CHAIN_POLICY) == NF_DROP;
    info.policy = drop ? "DROP" : "ACCEPT";
    info.packets = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_PACKETS);
    info.bytes = nftnl_chain_get_u64(c.get(), NFTNL_CHAIN_BYTES);
  }
  return info;
}

Result<NatRule> decode_nft_rule(std::span<const uint8_t> msg) {
  const Message m = SW_TRY(checked_message(msg, NFT_MSG_NEWRULE, "nftables rule"));
  const ParsedRule pr = SW_TRY(parse_rule(m.nlh));
  NatRule r;
  r.family = nft_family_name(pr.family);
  r.table = pr.table;
  r.chain = pr.chain;
  if (r.table.empty() || r.chain.empty()) return fail(Error::input("nftables rule message: no table or chain"));
  r.handle = pr.handle;

  RuleDecoder dec(r);
  for (const Expr& e : pr.exprs) dec.expr(e);
  if (auto comment = userdata_comment(pr.userdata)) {
    if (!r.comment) {
      r.modules.emplace_back("comment");
      r.comment = std::move(comment);
    } else {
      r.modules.emplace_back("other");
      r.other_matches.push_back({"comment", "[nft comment] " + *comment});
    }
  }
  dec.finish();
  return r;
}

namespace {

using TableKey = std::pair<std::string, std::string>;  // family, name

bool chain_order(const NatChain& a, const NatChain& b, const std::map<std::string, int>& hooknum) {
  if (a.builtin != b.builtin) return a.builtin;
  if (a.builtin) {
    const int ha = hooknum.at(a.name), hb = hooknum.at(b.name);
    if (ha != hb) return ha < hb;
    if (a.priority != b.priority) return a.priority < b.priority;
  }
  return a.name < b.name;  // strcmp order, as iptables-save sorts user chains
}

// NAT tables among decoded tables and chains.
std::set<TableKey> nat_table_keys(const std::vector<NftTableInfo>& tables, const std::vector<NftChainInfo>& chains) {
  std::set<TableKey> keys;
  for (const auto& t : tables) {
    if (t.family != "ip" && t.family != "inet") continue;
    bool nat = t.family == "ip" && t.name == "nat";
    for (const auto& c : chains)
      nat = nat || (c.family == t.family && c.table == t.name && c.base && c.type == "nat");
    if (nat) keys.insert({t.family, t.name});
  }
  return keys;
}

}  // namespace

Result<std::vector<NatTable>> decode_nft_nat_tables(const NftDump& dump) {
  std::vector<NftTableInfo> tables;
  std::vector<NftChainInfo> chains;
  for (const auto& msg : dump.tables) tables.push_back(SW_TRY(decode_nft_table(msg)));
  for (const auto& msg : dump.chains) chains.push_back(SW_TRY(decode_nft_chain(msg)));
  const auto keys = nat_table_keys(tables, chains);

  std::vector<NatTable> out;
  std::map<TableKey, size_t> index;
  std::map<TableKey, std::map<std::string, int>> hooknums;
  for (const auto& t : tables) {
    const TableKey key{t.family, t.name};
    if (!keys.contains(key) || index.contains(key)) continue;
    index[key] = out.size();
    NatTable nt;
    nt.name = t.name;
    nt.family = t.family;
    nt.backend = NatBackend::nftables;
    out.push_back(std::move(nt));
  }
  for (const auto& c : chains) {
    const TableKey key{c.family, c.table};
    auto it = index.find(key);
    if (it == index.end()) continue;
    NatChain nc;
    nc.name = c.name;
    nc.builtin = c.base;
    nc.hook = c.hook;
    nc.priority = c.priority;
    nc.type = c.type;
    nc.policy = c.policy;
    nc.packets = c.packets;
    nc.bytes = c.bytes;
    hooknums[key][c.name] = c.hooknum;
    out[it->second].chains.push_back(std::move(nc));
  }
  for (const auto& msg : dump.rules) {
    NatRule r = SW_TRY(decode_nft_rule(msg));
    auto it = index.find({r.family, r.table});
    if (it == index.end()) continue;
    NatTable& t = out[it->second];
    auto c = std::find_if(t.chains.begin(), t.chains.end(), [&](const NatChain& ch) { return ch.name == r.chain; });
    if (c == t.chains.end()) {
      return fail(Error::input("nftables rule in " + r.family + " " + r.table + ": no chain '" + r.chain +
                               "' in the dump"));
    }
    c->rules.push_back(std::move(r));
  }
  for (auto& t : out) {
    const auto& hn = hooknums[{t.family, t.name}];
    std::stable_sort(t.chains.begin(), t.chains.end(),
                     [&](const NatChain& a, const NatChain& b) { return chain_order(a, b, hn); });
  }
  return out;
}

// ---- the kernel side ---------------------------------------------------------------------------

namespace {

constexpr int kNetlinkTimeoutSec = 5;
constexpr int kDumpAttempts = 8;

class NftSocket {
 public:
  static Result<NftSocket> open() {
    MnlSocketPtr s(mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC));
    if (!s) return fail_errno(errno, "nftables: netlink socket");
    if (mnl_socket_bind(s.get(), 0, MNL_SOCKET_AUTOPID) < 0) return fail_errno(errno, "nftables: netlink bind");
    timeval tv{kNetlinkTimeoutSec, 0};
    if (setsockopt(mnl_socket_get_fd(s.get()), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0)
      return fail_errno(errno, "nftables: SO_RCVTIMEO");
    NftSocket n;
    n.sock_ = std::move(s);
    n.portid_ = mnl_socket_get_portid(n.sock_.get());
    return n;
  }

  // Sends one request and collects every message of type `want` until the kernel says done.
  // `build` adds the request's attributes. EINTR: the dump was interrupted by a ruleset change.
  template <class Build>
  Result<std::vector<std::vector<uint8_t>>> request(uint16_t type, uint16_t family, uint16_t flags, uint16_t want,
                                                    Build&& build) {
    std::vector<char> buf(MNL_SOCKET_BUFFER_SIZE);
    const uint32_t seq = ++seq_;
    nlmsghdr* nlh = nftnl_nlmsg_build_hdr(buf.data(), type, family, flags, seq);
    build(nlh);
    if (mnl_socket_sendto(sock_.get(), nlh, nlh->nlmsg_len) < 0) return fail_errno(errno, "nftables: netlink send");

    Collect col{static_cast<uint16_t>((NFNL_SUBSYS_NFTABLES << 8) | want), {}};
    std::vector<char> rbuf(1 << 16);
    for (;;) {
      const ssize_t n = mnl_socket_recvfrom(sock_.get(), rbuf.data(), rbuf.size());
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
          return fail(Error::timeout("nftables: no netlink answer within " + std::to_string(kNetlinkTimeoutSec) + " s"));
        return fail_errno(errno, "nftables: netlink receive");
      }
      const int ret = mnl_cb_run(rbuf.data(), static_cast<size_t>(n), seq, portid_, collect_cb, &col);
      if (ret < 0) return fail_errno(errno, "nftables: netlink dump");
      if (ret == MNL_CB_STOP) break;
    }
    return std::move(col.messages);
  }

 private:
  struct Collect {
    uint16_t type;
    std::vector<std::vector<uint8_t>> messages;
  };
  static int collect_cb(const nlmsghdr* nlh, void* data) {
    auto* col = static_cast<Collect*>(data);
    if (nlh->nlmsg_type == col->type) {
      const auto* p = reinterpret_cast<const uint8_t*>(nlh);
      col->messages.emplace_back(p, p + nlh->nlmsg_len);
    }
    return MNL_CB_OK;
  }

  MnlSocketPtr sock_;
  uint32_t portid_ = 0;
  uint32_t seq_ = 0;
};

Result<uint32_t> generation(NftSocket& s) {
  auto msgs = SW_TRY(s.request(NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, NFT_MSG_NEWGEN, [](nlmsghdr*) {}));
  if (msgs.empty()) return fail(Error::os("nftables: no generation in the kernel's answer"));
  GenPtr gen(nftnl_gen_alloc());
  if (!gen) return fail(Error::os("nftables: out of memory", ENOMEM));
  auto& msg = msgs.front();
  std::vector<uint32_t> aligned((msg.size() + 3) / 4 + 1, 0);
  std::memcpy(aligned.data(), msg.data(), msg.size());
  if (nftnl_gen_nlmsg_parse(reinterpret_cast<const nlmsghdr*>(aligned.data()), gen.get()) < 0)
    return fail(Error::os("nftables: malformed generation message"));
  return nftnl_gen_get_u32(gen.get(), NFTNL_GEN_ID);
}

Result<NftDump> dump_once(NftSocket& s) {
  NftDump d;
  d.tables = SW_TRY(s.request(NFT_MSG_GETTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, NFT_MSG_NEWTABLE, [](nlmsghdr*) {}));
  d.chains = SW_TRY(s.request(NFT_MSG_GETCHAIN, NFPROTO_UNSPEC, NLM_F_DUMP, NFT_MSG_NEWCHAIN, [](nlmsghdr*) {}));
  std::vector<NftTableInfo> tables;
  std::vector<NftChainInfo> chains;
  for (const auto& m : d.tables) tables.push_back(SW_TRY(decode_nft_table(m)));
  for (const auto& m : d.chains) chains.push_back(SW_TRY(decode_nft_chain(m)));
  for (const auto& [family, name] : nat_table_keys(tables, chains)) {
    const uint16_t fam = family == "inet" ? NFPROTO_INET : NFPROTO_IPV4;
    auto rules = SW_TRY(s.request(NFT_MSG_GETRULE, fam, NLM_F_DUMP, NFT_MSG_NEWRULE, [&](nlmsghdr* nlh) {
      RulePtr filter(nftnl_rule_alloc());
      if (!filter) return;
      nftnl_rule_set_str(filter.get(), NFTNL_RULE_TABLE, name.c_str());
      nftnl_rule_nlmsg_build_payload(nlh, filter.get());
    }));
    for (auto& r : rules) d.rules.push_back(std::move(r));
  }
  return d;
}

}  // namespace

Result<NftDump> dump_nft_ruleset() {
  NftSocket s = SW_TRY(NftSocket::open());
  for (int attempt = 0; attempt < kDumpAttempts; ++attempt) {
    const uint32_t before = SW_TRY(generation(s));
    auto dump = dump_once(s);
    if (!dump) {
      if (dump.error().sys_errno() == EINTR) continue;  // NLM_F_DUMP_INTR: the ruleset changed mid-dump
      return fail(std::move(dump.error()));
    }
    const uint32_t after = SW_TRY(generation(s));
    if (before == after) return std::move(*dump);
  }
  return fail(Error::failed("nftables: the ruleset kept changing during " + std::to_string(kDumpAttempts) +
                            " dump attempts"));
}

Result<std::vector<NatTable>> read_nftables_nat() {
  const NftDump dump = SW_TRY(dump_nft_ruleset());
  auto tables = decode_nft_nat_tables(dump);
  if (!tables) return fail(std::move(tables.error()).context("nftables"));
  return tables;
}

}  // namespace sw::netprobe
