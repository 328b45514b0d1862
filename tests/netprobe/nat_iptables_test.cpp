// decode_ipt_entry() on ipt_entry blobs built here byte by byte, as the kernel lays them out.
#include "netprobe/nat_iptables.h"

#include <arpa/inet.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

namespace sw::netprobe {
namespace {

uint32_t ip(const char* s) { return inet_addr(s); }
uint32_t mask(int prefix) { return prefix == 0 ? 0 : htonl(~0u << (32 - prefix)); }

class Entry {
 public:
  Entry() { std::memset(raw_, 0, sizeof raw_); }
  Entry& src(const char* a, int prefix, bool inv = false) {
    e_.ip.src.s_addr = ip(a);
    e_.ip.smsk.s_addr = mask(prefix);
    if (inv) e_.ip.invflags |= IPT_INV_SRCIP;
    return *this;
  }
  Entry& src_mask(const char* a, const char* m) {
    e_.ip.src.s_addr = ip(a);
    e_.ip.smsk.s_addr = ip(m);
    return *this;
  }
  Entry& dst(const char* a, int prefix, bool inv = false) {
    e_.ip.dst.s_addr = ip(a);
    e_.ip.dmsk.s_addr = mask(prefix);
    if (inv) e_.ip.invflags |= IPT_INV_DSTIP;
    return *this;
  }
  // As iptables fills them: "qr-+" → name "qr-", mask over 3 bytes; "eth0" → mask over 5 (with the NUL).
  Entry& iface(bool in, const std::string& spec, bool inv = false) {
    char* name = in ? e_.ip.iniface : e_.ip.outiface;
    unsigned char* m = in ? e_.ip.iniface_mask : e_.ip.outiface_mask;
    const bool wc = spec.ends_with("+");
    const std::string n = wc ? spec.substr(0, spec.size() - 1) : spec;
    std::memcpy(name, n.data(), n.size());
    std::memset(m, 0xff, wc ? n.size() : n.size() + 1);
    if (inv) e_.ip.invflags |= in ? IPT_INV_VIA_IN : IPT_INV_VIA_OUT;
    return *this;
  }
  Entry& proto(uint16_t p, bool inv = false) {
    e_.ip.proto = p;
    if (inv) e_.ip.invflags |= XT_INV_PROTO;
    return *this;
  }
  Entry& flags(uint8_t f) {
    e_.ip.flags |= f;
    return *this;
  }
  Entry& counters(uint64_t p, uint64_t b) {
    e_.counters.pcnt = p;
    e_.counters.bcnt = b;
    return *this;
  }
  template <class T>
  Entry& match(const char* name, uint8_t rev, const T& data) {
    matches_.push_back(blob<xt_entry_match>(name, rev, &data, sizeof data));
    return *this;
  }
  template <class T>
  Entry& target(const char* name, uint8_t rev, const T& data) {
    target_ = blob<xt_entry_target>(name, rev, &data, sizeof data);
    return *this;
  }
  Entry& verdict(int v) { return target("", 0, v); }

  std::vector<uint8_t> bytes() const {
    std::vector<uint8_t> out(raw_, raw_ + sizeof raw_);
    size_t off = sizeof raw_;
    for (const auto& m : matches_) off += m.size();
    const uint16_t target_offset = static_cast<uint16_t>(off);
    const uint16_t next_offset = static_cast<uint16_t>(off + target_.size());
    std::memcpy(out.data() + offsetof(ipt_entry, target_offset), &target_offset, 2);
    std::memcpy(out.data() + offsetof(ipt_entry, next_offset), &next_offset, 2);
    for (const auto& m : matches_) out.insert(out.end(), m.begin(), m.end());
    out.insert(out.end(), target_.begin(), target_.end());
    return out;
  }

 private:
  template <class Header>
  static std::vector<uint8_t> blob(const char* name, uint8_t rev, const void* data, size_t len) {
    const size_t size = XT_ALIGN(sizeof(Header) + len);
    std::vector<uint8_t> out(size, 0);
    Header h;
    std::memset(&h, 0, sizeof h);
    if constexpr (std::is_same_v<Header, xt_entry_match>) h.u.match_size = static_cast<uint16_t>(size);
    else h.u.target_size = static_cast<uint16_t>(size);
    std::strncpy(h.u.user.name, name, sizeof h.u.user.name - 1);
    h.u.user.revision = rev;
    std::memcpy(out.data(), &h, sizeof h);
    std::memcpy(out.data() + sizeof h, data, len);
    return out;
  }

  // ipt_entry ends in a flexible array member, so it cannot be a member itself.
  alignas(ipt_entry) unsigned char raw_[sizeof(ipt_entry)];
  ipt_entry& e_ = *reinterpret_cast<ipt_entry*>(raw_);
  std::vector<std::vector<uint8_t>> matches_;
  std::vector<uint8_t> target_;
};

std::string line(const Entry& e, const char* chain = "C", const char* resolved = "") {
  auto r = decode_ipt_entry(e.bytes(), chain, resolved);
  if (!r) return "error: " + r.error().message();
  return render_rule(*r);
}

nf_nat_ipv4_multi_range_compat compat(uint32_t flags, uint32_t lo = 0, uint32_t hi = 0, uint16_t plo = 0,
                                      uint16_t phi = 0) {
  nf_nat_ipv4_multi_range_compat mr;
  std::memset(&mr, 0, sizeof mr);
  mr.rangesize = 1;
  mr.range[0].flags = flags;
  mr.range[0].min_ip = lo;
  mr.range[0].max_ip = hi;
  mr.range[0].min.all = htons(plo);
  mr.range[0].max.all = htons(phi);
  return mr;
}

nf_nat_range2 range2(uint32_t flags, const char* lo, const char* hi, uint16_t plo = 0, uint16_t phi = 0,
                     uint16_t base = 0) {
  nf_nat_range2 r;
  std::memset(&r, 0, sizeof r);
  r.flags = flags;
  r.min_addr.ip = ip(lo);
  r.max_addr.ip = ip(hi);
  r.min_proto.all = htons(plo);
  r.max_proto.all = htons(phi);
  r.base_proto.all = htons(base);
  return r;
}

xt_tcp tcp_ports(uint16_t s0, uint16_t s1, uint16_t d0, uint16_t d1, uint8_t inv = 0) {
  xt_tcp t;
  std::memset(&t, 0, sizeof t);
  t.spts[0] = s0;
  t.spts[1] = s1;
  t.dpts[0] = d0;
  t.dpts[1] = d1;
  t.invflags = inv;
  return t;
}

xt_conntrack_mtinfo3 ctstate(uint16_t states, bool inv) {
  xt_conntrack_mtinfo3 c;
  std::memset(&c, 0, sizeof c);
  c.match_flags = XT_CONNTRACK_STATE;
  c.state_mask = states;
  if (inv) c.invert_flags = XT_CONNTRACK_STATE;
  return c;
}

xt_comment_info comment(const char* text) {
  xt_comment_info c;
  std::memset(&c, 0, sizeof c);
  std::strncpy(c.comment, text, sizeof c.comment - 1);
  return c;
}

TEST(IptEntryTest, QrouterRulesAsIptablesLegacyHoldsThem) {
  EXPECT_EQ(line(Entry().dst("172.16.13.150", 32).target("DNAT", 2, range2(NF_NAT_RANGE_MAP_IPS, "10.0.0.10", "10.0.0.10")),
                 "neutron-l3-agent-OUTPUT"),
            "-A neutron-l3-agent-OUTPUT -d 172.16.13.150/32 -j DNAT --to-destination 10.0.0.10");
  EXPECT_EQ(line(Entry().iface(false, "qg-d70d86be-74", true).match("conntrack", 3, ctstate(XT_CONNTRACK_STATE_DNAT, true))
                     .verdict(-NF_ACCEPT - 1)),
            "-A C ! -o qg-d70d86be-74 -m conntrack ! --ctstate DNAT -j ACCEPT");
  EXPECT_EQ(line(Entry().dst("169.254.169.254", 32).iface(true, "qr-+").proto(IPPROTO_TCP)
                     .match("tcp", 0, tcp_ports(0, 0xffff, 80, 80))
                     .target("REDIRECT", 0, compat(NF_NAT_RANGE_PROTO_SPECIFIED, 0, 0, 9697, 9697))),
            "-A C -d 169.254.169.254/32 -i qr-+ -p tcp -m tcp --dport 80 -j REDIRECT --to-ports 9697");
  EXPECT_EQ(line(Entry().src("10.0.0.10", 32).target(
                "SNAT", 0, compat(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_RANDOM_FULLY, ip("172.16.13.150"),
                                  ip("172.16.13.150"))),
                 "neutron-l3-agent-float-snat"),
            "-A neutron-l3-agent-float-snat -s 10.0.0.10/32 -j SNAT --to-source 172.16.13.150 --random-fully");
  xt_mark_mtinfo1 mark{0x2, 0xffff, 1};
  EXPECT_EQ(line(Entry().match("mark", 1, mark).match("conntrack", 3, ctstate(XT_CONNTRACK_STATE_DNAT, false))
                     .target("SNAT", 0,
                             compat(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_RANDOM_FULLY, ip("172.16.13.124"),
                                    ip("172.16.13.124")))),
            "-A C -m mark ! --mark 0x2/0xffff -m conntrack --ctstate DNAT -j SNAT --to-source 172.16.13.124 "
            "--random-fully");
  EXPECT_EQ(line(Entry().match("comment", 0, comment("Perform source NAT on outgoing traffic.")).verdict(1234),
                 "neutron-postrouting-bottom", "neutron-l3-agent-snat"),
            "-A neutron-postrouting-bottom -m comment --comment \"Perform source NAT on outgoing traffic.\" -j "
            "neutron-l3-agent-snat");
}

TEST(IptEntryTest, DecodesTheModelFieldsNotJustText) {
  auto r = decode_ipt_entry(Entry().src("10.0.0.0", 24).iface(true, "qr-+").proto(IPPROTO_TCP)
                                .match("tcp", 0, tcp_ports(0, 0xffff, 80, 80)).counters(3, 180)
                                .target("DNAT", 2, range2(NF_NAT_RANGE_MAP_IPS, "10.0.0.3", "10.0.0.3"))
                                .bytes(),
                            "PREROUTING", "");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->table, "nat");
  EXPECT_EQ(r->src, (NatAddrMatch{"10.0.0.0", 24, "", false}));
  EXPECT_EQ(r->in_iface, (NatIfaceMatch{"qr-", true, false}));
  EXPECT_EQ(r->dport, (NatPortMatch{80, 80, false}));
  EXPECT_FALSE(r->sport);
  EXPECT_EQ(r->target.kind, NatTargetKind::dnat);
  EXPECT_EQ(r->target.to_destination, "10.0.0.3");
  EXPECT_EQ(r->packets, 3u);
  EXPECT_EQ(r->bytes, 180u);
  EXPECT_TRUE(r->fully_decoded());
}

TEST(IptEntryTest, VerdictsJumpsGotosAndFallThrough) {
  EXPECT_EQ(line(Entry().verdict(XT_RETURN)), "-A C -j RETURN");
  EXPECT_EQ(line(Entry().verdict(-NF_DROP - 1)), "-A C -j DROP");
  EXPECT_EQ(line(Entry().verdict(-NF_ACCEPT - 1)), "-A C -j ACCEPT");
  EXPECT_EQ(line(Entry().verdict(800), "C", "target-chain"), "-A C -j target-chain");
  EXPECT_EQ(line(Entry().flags(IPT_F_GOTO).verdict(800), "C", "target-chain"), "-A C -g target-chain");
  EXPECT_EQ(line(Entry().dst("1.2.3.4", 32).verdict(800), "C", ""), "-A C -d 1.2.3.4/32");
  auto q = decode_ipt_entry(Entry().verdict(-NF_QUEUE - 1).bytes(), "C", "");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->target.kind, NatTargetKind::other);
  EXPECT_EQ(q->target.name, "QUEUE");
}

TEST(IptEntryTest, AddressesInterfacesAndProtocols) {
  EXPECT_EQ(line(Entry().src("10.0.0.0", 8, true).dst("1.2.3.4", 32, true).verdict(-2)),
            "-A C ! -s 10.0.0.0/8 ! -d 1.2.3.4/32 -j ACCEPT");
  EXPECT_EQ(line(Entry().src("0.0.0.0", 0, true).verdict(-2)), "-A C ! -s 0.0.0.0/0 -j ACCEPT");
  EXPECT_EQ(line(Entry().src_mask("10.0.0.0", "255.0.255.0").verdict(-2)), "-A C -s 10.0.0.0/255.0.255.0 -j ACCEPT");
  EXPECT_EQ(line(Entry().iface(true, "eth0").iface(false, "eth+", true).proto(IPPROTO_TCP, true).verdict(-2)),
            "-A C -i eth0 ! -o eth+ ! -p tcp -j ACCEPT");
  EXPECT_EQ(line(Entry().iface(true, "+").verdict(-2)), "-A C -j ACCEPT");
  EXPECT_EQ(line(Entry().iface(true, "abcdefghijklmno").verdict(-2)), "-A C -i abcdefghijklmno -j ACCEPT");
  EXPECT_EQ(line(Entry().proto(47).verdict(-2)), "-A C -p gre -j ACCEPT");
  EXPECT_EQ(line(Entry().proto(132).verdict(-2)), "-A C -p sctp -j ACCEPT");
}

TEST(IptEntryTest, PortsFlagsMarksStatesAndComments) {
  EXPECT_EQ(line(Entry().proto(IPPROTO_UDP).match("udp", 0, xt_udp{{53, 53}, {1000, 2000}, 0}).verdict(-2)),
            "-A C -p udp -m udp --sport 53 --dport 1000:2000 -j ACCEPT");
  EXPECT_EQ(line(Entry().proto(IPPROTO_TCP).match("tcp", 0, tcp_ports(22, 22, 0, 0xffff, XT_TCP_INV_SRCPT)).verdict(-2)),
            "-A C -p tcp -m tcp ! --sport 22 -j ACCEPT");
  xt_tcp flags = tcp_ports(0, 0xffff, 0, 0xffff);
  flags.flg_mask = 0x12;
  flags.flg_cmp = 0x02;
  EXPECT_EQ(line(Entry().proto(IPPROTO_TCP).match("tcp", 0, flags).verdict(-2)),
            "-A C -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT");
  EXPECT_EQ(line(Entry().proto(IPPROTO_TCP).match("tcp", 0, tcp_ports(0, 0xffff, 0, 0xffff)).verdict(-2)),
            "-A C -p tcp -m tcp -j ACCEPT");
  EXPECT_EQ(line(Entry().match("mark", 1, xt_mark_mtinfo1{1, 0xffffffff, 0}).verdict(-2)),
            "-A C -m mark --mark 0x1 -j ACCEPT");
  EXPECT_EQ(line(Entry().match("conntrack", 3,
                               ctstate(XT_CONNTRACK_STATE_BIT(IP_CT_NEW) | XT_CONNTRACK_STATE_BIT(IP_CT_RELATED) |
                                           XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED),
                                       false))
                     .verdict(-2)),
            "-A C -m conntrack --ctstate NEW,RELATED,ESTABLISHED -j ACCEPT");
  xt_conntrack_mtinfo1 alias;
  std::memset(&alias, 0, sizeof alias);
  alias.match_flags = XT_CONNTRACK_STATE | XT_CONNTRACK_STATE_ALIAS;
  alias.state_mask = XT_CONNTRACK_STATE_INVALID;
  EXPECT_EQ(line(Entry().match("conntrack", 1, alias).verdict(-2)), "-A C -m state --state INVALID -j ACCEPT");
  EXPECT_EQ(line(Entry().match("comment", 0, comment("plain")).match("comment", 0, comment("with \"quote\" and 'x'"))
                     .verdict(-2)),
            "-A C -m comment --comment plain -m comment --comment \"with \\\"quote\\\" and \\'x\\'\" -j ACCEPT");
}

TEST(IptEntryTest, NatTargetsOfEveryRevision) {
  EXPECT_EQ(line(Entry().proto(6).target("DNAT", 1,
                                         nf_nat_range{NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED,
                                                      {.ip = ip("10.0.0.1")}, {.ip = ip("10.0.0.5")},
                                                      {.all = htons(80)}, {.all = htons(90)}})),
            "-A C -p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.5:80-90");
  EXPECT_EQ(line(Entry().proto(6).target(
                "DNAT", 2,
                range2(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_OFFSET, "10.0.0.1",
                       "10.0.0.1", 1000, 2000, 1500))),
            "-A C -p tcp -j DNAT --to-destination 10.0.0.1:1000-2000/1500");
  EXPECT_EQ(line(Entry().proto(6).target(
                "DNAT", 0,
                compat(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM |
                           NF_NAT_RANGE_PERSISTENT,
                       ip("10.0.0.1"), ip("10.0.0.1"), 80, 80))),
            "-A C -p tcp -j DNAT --to-destination 10.0.0.1:80 --random --persistent");
  EXPECT_EQ(line(Entry().src("172.16.13.0", 24).iface(false, "br-ex").target("MASQUERADE", 0, compat(0))),
            "-A C -s 172.16.13.0/24 -o br-ex -j MASQUERADE");
  EXPECT_EQ(line(Entry().proto(6).target(
                "MASQUERADE", 0,
                compat(NF_NAT_RANGE_PROTO_SPECIFIED | NF_NAT_RANGE_PROTO_RANDOM_FULLY, 0, 0, 1024, 65535))),
            "-A C -p tcp -j MASQUERADE --to-ports 1024-65535 --random-fully");
  EXPECT_EQ(line(Entry().proto(17).target(
                "SNAT", 0,
                compat(NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED, ip("1.1.1.1"), ip("1.1.1.1"), 1000, 1000))),
            "-A C -p udp -j SNAT --to-source 1.1.1.1:1000");
}

TEST(IptEntryTest, UnknownModulesAreKeptNotDropped) {
  const uint64_t payload = 0x0400000000000000ull;
  auto r = decode_ipt_entry(Entry().match("addrtype", 1, payload).target("MARK", 2, xt_mark_tginfo2{1, ~0u}).bytes(),
                            "C", "MARK");
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_EQ(r->other_matches.size(), 1u);
  EXPECT_EQ(r->other_matches[0].name, "addrtype");
  EXPECT_EQ(r->target.kind, NatTargetKind::other);
  EXPECT_EQ(r->target.name, "MARK");
  EXPECT_FALSE(r->fully_decoded());
  EXPECT_EQ(render_rule(*r), "-A C -m addrtype [rev 1: 0x0000000000000004] -j MARK [rev 2: 0x01000000ffffffff]");

  xt_conntrack_mtinfo3 orig = ctstate(XT_CONNTRACK_STATE_SNAT, false);
  orig.match_flags |= XT_CONNTRACK_ORIGDST;
  auto c = decode_ipt_entry(Entry().match("conntrack", 3, orig).verdict(-2).bytes(), "C", "");
  ASSERT_TRUE(c);
  EXPECT_FALSE(c->ctstate);
  EXPECT_EQ(render_rule(*c), "-A C -m conntrack --ctstate SNAT [unsupported conntrack options 0x8, rev 3] -j ACCEPT");

  auto f = decode_ipt_entry(Entry().flags(IPT_F_FRAG).verdict(-2).bytes(), "C", "");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->unparsed, "-f");
}

TEST(IptEntryTest, MalformedEntriesAreErrorsNeverReadsPastTheEnd) {
  const auto good = Entry().dst("1.2.3.4", 32).match("comment", 0, comment("x"))
                        .target("DNAT", 2, range2(NF_NAT_RANGE_MAP_IPS, "10.0.0.1", "10.0.0.1"))
                        .bytes();
  ASSERT_TRUE(decode_ipt_entry(good, "C", ""));
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));  // exact size: ASan sees overreads
    auto r = decode_ipt_entry(cut, "C", "");
    EXPECT_FALSE(r) << "prefix of " << n << " bytes decoded";
    if (!r) {
      EXPECT_EQ(r.error().kind(), ErrorKind::input);
    }
  }
  // Corrupt sizes and offsets.
  auto bad = good;
  auto* e = reinterpret_cast<ipt_entry*>(bad.data());
  e->target_offset = 4;
  EXPECT_FALSE(decode_ipt_entry(bad, "C", ""));
  bad = good;
  reinterpret_cast<xt_entry_match*>(bad.data() + sizeof(ipt_entry))->u.match_size = 0;
  EXPECT_FALSE(decode_ipt_entry(bad, "C", ""));
  bad = good;
  reinterpret_cast<xt_entry_match*>(bad.data() + sizeof(ipt_entry))->u.match_size = 60000;
  EXPECT_FALSE(decode_ipt_entry(bad, "C", ""));
  bad = good;
  reinterpret_cast<xt_entry_target*>(bad.data() + e->target_offset)->u.target_size = 8;
  EXPECT_FALSE(decode_ipt_entry(bad, "C", ""));
  // A target payload too short for its struct becomes "other", not an overread.
  auto tiny = decode_ipt_entry(Entry().target("DNAT", 2, uint32_t{1}).bytes(), "C", "");
  ASSERT_TRUE(tiny);
  EXPECT_EQ(tiny->target.kind, NatTargetKind::other);
}

}  // namespace
}  // namespace sw::netprobe
