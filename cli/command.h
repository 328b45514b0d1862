// What every subcommand file shares: how a command ends (exit code, the one printed error line)
// and how data is printed.
//
// A subcommand's callback computes a Result<int>: the exit code on success (0 all good, 1 a probe or
// check failed), or an Error, which finish() prints once as "stackwire: error: ..." and turns into
// exit 2 (usage/input) or 1 (everything else). See DESIGN.md, "Exit codes everywhere".
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/error.h"

namespace CLI {
class App;
}

namespace sw::cli {

/// Ends the running subcommand with r: prints the error, if any, and makes main() return its code.
void finish(const Result<int>& r);

/// Prints j to stdout, indented, with a trailing newline.
void print_json(const nlohmann::json& j);

/// True when stdout is a terminal and NO_COLOR is unset: colour may be used.
bool use_colour();

}  // namespace sw::cli
