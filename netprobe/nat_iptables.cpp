#include "netprobe/nat_iptables.h"

#include <arpa/inet.h>
#include <libiptc/libiptc.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "netprobe/nat_xtables.h"

namespace sw::netprobe {

namespace {

// print_ip(): nothing for 0.0.0.0/0 unless negated.
std::optional<NatAddrMatch> decode_addr(uint32_t addr_be, uint32_t mask_be, bool inv) {
  if (!addr_be && !mask_be && !inv) return std::nullopt;
  return make_addr_match(addr_be, mask_be, inv);
}

// print_iface(): the name up to the first zero mask byte; '+' when that byte's name char is not NUL.
std::optional<NatIfaceMatch> decode_iface(const char* name, const unsigned char* mask, bool inv) {
  if (mask[0] == 0) return std::nullopt;
  NatIfaceMatch i;
  i.negated = inv;
  for (size_t k = 0; k < IFNAMSIZ; ++k) {
    if (mask[k] != 0) {
      if (name[k] != '\0') i.name += name[k];
    } else {
      if (name[k - 1] != '\0') i.wildcard = true;
      break;
    }
  }
  return i;
}

// libiptc keeps module-wide state (iptc_fn for iptc_strerror); one reader at a time.
std::mutex g_iptc_mutex;

struct IptcFree {
  void operator()(xtc_handle* h) const { iptc_free(h); }
};

}  // namespace

Result<NatRule> decode_ipt_entry(std::span<const uint8_t> bytes, std::string_view chain,
                                 std::string_view resolved_target) {
  ipt_entry e;
  if (bytes.size() < sizeof e)
    return fail(Error::input("ipt_entry: " + std::to_string(bytes.size()) + " bytes, shorter than the header"));
  std::memcpy(&e, bytes.data(), sizeof e);
  if (e.next_offset > bytes.size() || e.target_offset < sizeof e ||
      size_t(e.target_offset) + sizeof(xt_entry_target) > e.next_offset)
    return fail(Error::input("ipt_entry: bad offsets (target " + std::to_string(e.target_offset) + ", next " +
                             std::to_string(e.next_offset) + ", size " + std::to_string(bytes.size()) + ")"));

  NatRule r;
  r.table = "nat";
  r.chain = std::string(chain);
  r.family = "ip";
  r.src = decode_addr(e.ip.src.s_addr, e.ip.smsk.s_addr, e.ip.invflags & IPT_INV_SRCIP);
  r.dst = decode_addr(e.ip.dst.s_addr, e.ip.dmsk.s_addr, e.ip.invflags & IPT_INV_DSTIP);
  r.in_iface = decode_iface(e.ip.iniface, e.ip.iniface_mask, e.ip.invflags & IPT_INV_VIA_IN);
  r.out_iface = decode_iface(e.ip.outiface, e.ip.outiface_mask, e.ip.invflags & IPT_INV_VIA_OUT);
  if (e.ip.proto != 0) r.protocol = NatProtoMatch{e.ip.proto, (e.ip.invflags & XT_INV_PROTO) != 0};
  if (e.ip.flags & IPT_F_FRAG) r.unparsed = (e.ip.invflags & IPT_INV_FRAG) ? "! -f" : "-f";
  r.packets = e.counters.pcnt;
  r.bytes = e.counters.bcnt;

  for (size_t off = sizeof e; off < e.target_offset;) {
    xt_entry_match m;
    if (off + sizeof m > e.target_offset) return fail(Error::input("ipt_entry: truncated match header"));
    std::memcpy(&m, bytes.data() + off, sizeof m);
    const size_t size = m.u.match_size;
    if (size < sizeof m || off + size > e.target_offset)
      return fail(Error::input("ipt_entry: bad match size " + std::to_string(size)));
    const std::string name(m.u.user.name, strnlen(m.u.user.name, sizeof m.u.user.name));
    apply_xt_match(r, name, m.u.user.revision, bytes.subspan(off + sizeof m, size - sizeof m));
    off += size;
  }

  xt_entry_target t;
  std::memcpy(&t, bytes.data() + e.target_offset, sizeof t);
  const size_t tsize = t.u.target_size;
  if (tsize < sizeof t || e.target_offset + tsize > e.next_offset)
    return fail(Error::input("ipt_entry: bad target size " + std::to_string(tsize)));
  const std::string tname(t.u.user.name, strnlen(t.u.user.name, sizeof t.u.user.name));
  const auto tdata = bytes.subspan(e.target_offset + sizeof t, tsize - sizeof t);
  if (!tname.empty()) {
    r.target = decode_xt_target(tname, t.u.user.revision, tdata);
    return r;
  }
  // The standard target: a verdict, or a jump whose offset only libiptc can name.
  int verdict = 0;
  if (tdata.size() < sizeof verdict) return fail(Error::input("ipt_entry: standard target without verdict"));
  std::memcpy(&verdict, tdata.data(), sizeof verdict);
  NatTarget& tg = r.target;
  if (verdict < 0) {
    switch (verdict) {
      case -NF_ACCEPT - 1: tg.kind = NatTargetKind::accept; tg.name = "ACCEPT"; break;
      case -NF_DROP - 1: tg.kind = NatTargetKind::drop; tg.name = "DROP"; break;
      case XT_RETURN: tg.kind = NatTargetKind::return_; tg.name = "RETURN"; break;
      default:
        tg.kind = NatTargetKind::other;
        tg.name = verdict == -NF_QUEUE - 1 ? "QUEUE" : "VERDICT";
        tg.text = "[verdict " + std::to_string(verdict) + "]";
    }
    return r;
  }
  if (resolved_target.empty()) return r;  // falls through to the next rule
  tg.kind = (e.ip.flags & IPT_F_GOTO) ? NatTargetKind::goto_ : NatTargetKind::jump;
  tg.chain = std::string(resolved_target);
  return r;
}

Result<bool> legacy_table_exists(std::string_view table) {
  std::ifstream in("/proc/thread-self/net/ip_tables_names");
  if (!in) {
    if (errno == ENOENT) return false;  // kernel without legacy iptables
    return fail_errno(errno, "open /proc/thread-self/net/ip_tables_names");
  }
  std::string line;
  while (std::getline(in, line))
    if (line == table) return true;
  return false;
}

Result<std::optional<NatTable>> read_iptables_legacy_nat() {
  if (!SW_TRY(legacy_table_exists("nat"))) return std::optional<NatTable>{};

  std::lock_guard lock(g_iptc_mutex);
  std::unique_ptr<xtc_handle, IptcFree> h(iptc_init("nat"));
  if (!h) {
    const int err = errno;
    if (err == ENOENT) return std::optional<NatTable>{};  // removed since we looked
    return fail(Error::from_errno(err, std::string("iptables-legacy nat: iptc_init: ") + iptc_strerror(err)));
  }
  NatTable table;
  table.name = "nat";
  table.family = "ip";
  table.backend = NatBackend::iptables_legacy;
  for (const char* name = iptc_first_chain(h.get()); name; name = iptc_next_chain(h.get())) {
    NatChain c;
    c.name = name;
    c.builtin = iptc_builtin(name, h.get());
    if (c.builtin) {
      xt_counters counters{};
      const char* policy = iptc_get_policy(name, &counters, h.get());
      c.policy = policy ? policy : "";
      c.packets = counters.pcnt;
      c.bytes = counters.bcnt;
      c.type = "nat";
      for (auto& ch : c.name) c.hook += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      // iptable_nat's hook priorities (NF_IP_PRI_NAT_DST/SRC).
      c.priority = (c.hook == "prerouting" || c.hook == "output") ? -100 : 100;
    }
    for (const ipt_entry* e = iptc_first_rule(name, h.get()); e; e = iptc_next_rule(e, h.get())) {
      const char* target = iptc_get_target(e, h.get());
      std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(e), e->next_offset);
      auto rule = decode_ipt_entry(bytes, name, target ? target : "");
      if (!rule) return fail(std::move(rule.error()).context(std::string("iptables-legacy nat chain ") + name));
      c.rules.push_back(std::move(*rule));
    }
    table.chains.push_back(std::move(c));
  }
  return std::optional<NatTable>(std::move(table));
}

}  // namespace sw::netprobe
