// The iptables-legacy NAT table (x_tables "nat"), read through libiptc.
//
// Model: read_iptables_legacy_nat() snapshots the calling thread's network namespace's legacy nat
// table into a NatTable; decode_ipt_entry() turns one struct ipt_entry (with its matches and target)
// into a NatRule and is a pure function of the entry's bytes.
//
// Read-only, and never creates: on current kernels the first getsockopt(IPT_SO_GET_INFO) for "nat"
// in a namespace instantiates the table there (the per-netns template), which would register nat
// hooks in a namespace that had none. So the reader first looks at the calling thread's
// /proc/thread-self/net/ip_tables_names and touches libiptc only when "nat" is already listed.
// (/proc/self/net would show the thread-group leader's namespace, not the calling thread's.)
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "common/error.h"
#include "netprobe/nat_rule.h"

namespace sw::netprobe {

/// Decodes one ipt_entry: `entry` holds its next_offset bytes (struct ipt_entry, matches, target).
/// `resolved_target` is what libiptc's iptc_get_target() says for it: the chain a standard-target
/// jump goes to (the kernel blob holds only an offset), a verdict label, or "" for fall-through;
/// verdicts in the blob (ACCEPT, DROP, RETURN) decode without it. Table is set to "nat".
Result<NatRule> decode_ipt_entry(std::span<const uint8_t> entry, std::string_view chain,
                                 std::string_view resolved_target);

/// True when the calling thread's namespace has a legacy x_tables table named `table`
/// (/proc/thread-self/net/ip_tables_names); false too when the kernel has no legacy iptables.
Result<bool> legacy_table_exists(std::string_view table);

/// The legacy nat table of the calling thread's namespace, or nullopt when it has none.
/// Chains in libiptc's order (built-ins in hook order, then user chains by name), as iptables-save.
Result<std::optional<NatTable>> read_iptables_legacy_nat();

}  // namespace sw::netprobe
