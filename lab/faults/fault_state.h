// Which faults are active on a lab, and what `lab heal` needs to undo each: <state>/faults.json.
//
// The file is the only link between `lab fault NAME` and a later `lab heal` (another process, maybe
// after an idempotent `lab up`): every value a heal restores (an old remote_ip, tag or MTU, the exact
// text of a deleted iptables rule and its position, a deleted OpenFlow flow as add-flow text) is saved
// here before the fault breaks anything. Faults are kept in the order they were applied; heal walks
// them backwards. `lab down` deletes the state directory, and with it the file. Encoding and decoding
// are pure.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "lab/layout.h"

namespace sw::lab::faults {

/// A deleted object a heal puts back: an iptables rule (`-A CHAIN …` as `iptables -S` prints it, in
/// `where`'s table; position = its 1-based place in its chain) or an OpenFlow flow (add-flow text).
struct SavedItem {
  std::string text;
  int position = 0;  ///< rules: 1-based position in the chain; flows: 0
  bool operator==(const SavedItem&) const = default;
};

/// One fault that is in effect.
struct ActiveFault {
  std::string name;              ///< catalogue name, "fip-dnat-missing"
  std::string host;              ///< lab host it was applied on, "network"
  long long applied = 0;         ///< unix time
  std::string stopped_agent;     ///< service this fault stopped and heal restarts ("" none)
  std::map<std::string, std::string> values;  ///< saved scalars: "remote_ip", "tag", "mtu", "netns", …
  std::vector<SavedItem> items;  ///< deleted rules or flows, in the order they were deleted
  bool operator==(const ActiveFault&) const = default;

  /// values[key], or "" when absent.
  std::string value(std::string_view key) const;
};

struct FaultState {
  int version = 1;
  std::vector<ActiveFault> active;  ///< in the order applied

  /// The active fault called name, or nullptr.
  const ActiveFault* find(std::string_view name) const;
  /// Removes the active fault called name (no-op if absent).
  void remove(std::string_view name);
};

nlohmann::json fault_state_to_json(const FaultState& s);
/// Decodes faults.json text; input error naming the file on anything malformed.
Result<FaultState> fault_state_from_json(const std::string& text, const std::string& file);

/// <state>/faults.json.
std::filesystem::path fault_state_file(const LabLayout& layout);
/// Reads the lab's fault state; an empty state when the file does not exist.
Result<FaultState> read_fault_state(const LabLayout& layout);
/// Writes it (0600, atomically); removes the file when nothing is active.
Result<void> write_fault_state(const LabLayout& layout, const FaultState& s);

}  // namespace sw::lab::faults
