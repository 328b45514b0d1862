// Command-line overrides of answer-file keys, packstack's way: every key is also an option,
// CONFIG_NEUTRON_OVS_TUNNEL_IF → --os-neutron-ovs-tunnel-if=eth2 (packstack master), also
// --neutron-ovs-tunnel-if=eth2 (Havana) and packstack's own irregular names
// (--os-neutron-ovs-bridge-interfaces for CONFIG_NEUTRON_OVS_BRIDGE_IFACES).
//
// gen-answer-file applies them to the file it generates, deploy to the file it reads; the CLI
// glue that registers the options on a subcommand is cli/answer_options.h.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"

namespace sw::installer {

/// One --os-KEY=VALUE.
struct Override {
  std::string option;  ///< as spelled: "--os-neutron-ovs-tunnel-if"
  std::string key;     ///< the catalogue key it sets: "CONFIG_NEUTRON_OVS_TUNNEL_IF"
  std::string value;   ///< every byte as given
};
using Overrides = std::vector<Override>;

/// The override an option spelling means ("--os-neutron-ovs-tunnel-if", "neutron-ovs-tunnel-if").
/// An unknown spelling is an input error naming the nearest key and its option.
Result<Override> make_override(std::string_view option, std::string value);

/// Applies overrides to file and checks it again. Fails (Error::input) when an override is
/// malformed (a line break in a value, a key given twice) — the file is then unchanged — or when
/// the file has errors afterwards (every error line; they are also in file.diagnostics(), located
/// at the option). An old name that was only renamed sets the new key.
Result<void> apply_overrides(AnswerFile& file, const Overrides& overrides);

}  // namespace sw::installer
