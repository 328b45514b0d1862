// `stackwire lab fault NAME`, `lab fault --list`, `lab heal [NAME]`: break one thing on a deployed
// lab, and put it back.
//
// Model: the catalogue (fault.h, one descriptor per fault) + the lab's fault state (fault_state.h,
// <state>/faults.json). Applying saves first what heal needs, stops the agent that would repair the
// fault by itself (if any), breaks the thing, and records it; applying an active fault again changes
// nothing. Healing walks the active faults newest first: undo (check-then-apply, so what is already
// back counts as healed), start the stopped agent again once no other active fault needs it down,
// wait until the thing is back, and drop the fault from the state file. Every step runs inside lab
// hosts through a HostRunner; one process at a time (a lock file in the state dir).
//
// Errors: an unknown name is an input error (exit 2) listing the names; a lab that is not up, or a
// lab with no cloud to break (no qrouter namespace, no br-ex, …), is a failed error (exit 1).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "lab/faults/fault.h"
#include "lab/faults/fault_state.h"
#include "lab/layout.h"

namespace sw::lab::faults {

/// The lab's facts from its state dir (answers.txt, topology.json), or the shipped lab's.
Result<LabFacts> load_lab_facts(const LabLayout& layout);

/// One line of `lab fault --list`.
struct FaultListEntry {
  std::string name, host, breaks, stops_agent, agent_why, heal;
  bool active = false;
};
std::vector<FaultListEntry> list_faults(const LabFacts& facts, const FaultState& state);
nlohmann::json fault_list_json(const std::vector<FaultListEntry>& list, const FaultState& state);
std::string fault_list_text(const std::vector<FaultListEntry>& list, std::string_view prefix);

/// What applying a fault did.
struct ApplyReport {
  std::string name, host;
  bool already_active = false;  ///< it was active: nothing changed
  long long applied = 0;        ///< when it was applied (now, or earlier if already active)
  std::string stopped_agent;    ///< agent stopped for its duration ("" none)
  std::string message;
};

/// Applies name on ctx's lab, adding it to state (in memory). now: unix time to record.
Result<ApplyReport> apply_fault(FaultContext& ctx, FaultState& state, std::string_view name, long long now);

/// One fault heal handled.
struct HealedFault {
  std::string name, host;
  bool ok = false;
  std::string message;          ///< what undo did, or the error
  std::string restarted_agent;  ///< agent started again ("" none)
};
struct HealReport {
  std::vector<HealedFault> faults;  ///< newest first
  bool all_ok() const;
};

/// Heals the active faults (only: just that one; empty: all, newest first), removing each healed one
/// from state and calling save(state) after each. A fault that fails to heal stays active.
Result<HealReport> heal_faults(FaultContext& ctx, FaultState& state, std::string_view only,
                               const std::function<Result<void>(const FaultState&)>& save);

/// The CLI's entry points: root check, lab check, lock, state file, the real host runner.
Result<ApplyReport> apply_lab_fault(const LabLayout& layout, std::string_view name);
Result<HealReport> heal_lab_faults(const LabLayout& layout, std::string_view only);
/// The lab's active faults (empty when the lab or its state file does not exist).
Result<FaultState> lab_fault_state(const LabLayout& layout);

}  // namespace sw::lab::faults
