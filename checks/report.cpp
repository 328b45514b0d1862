#include "checks/report.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sw::checks {
namespace {

/// Ids longer than this do not set the column of their host's objects; they overflow it instead.
constexpr std::size_t kMaxIdColumn = 24;

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

/// Decodes the UTF-8 sequence at s[i] and moves i past it; nullopt (and i moved by one byte) for a
/// byte that does not start a valid sequence: stray continuation bytes, truncated or overlong
/// forms, surrogates, code points past U+10FFFF. Check results carry interface aliases and
/// process names, which are bytes, not text.
std::optional<char32_t> next_code_point(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0, min = 0;
  if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07, min = 0x10000;
  if (len == 0 || i + len > s.size()) {
    ++i;
    return std::nullopt;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return std::nullopt;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return std::nullopt;
  }
  i += len;
  return cp;
}

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool is_control(char32_t cp) { return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0); }

/// A control character as C writes it: \n, \t, \x1b, \u009b.
void append_visible(std::string& out, char32_t cp) {
  switch (cp) {
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    default: break;
  }
  char buf[8];
  std::snprintf(buf, sizeof buf, cp < 0x80 ? "\\x%02x" : "\\u%04x", static_cast<unsigned>(cp));
  out += buf;
}

/// For a terminal: control characters shown, not obeyed (an ESC in a process name must not
/// recolour or clear the operator's screen; a newline must not break the layout), invalid UTF-8
/// replaced.
std::string text_safe(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const auto cp = next_code_point(s, i);
    if (!cp) out += kReplacement;
    else if (is_control(*cp)) append_visible(out, *cp);
    else out.append(s.substr(start, i - start));
  }
  return out;
}

/// Screen columns, counting code points (no East Asian wide characters in check ids).
std::size_t columns(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

/// For XML 1.0 text and attribute values. Tab, newline and CR are written as character references,
/// because a parser turns them into spaces in attribute values (and CR into LF everywhere); the other
/// C0 controls cannot appear in XML 1.0 at all, even as references, and are written the C way.
std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t start = i;
    const auto cp = next_code_point(s, i);
    if (!cp || *cp == 0xFFFE || *cp == 0xFFFF) {
      out += kReplacement;
      continue;
    }
    switch (*cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (*cp < 0x20) append_visible(out, *cp);
        else out.append(s.substr(start, i - start));
    }
  }
  return out;
}

std::string summary_line(const Summary& s, double seconds) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.2f", seconds);
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

// Every reporter counts the results it prints, so that a report never disagrees with itself.

std::string report_text(const VerifyReport& report, bool colour) {
  std::ostringstream out;
  const char* reset = colour ? "\033[0m" : "";
  const char* bold = colour ? "\033[1m" : "";
  const Summary summary = summarize(report.results);
  out << "stackwire verify: " << report.hosts.size() << " hosts; topology from " << text_safe(report.topology_source)
      << "\n";
  for (const auto& host : host_order(report.results)) {
    out << "\n" << bold << text_safe(host) << reset << "\n";
    std::size_t w = 0;
    for (const auto& r : report.results)
      if (const auto c = columns(text_safe(r.id)); r.host == host && c <= kMaxIdColumn) w = std::max(w, c);
    for (const auto& r : report.results) {
      if (r.host != host) continue;
      const std::string id = text_safe(r.id);
      const std::size_t idw = columns(id);
      out << "  " << (colour ? colour_of(r.status) : "") << upper(status_name(r.status)) << reset
          << std::string(6 - status_name(r.status).size(), ' ') << id << std::string(idw < w ? w - idw + 2 : 2, ' ')
          << text_safe(r.object);
      if (r.status == Status::pass || r.status == Status::skip) {
        out << (r.seen.empty() ? "" : ": " + text_safe(r.seen)) << "\n";
        continue;
      }
      out << "\n";
      out << "        expected: " << text_safe(r.expected) << "\n";
      out << "        seen:     " << text_safe(r.seen) << "\n";
      if (!r.fix.empty()) out << "        fix:      " << text_safe(r.fix) << "\n";
    }
  }
  const bool ok = exit_code_for(summary) == 0;
  out << "\n" << (colour ? (ok ? "\033[1;32m" : "\033[1;31m") : "") << (ok ? "OK" : "FAILED") << reset << ": "
      << summary_line(summary, report.seconds) << "\n";
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
  const Summary s = summarize(report.results);
  j["summary"] = {{"pass", s.pass}, {"fail", s.fail}, {"warn", s.warn}, {"skip", s.skip}, {"error", s.error}};
  j["hosts"] = report.hosts;
  j["topology_source"] = report.topology_source;
  j["seconds"] = report.seconds;
  // Invalid UTF-8 (a process name, an interface alias) is replaced rather than thrown on.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
  const Summary s = summarize(report.results);
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
