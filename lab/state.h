// The lab's record of itself: <state>/lab.json, written before anything is created (so a crashed
// `lab up` leaves enough behind for `lab down` to find everything) and completed at the end.
// Encoding and decoding are pure.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"
#include "lab/layout.h"

namespace sw::lab {

/// What lab.json holds.
struct LabState {
  int version = 1;
  std::string prefix;
  std::string state_dir;
  int computes = 2;
  bool complete = false;   ///< `lab up` finished
  long long created = 0;   ///< unix time of `lab up`
  struct Init {
    std::string host;
    pid_t pid = 0;                      ///< in the root PID namespace
    unsigned long long start_time = 0;  ///< /proc/<pid>/stat field 22
  };
  std::vector<Init> inits;  ///< each host's pid 1
};

nlohmann::json state_to_json(const LabState& s);
/// Decodes lab.json text; input error naming the file on anything malformed.
Result<LabState> state_from_json(const std::string& text, const std::string& file);

/// Reads <state>/lab.json; nullopt if it does not exist.
Result<std::optional<LabState>> read_state(const LabLayout& layout);
/// Writes <state>/lab.json (0600, atomically).
Result<void> write_state(const LabLayout& layout, const LabState& s);

}  // namespace sw::lab
