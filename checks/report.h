// Reporters: they only format check results. Text for people (grouped by host, a summary line,
// colour only when asked — the CLI asks on a terminal without NO_COLOR), JSON with a stable schema
// for scripts ({"results": [...], "summary": {...}, ...}), JUnit XML for CI (one testcase per check).
// Each counts the results it formats (report.summary is not trusted), so a report never disagrees
// with itself. Check text comes from the hosts (process names, interface aliases): text shows control
// characters instead of obeying them, XML carries what XML 1.0 can, and invalid UTF-8 is replaced.
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
