// Reporters: they only format check results. Text for people (grouped by host, a summary line,
// colour only when asked — the CLI asks on a terminal without NO_COLOR), JSON with a stable schema
// for scripts ({"results": [...], "summary": {...}, ...}), JUnit XML for CI (one testcase per check).
#pragma once

#include <string>
#include <vector>

#include "checks/verify.h"

namespace sw::checks {

std::string report_text(const VerifyReport& report, bool colour);
std::string report_json(const VerifyReport& report);
std::string report_junit(const VerifyReport& report);

/// Reads report_json's output back (tests, and CI tools that merge reports).
Result<VerifyReport> parse_report_json(std::string_view text);

}  // namespace sw::checks
