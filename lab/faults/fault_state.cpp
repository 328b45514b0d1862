#include "lab/faults/fault_state.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "lab/host_files.h"

namespace sw::lab::faults {

std::string ActiveFault::value(std::string_view key) const {
  const auto it = values.find(std::string(key));
  return it == values.end() ? std::string() : it->second;
}

const ActiveFault* FaultState::find(std::string_view name) const {
  for (const auto& f : active)
    if (f.name == name) return &f;
  return nullptr;
}

void FaultState::remove(std::string_view name) {
  std::erase_if(active, [&](const ActiveFault& f) { return f.name == name; });
}

nlohmann::json fault_state_to_json(const FaultState& s) {
  nlohmann::json active = nlohmann::json::array();
  for (const auto& f : s.active) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& i : f.items) items.push_back({{"text", i.text}, {"position", i.position}});
    active.push_back({{"name", f.name},
                      {"host", f.host},
                      {"applied", f.applied},
                      {"stopped_agent", f.stopped_agent},
                      {"values", f.values},
                      {"items", items}});
  }
  return {{"version", s.version}, {"active", active}};
}

Result<FaultState> fault_state_from_json(const std::string& text, const std::string& file) {
  try {
    const auto j = nlohmann::json::parse(text);
    FaultState s;
    s.version = j.at("version").get<int>();
    if (s.version != 1) return fail(Error::input(file + ": unknown fault state version " + std::to_string(s.version)));
    for (const auto& a : j.at("active")) {
      ActiveFault f;
      f.name = a.at("name").get<std::string>();
      f.host = a.at("host").get<std::string>();
      f.applied = a.value("applied", 0LL);
      f.stopped_agent = a.value("stopped_agent", std::string());
      if (a.contains("values")) f.values = a.at("values").get<std::map<std::string, std::string>>();
      if (a.contains("items"))
        for (const auto& i : a.at("items")) {
          SavedItem item;
          item.text = i.at("text").get<std::string>();
          item.position = i.value("position", 0);
          f.items.push_back(std::move(item));
        }
      if (f.name.empty() || f.host.empty()) return fail(Error::input(file + ": an active fault without name or host"));
      if (s.find(f.name)) return fail(Error::input(file + ": fault '" + f.name + "' is listed twice"));
      s.active.push_back(std::move(f));
    }
    return s;
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(file + ": not a fault state file: " + e.what()));
  }
}

std::filesystem::path fault_state_file(const LabLayout& layout) { return layout.state_dir / "faults.json"; }

Result<FaultState> read_fault_state(const LabLayout& layout) {
  const auto path = fault_state_file(layout);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FaultState{};
    return fail_errno(errno, "stat " + path.string());
  }
  const auto text = SW_TRY(read_file(path));
  return fault_state_from_json(text, path.string());
}

Result<void> write_fault_state(const LabLayout& layout, const FaultState& s) {
  const auto path = fault_state_file(layout);
  if (s.active.empty()) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return fail_errno(errno, "remove " + path.string());
    return {};
  }
  return write_file(path, fault_state_to_json(s).dump(2) + "\n", 0600);
}

}  // namespace sw::lab::faults
