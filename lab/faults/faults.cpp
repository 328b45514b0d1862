#include "lab/faults/faults.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/unique_fd.h"
#include "lab/host_files.h"
#include "lab/lab_files.h"
#include "lab/state.h"

namespace sw::lab::faults {
namespace {

std::string host_of(const Fault& f, const LabFacts& facts) {
  return f.on_instance_host ? facts.instance_host : facts.network_host;
}

// The file's text; "" when it is absent or unreadable (not root: `lab fault --list` still works,
// with the shipped lab's facts).
std::string read_if_readable(const std::filesystem::path& p) {
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) return {};
  auto text = read_file(p);
  return text ? *text : std::string();
}

Result<void> require_root() {
  if (::geteuid() != 0) return fail(Error(ErrorKind::permission, "lab fault/heal needs root (it enters the lab's namespaces)"));
  return {};
}

// A lab that `lab up` completed.
Result<void> require_lab_up(const LabLayout& layout) {
  const auto st = SW_TRY(read_state(layout));
  if (!st || !st->complete)
    return fail(Error::failed("lab '" + layout.prefix + "' is not up: nothing to break (stackwire lab up, then deploy)"));
  return {};
}

// Serialises fault and heal runs on one lab (the state file is read, changed and written).
Result<UniqueFd> lock_faults(const LabLayout& layout) {
  const auto path = layout.state_dir / "faults.lock";
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return fail_errno(errno, "open " + path.string());
  while (::flock(fd.get(), LOCK_EX) != 0)
    if (errno != EINTR) return fail_errno(errno, "lock " + path.string());
  return fd;
}

}  // namespace

Result<LabFacts> load_lab_facts(const LabLayout& layout) {
  auto answers = read_if_readable(layout.answer_file());
  auto topology = read_if_readable(layout.topology_file());
  std::string topology_name = layout.topology_file().string();
  if (answers.empty()) answers = std::string(shipped_answer_file());
  if (topology.empty()) {
    topology = std::string(shipped_topology());
    topology_name = "lab/topology.json";
  }
  return make_lab_facts(layout, answers, topology, topology_name);
}

std::vector<FaultListEntry> list_faults(const LabFacts& facts, const FaultState& state) {
  std::vector<FaultListEntry> out;
  for (const auto& f : fault_catalogue()) {
    FaultListEntry e;
    e.name = f.name;
    e.host = host_of(f, facts);
    e.breaks = f.breaks;
    e.stops_agent = f.stops_agent;
    e.agent_why = f.agent_why;
    e.heal = f.heal;
    e.active = state.find(f.name) != nullptr;
    out.push_back(std::move(e));
  }
  return out;
}

nlohmann::json fault_list_json(const std::vector<FaultListEntry>& list, const FaultState& state) {
  nlohmann::json faults = nlohmann::json::array();
  for (const auto& e : list)
    faults.push_back({{"name", e.name},
                      {"host", e.host},
                      {"breaks", e.breaks},
                      {"stops_agent", e.stops_agent.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.stops_agent)},
                      {"agent_why", e.agent_why.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.agent_why)},
                      {"heal", e.heal},
                      {"active", e.active}});
  nlohmann::json active = nlohmann::json::array();
  for (const auto& a : state.active)
    active.push_back({{"name", a.name},
                      {"host", a.host},
                      {"applied", a.applied},
                      {"stopped_agent", a.stopped_agent.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.stopped_agent)}});
  return {{"faults", faults}, {"active", active}};
}

std::string fault_list_text(const std::vector<FaultListEntry>& list, std::string_view prefix) {
  size_t wn = 4, wh = 4;
  for (const auto& e : list) {
    wn = std::max(wn, e.name.size() + 2);
    wh = std::max(wh, e.host.size());
  }
  auto pad = [](std::string s, size_t w) {
    if (s.size() < w) s.append(w - s.size(), ' ');
    return s;
  };
  std::string out = pad("NAME", wn) + "  " + pad("HOST", wh) + "  BREAKS\n";
  bool any_active = false;
  for (const auto& e : list) {
    any_active = any_active || e.active;
    out += pad(e.name + (e.active ? " *" : ""), wn) + "  " + pad(e.host, wh) + "  " + e.breaks;
    if (!e.stops_agent.empty()) out += " (stops " + e.stops_agent + " while active: " + e.agent_why + ")";
    out += "\n" + std::string(wn + wh + 4, ' ') + "heal: " + e.heal + "\n";
  }
  if (any_active)
    out += "* active on lab '" + std::string(prefix) + "'; undo with: stackwire lab heal\n";
  return out;
}

Result<ApplyReport> apply_fault(FaultContext& ctx, FaultState& state, std::string_view name, long long now) {
  const Fault* f = find_fault(name);
  if (!f) return fail(Error::input("unknown fault '" + std::string(name) + "'; faults: " + fault_names()));
  ApplyReport rep;
  rep.name = f->name;
  rep.host = host_of(*f, ctx.facts());
  if (const auto* a = state.find(name)) {
    rep.already_active = true;
    rep.applied = a->applied;
    rep.stopped_agent = a->stopped_agent;
    rep.host = a->host;
    rep.message = "fault " + rep.name + " is already active on " + a->host + "; nothing to do";
    return rep;
  }
  // The agent that would repair the fault goes down first, so it cannot react half-way.
  bool stopped_here = false;
  if (!f->stops_agent.empty()) {
    bool held_down = false;
    for (const auto& a : state.active) held_down = held_down || (a.host == rep.host && a.stopped_agent == f->stops_agent);
    if (!held_down && SW_TRY(ctx.service_running(rep.host, f->stops_agent))) {
      SW_TRY_VOID(ctx.service(rep.host, "stop", f->stops_agent));
      stopped_here = true;
    }
    rep.stopped_agent = f->stops_agent;
  }
  auto applied = f->apply(ctx);
  if (!applied) {
    if (stopped_here) {
      auto r = ctx.service(rep.host, "start", f->stops_agent);
      if (!r) return fail(std::move(applied).error().context("(and starting " + f->stops_agent + " again failed: " +
                                                               r.error().message() + ")"));
    }
    return fail(std::move(applied).error());
  }
  ActiveFault a;
  a.name = f->name;
  a.host = rep.host;
  a.applied = now;
  a.stopped_agent = rep.stopped_agent;
  a.values = std::move(applied->values);
  a.items = std::move(applied->items);
  state.active.push_back(std::move(a));
  rep.applied = now;
  rep.message = applied->message;
  return rep;
}

bool HealReport::all_ok() const {
  for (const auto& f : faults)
    if (!f.ok) return false;
  return true;
}

Result<HealReport> heal_faults(FaultContext& ctx, FaultState& state, std::string_view only,
                               const std::function<Result<void>(const FaultState&)>& save) {
  std::vector<ActiveFault> todo;
  if (!only.empty()) {
    if (!find_fault(only)) return fail(Error::input("unknown fault '" + std::string(only) + "'; faults: " + fault_names()));
    if (const auto* a = state.find(only)) todo.push_back(*a);
  } else {
    todo.assign(state.active.rbegin(), state.active.rend());
  }
  HealReport rep;
  for (const auto& a : todo) {
    HealedFault h;
    h.name = a.name;
    h.host = a.host;
    const Fault* f = find_fault(a.name);
    if (!f) {
      h.message = "not in this stackwire's catalogue: cannot heal it";
      rep.faults.push_back(std::move(h));
      continue;
    }
    auto step = [&]() -> Result<void> {
      h.message = SW_TRY(f->undo(ctx, a));
      if (!a.stopped_agent.empty()) {
        bool still_needed = false;
        for (const auto& o : state.active)
          still_needed = still_needed || (o.name != a.name && o.host == a.host && o.stopped_agent == a.stopped_agent);
        if (!still_needed) {
          SW_TRY_VOID(ctx.service(a.host, "start", a.stopped_agent));
          h.restarted_agent = a.stopped_agent;
        }
      }
      if (f->settle && (a.stopped_agent.empty() || !h.restarted_agent.empty()))
        h.message += "; " + SW_TRY(f->settle(ctx, a));
      return {};
    };
    auto r = step();
    if (r) {
      h.ok = true;
      state.remove(a.name);
      SW_TRY_VOID(save(state));
    } else {
      h.message = r.error().message();
    }
    rep.faults.push_back(std::move(h));
  }
  return rep;
}

Result<ApplyReport> apply_lab_fault(const LabLayout& layout, std::string_view name) {
  if (!find_fault(name)) return fail(Error::input("unknown fault '" + std::string(name) + "'; faults: " + fault_names()));
  SW_TRY_VOID(require_root());
  SW_TRY_VOID(require_lab_up(layout));
  const auto lock = SW_TRY(lock_faults(layout));
  auto state = SW_TRY(read_fault_state(layout));
  auto runner = make_lab_host_runner(layout);
  FaultContext ctx(layout, SW_TRY(load_lab_facts(layout)), *runner);
  auto rep = SW_TRY(apply_fault(ctx, state, name, static_cast<long long>(std::time(nullptr))));
  if (!rep.already_active) SW_TRY_VOID(write_fault_state(layout, state));
  return rep;
}

Result<HealReport> heal_lab_faults(const LabLayout& layout, std::string_view only) {
  if (!only.empty() && !find_fault(only))
    return fail(Error::input("unknown fault '" + std::string(only) + "'; faults: " + fault_names()));
  SW_TRY_VOID(require_root());
  std::error_code ec;
  if (!std::filesystem::exists(fault_state_file(layout), ec)) return HealReport{};
  SW_TRY_VOID(require_lab_up(layout));
  const auto lock = SW_TRY(lock_faults(layout));
  auto state = SW_TRY(read_fault_state(layout));
  auto runner = make_lab_host_runner(layout);
  FaultContext ctx(layout, SW_TRY(load_lab_facts(layout)), *runner);
  return heal_faults(ctx, state, only, [&](const FaultState& s) { return write_fault_state(layout, s); });
}

Result<FaultState> lab_fault_state(const LabLayout& layout) { return read_fault_state(layout); }

}  // namespace sw::lab::faults
