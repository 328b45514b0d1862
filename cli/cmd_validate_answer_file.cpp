// stackwire validate-answer-file FILE [--json] [--os-KEY=VALUE ...]
// Checks a packstack answer file without touching any host: every finding with file:line, then
// the hosts and roles a deploy would use. Exit 0 when valid (warnings allowed), 2 when invalid.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/answer_options.h"
#include "cli/command.h"
#include "cli/commands.h"
#include "common/log.h"
#include "installer/answer_file_io.h"
#include "installer/inventory.h"

namespace sw::cli {
namespace {

struct ValidateArgs {
  std::string file;
  bool json = false;
};

std::string_view severity_name(installer::Severity s) {
  return s == installer::Severity::error ? "error" : "warning";
}

Result<int> run_validate(const ValidateArgs& a, const AnswerOverrideOptions& options) {
  const auto overrides = SW_TRY(options.take());
  auto file = SW_TRY(installer::load_answer_file(a.file));
  if (!overrides.empty())
    if (auto applied = installer::apply_overrides(file, overrides); !applied && !file.has_errors())
      return fail(std::move(applied.error()));
  for (const auto& s : file.secrets()) log::add_secret(s);

  std::vector<installer::Diagnostic> all = file.diagnostics();
  const auto local = installer::check_local_files(file);
  all.insert(all.end(), local.begin(), local.end());
  std::size_t errors = 0, warnings = 0;
  for (const auto& d : all) (d.severity == installer::Severity::error ? errors : warnings)++;
  const bool valid = errors == 0;
  const auto inventory = valid ? installer::make_inventory(file) : Result<installer::Inventory>(
                                                                       fail(Error::input("invalid")));

  if (a.json) {
    nlohmann::json j;
    j["file"] = a.file;
    j["valid"] = valid;
    j["errors"] = errors;
    j["warnings"] = warnings;
    j["diagnostics"] = nlohmann::json::array();
    for (const auto& d : all)
      j["diagnostics"].push_back({{"severity", severity_name(d.severity)},
                                  {"source", d.origin.source},
                                  {"line", d.origin.line},
                                  {"key", d.key},
                                  {"message", log::mask(d.message)}});
    j["not_deployed"] = file.not_deployed();
    j["hosts"] = nlohmann::json::array();
    if (inventory)
      for (const auto& h : inventory->hosts) {
        nlohmann::json roles = nlohmann::json::array();
        for (auto r : h.roles) roles.push_back(installer::role_name(r));
        j["hosts"].push_back({{"address", h.address}, {"roles", roles}, {"excluded", h.excluded}});
      }
    print_json(j);
    return valid ? 0 : 2;
  }

  std::fflush(stdout);
  for (const auto& d : all) {
    const std::string line = d.origin.where() + ": " + std::string(severity_name(d.severity)) +
                             ": " + log::mask(d.message) + "\n";
    std::fputs(line.c_str(), stderr);
  }
  if (!valid) {
    std::printf("%s: invalid (%zu errors, %zu warnings)\n", a.file.c_str(), errors, warnings);
    return 2;
  }
  std::printf("%s: valid (%zu warnings)\n", a.file.c_str(), warnings);
  if (inventory) std::fputs(inventory->describe().c_str(), stdout);
  return 0;
}

}  // namespace

void add_validate_answer_file_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "validate-answer-file",
      "Check a packstack answer file without touching any host (exit 0 valid, 2 invalid)");
  auto args = std::make_shared<ValidateArgs>();
  cmd->add_option("file", args->file, "The answer file")->required();
  cmd->add_flag("--json", args->json, "Print the findings and the hosts as JSON");
  auto overrides = AnswerOverrideOptions::add_to(*cmd);
  cmd->callback([args, overrides] { finish(run_validate(*args, *overrides)); });
}

}  // namespace sw::cli
