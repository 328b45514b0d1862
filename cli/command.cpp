#include "cli/command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/log.h"

namespace sw::cli {

void finish(const Result<int>& r) {
  if (!r) {
    std::fflush(stdout);
    log::error(r.error().message());
    throw CLI::RuntimeError(r.error().exit_code());
  }
  if (*r != 0) throw CLI::RuntimeError(*r);
}

void print_json(const nlohmann::json& j) {
  // replace invalid UTF-8 (interface aliases, process names) instead of throwing.
  const std::string s = j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fputc('\n', stdout);
}

bool use_colour() {
  const char* no = std::getenv("NO_COLOR");
  if (no && *no) return false;
  return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace sw::cli
