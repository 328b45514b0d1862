#include "checks/report.h"

#include <cstdio>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sw::checks {
namespace {

const char* colour_of(Status s) {
  switch (s) {
    case Status::pass: return "\033[32m";
    case Status::fail: return "\033[1;31m";
    case Status::warn: return "\033[33m";
    case Status::skip: return "\033[2m";
    case Status::error: return "\033[1;35m";
  }
  return "";
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') out += "?";
        else out += c;
    }
  }
  return out;
}

std::string summary_line(const VerifyReport& r) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", r.seconds);
  const auto& s = r.summary;
  return std::to_string(s.pass) + " passed, " + std::to_string(s.fail) + " failed, " + std::to_string(s.warn) +
         " warnings, " + std::to_string(s.skip) + " skipped, " + std::to_string(s.error) + " errors in " + secs + " s";
}

/// Hosts in the order they first appear.
std::vector<std::string> host_order(const std::vector<CheckResult>& results) {
  std::vector<std::string> out;
  for (const auto& r : results)
    if (std::find(out.begin(), out.end(), r.host) == out.end()) out.push_back(r.host);
  return out;
}

}  // namespace

std::string report_text(const VerifyReport& report, bool colour) {
  std::ostringstream out;
  const char* reset = colour ? "\033[0m" : "";
  const char* bold = colour ? "\033[1m" : "";
  out << "stackwire verify: " << report.hosts.size() << " hosts; topology from " << report.topology_source << "\n";
  for (const auto& host : host_order(report.results)) {
    out << "\n" << bold << host << reset << "\n";
    std::size_t w = 0;
    for (const auto& r : report.results)
      if (r.host == host) w = std::max(w, r.id.size());
    for (const auto& r : report.results) {
      if (r.host != host) continue;
      out << "  " << (colour ? colour_of(r.status) : "") << upper(status_name(r.status)) << reset
          << std::string(6 - status_name(r.status).size(), ' ') << r.id << std::string(w + 2 - r.id.size(), ' ')
          << r.object;
      if (r.status == Status::pass || r.status == Status::skip) {
        out << (r.seen.empty() ? "" : ": " + r.seen) << "\n";
        continue;
      }
      out << "\n";
      out << "        expected: " << r.expected << "\n";
      out << "        seen:     " << r.seen << "\n";
      if (!r.fix.empty()) out << "        fix:      " << r.fix << "\n";
    }
  }
  const bool ok = exit_code_for(report.summary) == 0;
  out << "\n" << (colour ? (ok ? "\033[1;32m" : "\033[1;31m") : "") << (ok ? "OK" : "FAILED") << reset << ": "
      << summary_line(report) << "\n";
  return out.str();
}

std::string report_json(const VerifyReport& report) {
  nlohmann::ordered_json j;
  j["results"] = nlohmann::json::array();
  for (const auto& r : report.results) {
    nlohmann::ordered_json x;
    x["id"] = r.id;
    x["host"] = r.host;
    x["object"] = r.object;
    x["status"] = status_name(r.status);
    x["expected"] = r.expected;
    x["seen"] = r.seen;
    x["fix"] = r.fix;
    j["results"].push_back(x);
  }
  const auto& s = report.summary;
  j["summary"] = {{"pass", s.pass}, {"fail", s.fail}, {"warn", s.warn}, {"skip", s.skip}, {"error", s.error}};
  j["hosts"] = report.hosts;
  j["topology_source"] = report.topology_source;
  j["seconds"] = report.seconds;
  return j.dump(2) + "\n";
}

Result<VerifyReport> parse_report_json(std::string_view text) {
  try {
    const auto j = nlohmann::json::parse(text);
    VerifyReport r;
    r.results = j.at("results").get<std::vector<CheckResult>>();
    r.summary = summarize(r.results);
    r.hosts = j.value("hosts", std::vector<std::string>{});
    r.topology_source = j.value("topology_source", "");
    r.seconds = j.value("seconds", 0.0);
    return r;
  } catch (const std::exception& e) {
    return fail(Error::input(std::string("verify report: ") + e.what()));
  }
}

std::string report_junit(const VerifyReport& report) {
  std::ostringstream out;
  const auto& s = report.summary;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f", report.seconds);
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"stackwire verify\" tests=\"" << report.results.size() << "\" failures=\"" << s.fail
      << "\" errors=\"" << s.error << "\" skipped=\"" << s.skip << "\" time=\"" << secs << "\">\n";
  for (const auto& host : host_order(report.results)) {
    int n = 0, f = 0, e = 0, sk = 0;
    for (const auto& r : report.results) {
      if (r.host != host) continue;
      ++n;
      f += r.status == Status::fail;
      e += r.status == Status::error;
      sk += r.status == Status::skip;
    }
    out << "  <testsuite name=\"" << xml_escape(host) << "\" tests=\"" << n << "\" failures=\"" << f << "\" errors=\""
        << e << "\" skipped=\"" << sk << "\">\n";
    for (const auto& r : report.results) {
      if (r.host != host) continue;
      out << "    <testcase classname=\"stackwire." << xml_escape(host) << "." << xml_escape(r.id) << "\" name=\""
          << xml_escape(r.id + " " + r.object) << "\">";
      const std::string detail = "expected: " + r.expected + "\nseen: " + r.seen + (r.fix.empty() ? "" : "\nfix: " + r.fix);
      switch (r.status) {
        case Status::pass: break;
        case Status::fail:
          out << "\n      <failure message=\"" << xml_escape(r.seen) << "\" type=\"" << xml_escape(r.id) << "\">"
              << xml_escape(detail) << "</failure>\n    ";
          break;
        case Status::error:
          out << "\n      <error message=\"" << xml_escape(r.seen) << "\" type=\"" << xml_escape(r.id) << "\">"
              << xml_escape(detail) << "</error>\n    ";
          break;
        case Status::skip:
          out << "\n      <skipped message=\"" << xml_escape(r.seen) << "\"/>\n    ";
          break;
        case Status::warn:
          out << "\n      <system-out>" << xml_escape("WARNING\n" + detail) << "</system-out>\n    ";
          break;
      }
      out << "</testcase>\n";
    }
    out << "  </testsuite>\n";
  }
  out << "</testsuites>\n";
  return out.str();
}

}  // namespace sw::checks
