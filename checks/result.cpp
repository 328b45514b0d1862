#include "checks/result.h"

#include <nlohmann/json.hpp>

namespace sw::checks {

std::string_view status_name(Status s) {
  switch (s) {
    case Status::pass: return "pass";
    case Status::fail: return "fail";
    case Status::warn: return "warn";
    case Status::skip: return "skip";
    case Status::error: return "error";
  }
  return "error";
}

std::optional<Status> status_from_name(std::string_view s) {
  for (Status st : {Status::pass, Status::fail, Status::warn, Status::skip, Status::error})
    if (status_name(st) == s) return st;
  return std::nullopt;
}

Summary summarize(const std::vector<CheckResult>& results) {
  Summary s;
  for (const auto& r : results) {
    switch (r.status) {
      case Status::pass: ++s.pass; break;
      case Status::fail: ++s.fail; break;
      case Status::warn: ++s.warn; break;
      case Status::skip: ++s.skip; break;
      case Status::error: ++s.error; break;
    }
  }
  return s;
}

int exit_code_for(const Summary& s) { return s.fail > 0 || s.error > 0 ? 1 : 0; }

void to_json(nlohmann::json& j, const CheckResult& r) {
  j = nlohmann::json{{"id", r.id},
                     {"host", r.host},
                     {"object", r.object},
                     {"status", std::string(status_name(r.status))},
                     {"expected", r.expected},
                     {"seen", r.seen},
                     {"fix", r.fix}};
}

void from_json(const nlohmann::json& j, CheckResult& r) {
  r.id = j.at("id").get<std::string>();
  r.host = j.at("host").get<std::string>();
  r.object = j.at("object").get<std::string>();
  const auto st = status_from_name(j.at("status").get<std::string>());
  if (!st) throw nlohmann::json::other_error::create(501, "unknown status " + j.at("status").get<std::string>(), &j);
  r.status = *st;
  r.expected = j.value("expected", "");
  r.seen = j.value("seen", "");
  r.fix = j.value("fix", "");
}

}  // namespace sw::checks
