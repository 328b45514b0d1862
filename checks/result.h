// What one check found: the unit every reporter formats and every exit code is computed from.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sw::checks {

enum class Status { pass, fail, warn, skip, error };

std::string_view status_name(Status s);
std::optional<Status> status_from_name(std::string_view s);

struct CheckResult {
  std::string id;        ///< stable check id, "brex.gateway", "tunnel.gre_port", "nat.fip_dnat", …
  std::string host;      ///< the host's name as in the answer file / lab ("network", "10.15.0.7")
  std::string object;    ///< what was looked at: "br-ex", "qrouter-<id>", "gre-0a130002", "172.16.13.3"
  Status status = Status::pass;
  std::string expected;  ///< one line
  std::string seen;      ///< one line
  std::string fix;       ///< a command that fixes it (fail/warn), "" otherwise
  bool operator==(const CheckResult&) const = default;
};

struct Summary {
  int pass = 0, fail = 0, warn = 0, skip = 0, error = 0;
};

Summary summarize(const std::vector<CheckResult>& results);
/// 0 when nothing failed or errored, 1 otherwise.
int exit_code_for(const Summary& s);

void to_json(nlohmann::json& j, const CheckResult& r);
void from_json(const nlohmann::json& j, CheckResult& r);

}  // namespace sw::checks
