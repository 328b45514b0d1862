#include "lab/state.h"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "lab/host_files.h"

namespace sw::lab {

nlohmann::json state_to_json(const LabState& s) {
  nlohmann::json inits = nlohmann::json::array();
  for (const auto& i : s.inits) inits.push_back({{"host", i.host}, {"pid", i.pid}, {"start_time", i.start_time}});
  return {{"version", s.version},   {"prefix", s.prefix},   {"state_dir", s.state_dir}, {"computes", s.computes},
          {"complete", s.complete}, {"created", s.created}, {"inits", inits}};
}

Result<LabState> state_from_json(const std::string& text, const std::string& file) {
  try {
    const auto j = nlohmann::json::parse(text);
    LabState s;
    s.version = j.at("version").get<int>();
    if (s.version != 1) return fail(Error::input(file + ": unknown lab state version " + std::to_string(s.version)));
    s.prefix = j.at("prefix").get<std::string>();
    s.state_dir = j.at("state_dir").get<std::string>();
    s.computes = j.at("computes").get<int>();
    s.complete = j.at("complete").get<bool>();
    s.created = j.value("created", 0LL);
    for (const auto& i : j.at("inits"))
      s.inits.push_back({i.at("host").get<std::string>(), i.at("pid").get<pid_t>(),
                         i.at("start_time").get<unsigned long long>()});
    return s;
  } catch (const nlohmann::json::exception& e) {
    return fail(Error::input(file + ": not a lab state file: " + e.what()));
  }
}

Result<std::optional<LabState>> read_state(const LabLayout& layout) {
  struct stat st {};
  if (::stat(layout.state_file().c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<LabState>{};
    return fail_errno(errno, "stat " + layout.state_file().string());
  }
  const auto text = SW_TRY(read_file(layout.state_file()));
  return std::optional<LabState>(SW_TRY(state_from_json(text, layout.state_file().string())));
}

Result<void> write_state(const LabLayout& layout, const LabState& s) {
  return write_file(layout.state_file(), state_to_json(s).dump(2) + "\n", 0600);
}

}  // namespace sw::lab
