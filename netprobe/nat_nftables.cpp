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
#include <linux/netfilter/nfnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
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
using ExprIterPtr = std::unique_ptr<nftnl_expr_iter, Deleter<nftnl_expr_iter_destroy>>;
using MnlSocketPtr = std::unique_ptr<mnl_socket, Deleter<mnl_socket_close>>;

// A netlink message copied to 4-byte aligned storage and checked enough for libnftnl's parsers,
// which trust nlmsg_len.
struct Message {
  std::vector<uint32_t> storage;
  const nlmsghdr* nlh = nullptr;
};

Result<Message> checked_message(std::span<const uint8_t> bytes, uint8_t expect, const char* what) {
  const size_t min = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(nfgenmsg));
  if (bytes.size() < min)
    return fail(Error::input(std::string(what) + " message: " + std::to_string(bytes.size()) + " bytes, too short"));
  Message m;
  m.storage.resize((bytes.size() + 3) / 4);
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

std::string describe_expr(const nftnl_expr* e) {
  char buf[1024] = {};
  nftnl_expr_snprintf(buf, sizeof buf, e, NFTNL_OUTPUT_DEFAULT, 0);
  std::string body(buf);
  while (!body.empty() && body.back() == ' ') body.pop_back();
  const char* name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
  return std::string("[ ") + (name ? name : "?") + (body.empty() ? "" : " " + body) + " ]";
}

std::vector<uint8_t> expr_bytes(const nftnl_expr* e, uint16_t attr) {
  uint32_t len = 0;
  const void* p = nftnl_expr_get(e, attr, &len);
  if (!p) return {};
  const auto* b = static_cast<const uint8_t*>(p);
  return {b, b + len};
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

  void expr(const nftnl_expr* e) {
    const std::string name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME) ? nftnl_expr_get_str(e, NFTNL_EXPR_NAME) : "";
    const std::string desc = describe_expr(e);
    if (name == "counter") {
      if (!counted_) {
        r_.packets = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_PACKETS);
        r_.bytes = nftnl_expr_get_u64(e, NFTNL_EXPR_CTR_BYTES);
        counted_ = true;
      }
    } else if (name == "payload") {
      if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::payload, desc);
      g.base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
      g.offset = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
      g.len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
      load(nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG), std::move(g));
    } else if (name == "meta") {
      if (nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::meta, desc);
      g.key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY);
      load(nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG), std::move(g));
    } else if (name == "ct") {
      if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG)) return unmapped(desc);
      Reg g = Reg::load(Reg::Src::ct, desc);
      g.key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY);
      g.ct_dir = nftnl_expr_is_set(e, NFTNL_EXPR_CT_DIR);
      load(nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG), std::move(g));
    } else if (name == "bitwise") {
      bitwise(e, desc);
    } else if (name == "immediate") {
      immediate(e, desc);
    } else if (name == "cmp") {
      cmp(e, desc);
    } else if (name == "range") {
      range(e, desc);
    } else if (name == "match") {
      uint32_t len = 0;
      const void* info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
      const char* mname = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
      apply_xt_match(r_, mname ? mname : "?", nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV),
                     {static_cast<const uint8_t*>(info), info ? len : 0});
    } else if (name == "target") {
      uint32_t len = 0;
      const void* info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
      const char* tname = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
      set_target(decode_xt_target(tname ? tname : "?", nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV),
                                  {static_cast<const uint8_t*>(info), info ? len : 0}),
                 desc);
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
      if (!g.consumed && !bare_ifname) unmapped(g.desc);
    }
    regs_.clear();
    if (unmapped_.empty()) return;
    std::string text;
    for (const auto& u : unmapped_) text += (text.empty() ? "" : " ") + u;
    r_.unparsed = text;
    if (r_.target.kind == NatTargetKind::none) {
      r_.target.kind = NatTargetKind::other;
      r_.target.name = "nft";
    }
  }

 private:
  void unmapped(const std::string& desc) { unmapped_.push_back(desc); }

  void load(uint32_t dreg, Reg g) {
    if (auto it = regs_.find(dreg); it != regs_.end()) {
      const Reg& old = it->second;
      const bool bare_ifname = old.src == Reg::Src::meta && (old.key == NFT_META_IIFNAME || old.key == NFT_META_OIFNAME);
      if (!old.consumed && !bare_ifname) unmapped(old.desc);
    }
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

  void bitwise(const nftnl_expr* e, const std::string& desc) {
    Reg* g = source(nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG));
    const bool boolean = !nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) ||
                         nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) == NFT_BITWISE_BOOL;
    const auto mask = expr_bytes(e, NFTNL_EXPR_BITWISE_MASK);
    const auto xr = expr_bytes(e, NFTNL_EXPR_BITWISE_XOR);
    const bool xor_zero = std::all_of(xr.begin(), xr.end(), [](uint8_t b) { return b == 0; });
    if (!g || g->consumed || !g->mask.empty() || !boolean || !xor_zero || g->src == Reg::Src::imm || mask.empty())
      return unmapped((g ? g->desc + " " : "") + desc);
    Reg masked = *g;
    masked.mask = mask;
    masked.desc += " " + desc;
    g->consumed = true;
    regs_[nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG)] = std::move(masked);
  }

  void immediate(const nftnl_expr* e, const std::string& desc) {
    const uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG);
    if (dreg != NFT_REG_VERDICT) {
      Reg g = Reg::load(Reg::Src::imm, desc);
      g.data = expr_bytes(e, NFTNL_EXPR_IMM_DATA);
      load(dreg, std::move(g));
      return;
    }
    NatTarget t;
    const int verdict = static_cast<int>(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT));
    const char* chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);
    switch (verdict) {
      case NF_ACCEPT: t.kind = NatTargetKind::accept; t.name = "ACCEPT"; break;
      case NF_DROP: t.kind = NatTargetKind::drop; t.name = "DROP"; break;
      case NFT_RETURN: t.kind = NatTargetKind::return_; t.name = "RETURN"; break;
      case NFT_JUMP:
      case NFT_GOTO:
        if (!chain) return unmapped(desc);
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

  void cmp(const nftnl_expr* e, const std::string& desc) {
    Reg* g = source(nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG));
    const uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP);
    const auto data = expr_bytes(e, NFTNL_EXPR_CMP_DATA);
    if (!g || g->consumed) return unmapped((g ? g->desc + " " : "") + desc);
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
    if (!ok) unmapped(g->desc + " " + desc);
  }

  void range(const nftnl_expr* e, const std::string& desc) {
    Reg* g = source(nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG));
    if (!g || g->consumed) return unmapped((g ? g->desc + " " : "") + desc);
    g->consumed = true;
    const auto from = expr_bytes(e, NFTNL_EXPR_RANGE_FROM_DATA);
    const auto to = expr_bytes(e, NFTNL_EXPR_RANGE_TO_DATA);
    const uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP);
    bool ok = false;
    if (g->src == Reg::Src::payload && g->base == NFT_PAYLOAD_TRANSPORT_HEADER && g->len == 2 && g->mask.empty() &&
        (g->offset == 0 || g->offset == 2) && from.size() >= 2 && to.size() >= 2 && port_module()) {
      const uint16_t lo = static_cast<uint16_t>((from[0] << 8) | from[1]);
      const uint16_t hi = static_cast<uint16_t>((to[0] << 8) | to[1]);
      ok = set_once(g->offset == 0 ? r_.sport : r_.dport, NatPortMatch{lo, hi, op == NFT_RANGE_NEQ});
    }
    if (!ok) unmapped(g->desc + " " + desc);
  }

  // The value of a register loaded by `immediate`, as nft writes NAT addresses and ports.
  std::optional<std::vector<uint8_t>> imm(const nftnl_expr* e, uint16_t attr, size_t size, std::string& why) {
    if (!nftnl_expr_is_set(e, attr)) return std::vector<uint8_t>{};
    Reg* g = source(nftnl_expr_get_u32(e, attr));
    if (!g) return std::nullopt;
    g->consumed = true;
    if (g->src != Reg::Src::imm || g->data.size() < size) {
      why += (why.empty() ? "" : " ") + g->desc;
      return std::nullopt;
    }
    return g->data;
  }

  void nat(const nftnl_expr* e, const std::string& desc) {
    std::string why;
    const auto amin = imm(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, 4, why);
    const auto amax = imm(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, 4, why);
    const auto pmin = imm(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, 2, why);
    const auto pmax = imm(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, 2, why);
    const uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE);
    const uint32_t family = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY);
    NatTarget t;
    t.name = type == NFT_NAT_DNAT ? "DNAT" : "SNAT";
    if (!amin || !amax || !pmin || !pmax || family != NFPROTO_IPV4 || (type != NFT_NAT_SNAT && type != NFT_NAT_DNAT)) {
      t.kind = NatTargetKind::other;
      t.name = "nft";
      t.text = (why.empty() ? "" : why + " ") + desc;
      return set_target(std::move(t), desc);
    }
    uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FLAGS) ? nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FLAGS) : 0;
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

  void masq_redir(const nftnl_expr* e, bool masq, const std::string& desc) {
    std::string why;
    const uint16_t min_attr = masq ? uint16_t(NFTNL_EXPR_MASQ_REG_PROTO_MIN) : uint16_t(NFTNL_EXPR_REDIR_REG_PROTO_MIN);
    const uint16_t max_attr = masq ? uint16_t(NFTNL_EXPR_MASQ_REG_PROTO_MAX) : uint16_t(NFTNL_EXPR_REDIR_REG_PROTO_MAX);
    const uint16_t flags_attr = masq ? uint16_t(NFTNL_EXPR_MASQ_FLAGS) : uint16_t(NFTNL_EXPR_REDIR_FLAGS);
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
    uint32_t flags = nftnl_expr_is_set(e, flags_attr) ? nftnl_expr_get_u32(e, flags_attr) : 0;
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
  std::vector<std::string> unmapped_;
  bool counted_ = false;
};

int comment_cb(const nftnl_udata* attr, void* data) {
  if (nftnl_udata_type(attr) != NFTNL_UDATA_RULE_COMMENT) return MNL_CB_OK;
  const auto* p = static_cast<const char*>(nftnl_udata_get(attr));
  *static_cast<std::optional<std::string>*>(data) = std::string(p, strnlen(p, nftnl_udata_len(attr)));
  return MNL_CB_OK;
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
  TablePtr t(nftnl_table_alloc());
  if (!t) return fail(Error::system("nftables table: out of memory", ENOMEM));
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
  ChainPtr c(nftnl_chain_alloc());
  if (!c) return fail(Error::system("nftables chain: out of memory", ENOMEM));
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
  RulePtr rp(nftnl_rule_alloc());
  if (!rp) return fail(Error::system("nftables rule: out of memory", ENOMEM));
  if (nftnl_rule_nlmsg_parse(m.nlh, rp.get()) < 0) return fail(Error::input("nftables rule message: malformed"));
  NatRule r;
  r.family = nft_family_name(nftnl_rule_get_u32(rp.get(), NFTNL_RULE_FAMILY));
  if (const char* s = nftnl_rule_get_str(rp.get(), NFTNL_RULE_TABLE)) r.table = s;
  if (const char* s = nftnl_rule_get_str(rp.get(), NFTNL_RULE_CHAIN)) r.chain = s;
  if (r.table.empty() || r.chain.empty()) return fail(Error::input("nftables rule message: no table or chain"));
  r.handle = nftnl_rule_get_u64(rp.get(), NFTNL_RULE_HANDLE);

  RuleDecoder dec(r);
  ExprIterPtr it(nftnl_expr_iter_create(rp.get()));
  if (!it) return fail(Error::system("nftables rule: out of memory", ENOMEM));
  for (nftnl_expr* e = nftnl_expr_iter_next(it.get()); e; e = nftnl_expr_iter_next(it.get())) dec.expr(e);

  if (nftnl_rule_is_set(rp.get(), NFTNL_RULE_USERDATA)) {
    uint32_t len = 0;
    const void* ud = nftnl_rule_get_data(rp.get(), NFTNL_RULE_USERDATA, &len);
    std::optional<std::string> comment;
    if (ud) nftnl_udata_parse(ud, len, comment_cb, &comment);
    if (comment) {
      if (!r.comment) {
        r.modules.emplace_back("comment");
        r.comment = std::move(comment);
      } else {
        r.modules.emplace_back("other");
        r.other_matches.push_back({"comment", "[nft comment] " + *comment});
      }
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
  if (msgs.empty()) return fail(Error::system("nftables: no generation in the kernel's answer"));
  GenPtr gen(nftnl_gen_alloc());
  if (!gen) return fail(Error::system("nftables: out of memory", ENOMEM));
  auto& msg = msgs.front();
  std::vector<uint32_t> aligned((msg.size() + 3) / 4);
  std::memcpy(aligned.data(), msg.data(), msg.size());
  if (nftnl_gen_nlmsg_parse(reinterpret_cast<const nlmsghdr*>(aligned.data()), gen.get()) < 0)
    return fail(Error::system("nftables: malformed generation message"));
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
