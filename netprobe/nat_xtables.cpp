#include "netprobe/nat_xtables.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_tcpudp.h>

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>

namespace sw::netprobe {

namespace {

// Copies a kernel struct out of a payload; false when the payload is too short for it.
template <class T>
bool read_struct(std::span<const uint8_t> data, T& out) {
  if (data.size() < sizeof(T)) return false;
  std::memcpy(&out, data.data(), sizeof(T));
  return true;
}

std::string ipv4(uint32_t be) {
  char buf[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &be, buf, sizeof buf);
  return buf;
}

void add_other(NatRule& rule, std::string_view name, std::string text) {
  rule.modules.emplace_back("other");
  rule.other_matches.push_back({std::string(name), std::move(text)});
}

bool has_module(const NatRule& rule, std::string_view m) {
  return std::find(rule.modules.begin(), rule.modules.end(), m) != rule.modules.end();
}

std::string port_text(const char* opt, uint16_t lo, uint16_t hi, bool inv) {
  std::string out = inv ? "! " : "";
  out += opt;
  out += " " + std::to_string(lo);
  if (hi != lo) out += ":" + std::to_string(hi);
  return out;
}

void apply_tcpudp(NatRule& rule, std::string_view name, std::span<const uint8_t> data) {
  const bool tcp = name == "tcp";
  uint16_t spts[2], dpts[2];
  uint8_t invflags = 0, option = 0, flg_mask = 0, flg_cmp = 0;
  if (tcp) {
    xt_tcp t;
    if (!read_struct(data, t)) return add_other(rule, name, describe_payload(0, data));
    std::copy(std::begin(t.spts), std::end(t.spts), spts);
    std::copy(std::begin(t.dpts), std::end(t.dpts), dpts);
    invflags = t.invflags;
    option = t.option;
    flg_mask = t.flg_mask;
    flg_cmp = t.flg_cmp;
  } else {
    xt_udp u;
    if (!read_struct(data, u)) return add_other(rule, name, describe_payload(0, data));
    std::copy(std::begin(u.spts), std::end(u.spts), spts);
    std::copy(std::begin(u.dpts), std::end(u.dpts), dpts);
    invflags = u.invflags;
  }
  const bool has_sport = spts[0] != 0 || spts[1] != 0xffff;
  const bool has_dport = dpts[0] != 0 || dpts[1] != 0xffff;
  const bool has_flags = tcp && (flg_mask || (invflags & XT_TCP_INV_FLAGS));
  const bool has_option = tcp && (option || (invflags & XT_TCP_INV_OPTION));
  if (has_module(rule, "tcp") || has_module(rule, "udp") || has_option) {
    // A second port match, or --tcp-option: kept as text in iptables' own words.
    std::string text;
    auto add = [&](const std::string& s) { text += (text.empty() ? "" : " ") + s; };
    if (has_sport) add(port_text("--sport", spts[0], spts[1], invflags & XT_TCP_INV_SRCPT));
    if (has_dport) add(port_text("--dport", dpts[0], dpts[1], invflags & XT_TCP_INV_DSTPT));
    if (has_option) add(std::string((invflags & XT_TCP_INV_OPTION) ? "! " : "") + "--tcp-option " + std::to_string(option));
    if (has_flags) {
      NatRule tmp;
      tmp.chain = "x";
      tmp.modules = {"tcp"};
      tmp.tcp_flags = NatTcpFlagsMatch{flg_mask, flg_cmp, (invflags & XT_TCP_INV_FLAGS) != 0};
      add(render_rule(tmp).substr(std::string_view("-A x -m tcp ").size()));
    }
    return add_other(rule, name, text);
  }
  rule.modules.emplace_back(name);
  if (has_sport) rule.sport = NatPortMatch{spts[0], spts[1], (invflags & XT_TCP_INV_SRCPT) != 0};
  if (has_dport) rule.dport = NatPortMatch{dpts[0], dpts[1], (invflags & XT_TCP_INV_DSTPT) != 0};
  if (has_flags) rule.tcp_flags = NatTcpFlagsMatch{flg_mask, flg_cmp, (invflags & XT_TCP_INV_FLAGS) != 0};
}

std::string mark_text(const NatMarkMatch& m) {
  char buf[64];
  if (m.mask != 0xffffffffu)
    std::snprintf(buf, sizeof buf, "%s--mark 0x%x/0x%x", m.negated ? "! " : "", m.value, m.mask);
  else
    std::snprintf(buf, sizeof buf, "%s--mark 0x%x", m.negated ? "! " : "", m.value);
  return buf;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

template <class Info>
void apply_conntrack(NatRule& rule, unsigned revision, std::span<const uint8_t> data) {
  Info info;
  if (!read_struct(data, info)) return add_other(rule, "conntrack", describe_payload(revision, data));
  const bool alias = info.match_flags & XT_CONNTRACK_STATE_ALIAS;
  const std::string module = alias ? "state" : "conntrack";
  const uint16_t other_flags = info.match_flags & ~(XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS);
  NatCtStateMatch st{ct_state_names(info.state_mask, true), (info.invert_flags & XT_CONNTRACK_STATE) != 0};
  const bool has_state = info.match_flags & XT_CONNTRACK_STATE;
  if (other_flags != 0 || !has_state || rule.ctstate) {
    std::string text;
    if (has_state) text = std::string(st.negated ? "! " : "") + (alias ? "--state " : "--ctstate ") + join(st.states);
    if (other_flags) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "[unsupported conntrack options 0x%x, rev %u]", other_flags, revision);
      text += (text.empty() ? "" : " ") + std::string(buf);
    }
    return add_other(rule, module, text);
  }
  rule.modules.push_back(module);
  rule.ctstate = std::move(st);
}

}  // namespace

std::vector<std::string> ct_state_names(uint32_t mask, bool conntrack_bits) {
  std::vector<std::string> out;
  constexpr uint32_t kInvalid = 1u << 0, kEstablished = 1u << 1, kRelated = 1u << 2, kNew = 1u << 3;
  const uint32_t untracked = conntrack_bits ? (1u << 8) : (1u << 6);
  if (mask & kInvalid) out.emplace_back("INVALID");
  if (mask & kNew) out.emplace_back("NEW");
  if (mask & kRelated) out.emplace_back("RELATED");
  if (mask & kEstablished) out.emplace_back("ESTABLISHED");
  if (mask & untracked) out.emplace_back("UNTRACKED");
  if (conntrack_bits && (mask & (1u << 6))) out.emplace_back("SNAT");
  if (conntrack_bits && (mask & (1u << 7))) out.emplace_back("DNAT");
  return out;
}

NatAddrMatch make_addr_match(uint32_t addr_be, uint32_t mask_be, bool negated) {
  NatAddrMatch a;
  a.addr = ipv4(addr_be);
  a.negated = negated;
  const uint32_t m = ntohl(mask_be);
  const int ones = std::countl_one(m);
  if (ones == 32 || (m << ones) == 0) {
    a.prefix = ones;
  } else {
    a.prefix = -1;
    a.mask = ipv4(mask_be);
  }
  return a;
}

std::string describe_payload(unsigned revision, std::span<const uint8_t> data) {
  constexpr size_t kMax = 64;
  std::string out = "[rev " + std::to_string(revision) + ": 0x";
  char buf[3];
  for (size_t i = 0; i < std::min(data.size(), kMax); ++i) {
    std::snprintf(buf, sizeof buf, "%02x", data[i]);
    out += buf;
  }
  if (data.size() > kMax) out += "...";
  out += "]";
  return out;
}

void apply_xt_match(NatRule& rule, std::string_view name, unsigned revision, std::span<const uint8_t> data) {
  if ((name == "tcp" || name == "udp") && revision == 0) return apply_tcpudp(rule, name, data);
  if (name == "mark" && revision == 1) {
    xt_mark_mtinfo1 m;
    if (!read_struct(data, m)) return add_other(rule, name, describe_payload(revision, data));
    NatMarkMatch mm{m.mark, m.mask, m.invert != 0};
    if (rule.mark) return add_other(rule, name, mark_text(mm));
    rule.modules.emplace_back("mark");
    rule.mark = mm;
    return;
  }
  if (name == "conntrack") {
    if (revision == 1) return apply_conntrack<xt_conntrack_mtinfo1>(rule, revision, data);
    if (revision == 2) return apply_conntrack<xt_conntrack_mtinfo2>(rule, revision, data);
    if (revision == 3) return apply_conntrack<xt_conntrack_mtinfo3>(rule, revision, data);
  }
  if (name == "state" && revision == 0) {
    xt_state_info s;
    if (!read_struct(data, s)) return add_other(rule, name, describe_payload(revision, data));
    NatCtStateMatch st{ct_state_names(s.statemask, false), false};
    if (rule.ctstate) return add_other(rule, name, "--state " + join(st.states));
    rule.modules.emplace_back("state");
    rule.ctstate = std::move(st);
    return;
  }
  if (name == "comment" && revision == 0) {
    if (data.empty()) return add_other(rule, name, describe_payload(revision, data));
    const size_t n = std::min<size_t>(data.size(), XT_MAX_COMMENT_LEN);
    const auto* p = reinterpret_cast<const char*>(data.data());
    std::string text(p, strnlen(p, n));
    if (rule.comment) {
      NatRule tmp;
      tmp.chain = "x";
      tmp.modules = {"comment"};
      tmp.comment = text;
      return add_other(rule, name, render_rule(tmp).substr(std::string_view("-A x -m comment ").size()));
    }
    rule.modules.emplace_back("comment");
    rule.comment = std::move(text);
    return;
  }
  add_other(rule, name, describe_payload(revision, data));
}

std::string format_nat_range(uint32_t flags, uint32_t min_addr_be, uint32_t max_addr_be, uint16_t min_port_be,
                             uint16_t max_port_be, uint16_t base_port_be, bool skip_colon) {
  std::string out;
  if (flags & NF_NAT_RANGE_MAP_IPS) {
    out += ipv4(min_addr_be);
    if (max_addr_be != min_addr_be) out += "-" + ipv4(max_addr_be);
  }
  if (flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
    out += ":" + std::to_string(ntohs(min_port_be));
    if (max_port_be != min_port_be) out += "-" + std::to_string(ntohs(max_port_be));
    if (flags & NF_NAT_RANGE_PROTO_OFFSET) out += "/" + std::to_string(ntohs(base_port_be));
  }
  if (skip_colon && !out.empty() && out[0] == ':') out.erase(0, 1);
  return out;
}

NatTarget decode_xt_target(std::string_view name, unsigned revision, std::span<const uint8_t> data) {
  NatTarget t;
  t.name = std::string(name);
  const bool dnat = name == "DNAT", snat = name == "SNAT", masq = name == "MASQUERADE", redir = name == "REDIRECT";
  if (!dnat && !snat && !masq && !redir) {
    t.kind = NatTargetKind::other;
    t.text = describe_payload(revision, data);
    return t;
  }
  uint32_t flags = 0, min_addr = 0, max_addr = 0;
  uint16_t min_port = 0, max_port = 0, base_port = 0;
  bool ok = false;
  if (revision == 0) {
    nf_nat_ipv4_multi_range_compat mr;
    if ((ok = read_struct(data, mr) && mr.rangesize >= 1)) {
      flags = mr.range[0].flags;
      min_addr = mr.range[0].min_ip;
      max_addr = mr.range[0].max_ip;
      min_port = mr.range[0].min.all;
      max_port = mr.range[0].max.all;
    }
  } else if (revision == 1 && (dnat || snat)) {
    nf_nat_range r;
    if ((ok = read_struct(data, r))) {
      flags = r.flags;
      min_addr = r.min_addr.ip;
      max_addr = r.max_addr.ip;
      min_port = r.min_proto.all;
      max_port = r.max_proto.all;
    }
  } else if (revision == 2 && (dnat || snat)) {
    nf_nat_range2 r;
    if ((ok = read_struct(data, r))) {
      flags = r.flags;
      min_addr = r.min_addr.ip;
      max_addr = r.max_addr.ip;
      min_port = r.min_proto.all;
      max_port = r.max_proto.all;
      base_port = r.base_proto.all;
    }
  }
  if (!ok) {
    t.kind = NatTargetKind::other;
    t.text = describe_payload(revision, data);
    return t;
  }
  const std::string range = format_nat_range(flags, min_addr, max_addr, min_port, max_port, base_port, masq || redir);
  if (dnat) {
    t.kind = NatTargetKind::dnat;
    t.to_destination = range;
  } else if (snat) {
    t.kind = NatTargetKind::snat;
    t.to_source = range;
  } else {
    t.kind = masq ? NatTargetKind::masquerade : NatTargetKind::redirect;
    t.to_ports = range;
  }
  t.random = flags & NF_NAT_RANGE_PROTO_RANDOM;
  t.random_fully = flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY;
  t.persistent = flags & NF_NAT_RANGE_PERSISTENT;
  return t;
}

}  // namespace sw::netprobe
