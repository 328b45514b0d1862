// The reporters on hand-built VerifyReports: all pass; one of each status (a failure with its fix);
// hostile strings (XML and shell metacharacters, control characters, UTF-8 and bytes that are not,
// very long ids and values). JSON is checked against DESIGN.md's keys and read back with
// parse_report_json; text for its grouping, detail lines, summary line and colour; JUnit is read back
// by a real consumer — Debian's python3-junitparser — which must count what we meant.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "checks/report.h"
#include "tests/support/system.h"

namespace sw::checks {
namespace {

using nlohmann::json;

CheckResult res(std::string id, std::string host, std::string object, Status status, std::string expected,
                std::string seen, std::string fix = "") {
  CheckResult r;
  r.id = std::move(id);
  r.host = std::move(host);
  r.object = std::move(object);
  r.status = status;
  r.expected = std::move(expected);
  r.seen = std::move(seen);
  r.fix = std::move(fix);
  return r;
}

VerifyReport make_report(std::vector<CheckResult> results) {
  VerifyReport r;
  r.results = std::move(results);
  r.summary = summarize(r.results);
  r.seconds = 1.5;
  r.topology_source = "Neutron API (http://10.15.0.4:5000/v3)";
  r.hosts = {"controller (10.15.0.4)", "network (10.15.0.7)", "compute1 (10.15.0.2)"};
  return r;
}

VerifyReport all_pass() {
  return make_report({
      res("brex.bridge", "network", "br-ex", Status::pass, "OVS bridge br-ex", "present (datapath netdev)"),
      res("brex.up", "network", "br-ex", Status::pass, "up", "up"),
      res("ovs.bridge", "compute1", "br-int", Status::pass, "present", "present"),
  });
}

// Hosts interleaved on purpose: network, compute1, network, controller, compute1, network.
VerifyReport mixed() {
  return make_report({
      res("brex.bridge", "network", "br-ex", Status::pass, "OVS bridge br-ex", "present"),
      res("ovs.bridge", "compute1", "br-tun", Status::fail, "OVS bridge br-tun", "missing",
          "ovs-vsctl --may-exist add-br br-tun"),
      res("nat.fip_dnat", "network", "172.16.13.3", Status::warn, "DNAT 172.16.13.3 -> 10.0.0.5",
          "DNAT 172.16.13.3 -> 10.0.0.6", "neutron-l3-agent restart"),
      res("reach.instance", "controller", "test0 10.0.0.5", Status::skip, "answers ICMP", "reachability off"),
      res("host.snapshot", "compute1", "10.15.0.8", Status::error, "a snapshot of the host",
          "ssh: connection refused"),
      res("router.qg", "network", "qg-1234", Status::pass, "172.16.13.2/24", "172.16.13.2/24"),
  });
}

const std::string kControls = std::string("ctl:") + '\x01' + "\x1b[31mred\x1b[0m" + '\x7f' + '\t' + "tab" + '\n' +
                              "newline" + '\r' + "cr";
const std::string kUtf8 = "Gr\xC3\xBC\xC3\x9F" "e \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80";  // Grüße ✓ 日本 😀
const std::string kMarkup = "<script>alert(\"x\")</script> & 'quotes' ]]> &amp; $(reboot) `id`";
const std::string kLong(10000, 'x');
const std::string kLongId = "ovs.tunnel_flow." + std::string(200, 'z');

VerifyReport hostile() {
  return make_report({
      res("nat.<fip>&\"q'", "net<&>\"'work", kMarkup, Status::fail, kMarkup, kMarkup, kMarkup),
      res("ctl.check", "net<&>\"'work", kControls, Status::fail, kControls, kControls, kControls),
      res("utf8.check", kUtf8, kUtf8, Status::error, kUtf8, kUtf8),
      res(kLongId, kUtf8, kLong, Status::skip, kLong, kLong),
      res("long.value", "net<&>\"'work", "x", Status::warn, kLong, kLong, kLong),
      res("", "", "", Status::pass, "", ""),
  });
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

bool valid_utf8(const std::string& s) {
  try {
    (void)json(s).dump();  // the strict handler throws on invalid UTF-8
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

std::size_t count_of(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + what.size())) ++n;
  return n;
}

// ---------------------------------------------------------------- JSON

TEST(ReportJson, HasExactlyTheDesignKeys) {
  const auto j = json::parse(report_json(mixed()));
  ASSERT_TRUE(j.is_object());
  ASSERT_TRUE(j.contains("results"));
  ASSERT_TRUE(j.contains("summary"));
  ASSERT_TRUE(j["results"].is_array());
  ASSERT_EQ(j["results"].size(), 6u);
  const std::set<std::string> result_keys{"id", "host", "object", "status", "expected", "seen", "fix"};
  for (const auto& r : j["results"]) {
    std::set<std::string> keys;
    for (const auto& [k, v] : r.items()) {
      keys.insert(k);
      EXPECT_TRUE(v.is_string()) << k;
    }
    EXPECT_EQ(keys, result_keys);
  }
  std::set<std::string> summary_keys;
  for (const auto& [k, v] : j["summary"].items()) {
    summary_keys.insert(k);
    EXPECT_TRUE(v.is_number_integer()) << k;
  }
  EXPECT_EQ(summary_keys, (std::set<std::string>{"pass", "fail", "warn", "skip", "error"}));
}

TEST(ReportJson, ResultsInOrderWithStatusNames) {
  const auto j = json::parse(report_json(mixed()));
  const std::vector<std::string> statuses{"pass", "fail", "warn", "skip", "error", "pass"};
  ASSERT_EQ(j["results"].size(), statuses.size());
  for (std::size_t i = 0; i < statuses.size(); ++i) EXPECT_EQ(j["results"][i]["status"], statuses[i]) << i;
  const auto& f = j["results"][1];
  EXPECT_EQ(f["id"], "ovs.bridge");
  EXPECT_EQ(f["host"], "compute1");
  EXPECT_EQ(f["object"], "br-tun");
  EXPECT_EQ(f["expected"], "OVS bridge br-tun");
  EXPECT_EQ(f["seen"], "missing");
  EXPECT_EQ(f["fix"], "ovs-vsctl --may-exist add-br br-tun");
  EXPECT_EQ(j["results"][0]["fix"], "");
}

TEST(ReportJson, CountsAreRight) {
  const auto j = json::parse(report_json(mixed()));
  EXPECT_EQ(j["summary"], (json{{"pass", 2}, {"fail", 1}, {"warn", 1}, {"skip", 1}, {"error", 1}}));
  const auto p = json::parse(report_json(all_pass()));
  EXPECT_EQ(p["summary"], (json{{"pass", 3}, {"fail", 0}, {"warn", 0}, {"skip", 0}, {"error", 0}}));
  const auto e = json::parse(report_json(make_report({})));
  EXPECT_EQ(e["results"], json::array());
  EXPECT_EQ(e["summary"], (json{{"pass", 0}, {"fail", 0}, {"warn", 0}, {"skip", 0}, {"error", 0}}));
}

TEST(ReportJson, CountsComeFromTheResultsNotAStaleSummary) {
  VerifyReport r = mixed();
  r.summary = Summary{};  // a caller that forgot summarize()
  const auto j = json::parse(report_json(r));
  EXPECT_EQ(j["summary"]["fail"], 1);
  EXPECT_EQ(j["summary"]["pass"], 2);
}

void expect_round_trip(const VerifyReport& r) {
  const auto back = parse_report_json(report_json(r));
  ASSERT_TRUE(back) << back.error().message();
  EXPECT_EQ(back->results, r.results);
  EXPECT_EQ(back->hosts, r.hosts);
  EXPECT_EQ(back->topology_source, r.topology_source);
  EXPECT_DOUBLE_EQ(back->seconds, r.seconds);
  const Summary s = summarize(r.results);
  EXPECT_EQ(back->summary.pass, s.pass);
  EXPECT_EQ(back->summary.fail, s.fail);
  EXPECT_EQ(back->summary.warn, s.warn);
  EXPECT_EQ(back->summary.skip, s.skip);
  EXPECT_EQ(back->summary.error, s.error);
}

TEST(ReportJson, RoundTrips) {
  expect_round_trip(all_pass());
  expect_round_trip(mixed());
  expect_round_trip(make_report({}));
  VerifyReport odd = mixed();
  odd.seconds = 0.1 + 0.2;  // not representable in short decimal
  expect_round_trip(odd);
}

TEST(ReportJson, HostileStringsRoundTripExactly) { expect_round_trip(hostile()); }

TEST(ReportJson, InvalidUtf8IsReplacedNotThrown) {
  // Interface aliases and process names are bytes; a report must still be written.
  const std::string bad = std::string("alias ") + '\xff' + '\xfe' + " \xC3(" + " \xED\xA0\x80";
  const VerifyReport r = make_report({res("x.y", "network", bad, Status::fail, "ok", bad, "fix " + bad)});
  std::string text;
  ASSERT_NO_THROW(text = report_json(r));
  const auto j = json::parse(text);  // the parser rejects invalid UTF-8: this proves it is valid
  const std::string seen = j["results"][0]["seen"];
  EXPECT_NE(seen.find("\xEF\xBF\xBD"), std::string::npos) << seen;
  EXPECT_EQ(seen.rfind("alias ", 0), 0u);
  EXPECT_EQ(j["summary"]["fail"], 1);
}

TEST(ReportJson, ParseRejectsBadInputWithAnInputError) {
  for (const std::string text :
       {"", "not json", "[]", "{}", R"({"results": {}})", R"({"results": [{"host": "h", "object": "o", "status": "pass"}]})",
        R"({"results": [{"id": "a", "host": "h", "object": "o", "status": "sideways"}]})",
        R"({"results": [{"id": 1, "host": "h", "object": "o", "status": "pass"}]})",
        R"({"results": [], "hosts": "network"})"}) {
    const auto r = parse_report_json(text);
    ASSERT_FALSE(r) << text;
    EXPECT_EQ(r.error().exit_code(), 2) << text;
    EXPECT_NE(r.error().message().find("verify report"), std::string::npos) << r.error().message();
  }
}

TEST(ReportJson, ParseRecountsTheSummary) {
  auto j = json::parse(report_json(mixed()));
  j["summary"] = {{"pass", 99}, {"fail", 0}, {"warn", 0}, {"skip", 0}, {"error", 0}};
  const auto r = parse_report_json(j.dump());
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->summary.pass, 2);
  EXPECT_EQ(r->summary.fail, 1);
  EXPECT_EQ(exit_code_for(r->summary), 1);
}

// ---------------------------------------------------------------- text

TEST(ReportText, GroupedByHostInFirstSeenOrder) {
  const auto lines = lines_of(report_text(mixed(), false));
  std::vector<std::string> headers;
  std::map<std::string, std::vector<std::string>> ids_of;
  std::string current;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const auto& l = lines[i];
    if (l.empty() || l.rfind("OK:", 0) == 0 || l.rfind("FAILED:", 0) == 0) continue;
    if (l[0] != ' ') {
      headers.push_back(l);
      current = l;
    } else if (l.rfind("        ", 0) != 0) {
      std::istringstream in(l);
      std::string status, id;
      in >> status >> id;
      ids_of[current].push_back(id);
    }
  }
  EXPECT_EQ(headers, (std::vector<std::string>{"network", "compute1", "controller"}));
  EXPECT_EQ(ids_of["network"], (std::vector<std::string>{"brex.bridge", "nat.fip_dnat", "router.qg"}));
  EXPECT_EQ(ids_of["compute1"], (std::vector<std::string>{"ovs.bridge", "host.snapshot"}));
  EXPECT_EQ(ids_of["controller"], (std::vector<std::string>{"reach.instance"}));
  EXPECT_EQ(lines[0], "stackwire verify: 3 hosts; topology from Neutron API (http://10.15.0.4:5000/v3)");
}

TEST(ReportText, FailuresShowExpectedSeenAndFix) {
  const std::string text = report_text(mixed(), false);
  const std::string fail_block = "  FAIL  ovs.bridge     br-tun\n"
                                 "        expected: OVS bridge br-tun\n"
                                 "        seen:     missing\n"
                                 "        fix:      ovs-vsctl --may-exist add-br br-tun\n";
  EXPECT_NE(text.find(fail_block), std::string::npos) << text;
  const std::string warn_block = "  WARN  nat.fip_dnat  172.16.13.3\n"
                                 "        expected: DNAT 172.16.13.3 -> 10.0.0.5\n"
                                 "        seen:     DNAT 172.16.13.3 -> 10.0.0.6\n"
                                 "        fix:      neutron-l3-agent restart\n";
  EXPECT_NE(text.find(warn_block), std::string::npos) << text;
  // An error without a fix has no fix line.
  const std::string error_block = "  ERROR host.snapshot  10.15.0.8\n"
                                  "        expected: a snapshot of the host\n"
                                  "        seen:     ssh: connection refused\n\n";
  EXPECT_NE(text.find(error_block), std::string::npos) << text;
  // Passes and skips are one line with what was seen.
  EXPECT_NE(text.find("  PASS  brex.bridge   br-ex: present\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  SKIP  reach.instance  test0 10.0.0.5: reachability off\n"), std::string::npos) << text;
  EXPECT_EQ(count_of(text, "expected:"), 3u);
}

TEST(ReportText, SummaryLine) {
  auto last = [](const std::string& t) { return lines_of(t).back(); };
  EXPECT_EQ(last(report_text(mixed(), false)), "FAILED: 2 passed, 1 failed, 1 warnings, 1 skipped, 1 errors in 1.50 s");
  EXPECT_EQ(last(report_text(all_pass(), false)), "OK: 3 passed, 0 failed, 0 warnings, 0 skipped, 0 errors in 1.50 s");
  // Warnings and skips do not fail; an error alone does.
  VerifyReport ws = make_report({res("a.b", "h", "o", Status::warn, "e", "s", "f"), res("c.d", "h", "o", Status::skip, "e", "s")});
  EXPECT_EQ(last(report_text(ws, false)).rfind("OK: 0 passed, 0 failed, 1 warnings, 1 skipped", 0), 0u);
  VerifyReport err = make_report({res("a.b", "h", "o", Status::error, "e", "s")});
  EXPECT_EQ(last(report_text(err, false)).rfind("FAILED: ", 0), 0u);
  EXPECT_EQ(last(report_text(make_report({}), false)), "OK: 0 passed, 0 failed, 0 warnings, 0 skipped, 0 errors in 1.50 s");
  // The line counts the results, not a stale summary.
  VerifyReport stale = mixed();
  stale.summary = Summary{};
  EXPECT_EQ(last(report_text(stale, false)).rfind("FAILED: 2 passed, 1 failed", 0), 0u);
}

TEST(ReportText, NoEscapesWithoutColourEvenFromHostileStrings) {
  for (const auto& r : {mixed(), all_pass(), hostile()}) {
    const std::string text = report_text(r, false);
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text.substr(0, 2000);
  }
}

TEST(ReportText, ColourWhenAsked) {
  const std::string text = report_text(mixed(), true);
  EXPECT_NE(text.find("\x1b[1;31mFAIL\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[32mPASS\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[33mWARN\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[1mnetwork\x1b[0m"), std::string::npos);
  EXPECT_NE(text.find("\x1b[1;31mFAILED\x1b[0m: "), std::string::npos);
  EXPECT_NE(report_text(all_pass(), true).find("\x1b[1;32mOK\x1b[0m: "), std::string::npos);
  // Without the escapes the layout is the uncoloured one.
  std::string stripped;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b') {
      i = text.find('m', i);
      continue;
    }
    stripped += text[i];
  }
  EXPECT_EQ(stripped, report_text(mixed(), false));
}

TEST(ReportText, ColourEscapesAreOnlyOurs) {
  // Every ESC in the output starts one of the reporter's own SGR sequences; the ESC in a check's
  // text is shown as \x1b.
  const std::string text = report_text(hostile(), true);
  const std::set<std::string> ours{"\x1b[0m", "\x1b[1m", "\x1b[32m", "\x1b[1;31m", "\x1b[33m", "\x1b[2m", "\x1b[1;35m", "\x1b[1;32m"};
  for (auto p = text.find('\x1b'); p != std::string::npos; p = text.find('\x1b', p + 1)) {
    const auto m = text.find('m', p);
    ASSERT_NE(m, std::string::npos);
    EXPECT_TRUE(ours.count(text.substr(p, m - p + 1))) << json(text.substr(p, 12)).dump();
  }
  EXPECT_NE(text.find("\\x1b[31mred\\x1b[0m"), std::string::npos);
}

TEST(ReportText, HostileStringsStayOnTheirLinesAndValid) {
  const std::string text = report_text(hostile(), false);
  EXPECT_TRUE(valid_utf8(text));
  // Control characters are shown, not obeyed: each result keeps its lines.
  EXPECT_NE(text.find("        seen:     ctl:\\x01\\x1b[31mred\\x1b[0m\\x7f\\ttab\\nnewline\\rcr\n"), std::string::npos)
      << text.substr(0, 3000);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\t'), std::string::npos);
  EXPECT_EQ(text.find('\x01'), std::string::npos);
  EXPECT_EQ(text.find('\x7f'), std::string::npos);
  // Valid UTF-8 is kept as it is; markup is not text's business.
  EXPECT_NE(text.find("        seen:     " + kUtf8 + "\n"), std::string::npos);
  EXPECT_NE(text.find("        fix:      " + kMarkup + "\n"), std::string::npos);
  EXPECT_NE(text.find(kLong), std::string::npos);
  // Lines: header, blank + host + its rows per host, blank, summary.
  //   net<&>"'work: fail (4 lines) + fail (4) + warn (4) = 12, Grüße host: error (3) + skip (1) = 4, "" host: pass (1).
  EXPECT_EQ(lines_of(text).size(), 1u + (2 + 12) + (2 + 4) + (2 + 1) + 2);
  // Invalid UTF-8 is replaced.
  const std::string bad = std::string("a") + '\xff' + "b" + '\xC3';
  const std::string t2 = report_text(make_report({res("x.y", bad, bad, Status::fail, bad, bad, bad)}), false);
  EXPECT_TRUE(valid_utf8(t2));
  EXPECT_NE(t2.find("a\xEF\xBF\xBD" "b\xEF\xBF\xBD"), std::string::npos);
}

TEST(ReportText, LongIdsDoNotPushEveryRowRight) {
  const VerifyReport r = make_report({
      res("brex.up", "network", "br-ex", Status::pass, "up", "up"),
      res("ovs.tunnel_flow_flood", "network", "net0", Status::pass, "present", "present"),
      res(kLongId, "network", "OBJ", Status::pass, "present", "present"),
      res("nat.snat", "network", "10.0.0.0/24", Status::pass, "present", "present"),
  });
  const auto lines = lines_of(report_text(r, false));
  // The longest ordinary id sets the column; the very long one overflows by two spaces.
  EXPECT_NE(std::find(lines.begin(), lines.end(), "  PASS  brex.up                br-ex: up"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "  PASS  ovs.tunnel_flow_flood  net0: present"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "  PASS  " + kLongId + "  OBJ: present"), lines.end());
  EXPECT_NE(std::find(lines.begin(), lines.end(), "  PASS  nat.snat               10.0.0.0/24: present"), lines.end());
}

TEST(ReportText, Utf8IdsAlignByCharacters) {
  const VerifyReport r = make_report({
      res("gr\xC3\xBC\xC3\x9F" "e.x", "h", "A", Status::pass, "", ""),  // 7 characters, 9 bytes
      res("abcdefg", "h", "B", Status::pass, "", ""),
  });
  const std::string text = report_text(r, false);
  EXPECT_NE(text.find("  PASS  gr\xC3\xBC\xC3\x9F" "e.x  A\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  PASS  abcdefg  B\n"), std::string::npos) << text;
}

// ---------------------------------------------------------------- JUnit, read by junitparser

// Debian's python3-junitparser is installed for Debian's interpreter; a python3 earlier in PATH
// (pyenv, a venv) does not see it.
constexpr const char* kPython = "/usr/bin/python3";

// Parses the XML strictly with xml.etree (well-formedness), then with junitparser, and prints what
// junitparser read: the counts as written in the file ("declared") and as junitparser counts them
// from the testcases ("counted"), every testcase with its results.
constexpr const char* kReader = R"PY(
import json, sys
import xml.etree.ElementTree as ET
import junitparser

path = sys.argv[1]
ET.parse(path)
xml = junitparser.JUnitXml.fromfile(path)

def counts(x):
    return {"tests": x.tests, "failures": x.failures, "errors": x.errors, "skipped": x.skipped}

out = {"root": xml._elem.tag, "declared": counts(xml), "suites": []}
for suite in xml:
    s = {"name": suite.name, "declared": counts(suite), "cases": []}
    for case in suite:
        s["cases"].append({
            "classname": case.classname,
            "name": case.name,
            "passed": case.is_passed,
            "results": [{"kind": r._tag, "message": r.message, "type": r.type, "text": r.text} for r in case.result],
            "system_out": case.system_out,
        })
    suite.update_statistics()
    s["counted"] = counts(suite)
    out["suites"].append(s)
xml.update_statistics()
out["counted"] = counts(xml)
json.dump(out, sys.stdout)
)PY";

class ReportJunit : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::sh(std::string(kPython) + " -c 'import junitparser' 2>/dev/null").status != 0)
      GTEST_SKIP() << "python3-junitparser is not installed for " << kPython << " (tools/deps installs it)";
    char tmpl[] = "/tmp/swt-report-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/reader.py") << kReader;
  }
  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  /// What junitparser reads from xml; a test failure (and null) when it cannot.
  json read_junit(const std::string& xml) {
    const std::string path = dir_ + "/report.xml";
    std::ofstream(path, std::ios::binary) << xml;
    const auto r = test::sh(std::string(kPython) + " " + test::shq(dir_ + "/reader.py") + " " + test::shq(path));
    EXPECT_EQ(r.status, 0) << r.err << "\n" << xml.substr(0, 4000);
    if (r.status != 0) return nullptr;
    return json::parse(r.out);
  }

  std::string dir_;
};

json counts(int tests, int failures, int errors, int skipped) {
  return {{"tests", tests}, {"failures", failures}, {"errors", errors}, {"skipped", skipped}};
}

TEST_F(ReportJunit, MixedCountsPerSuiteAndTotal) {
  const json j = read_junit(report_junit(mixed()));
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["root"], "testsuites");
  EXPECT_EQ(j["declared"], counts(6, 1, 1, 1));
  EXPECT_EQ(j["counted"], counts(6, 1, 1, 1));
  ASSERT_EQ(j["suites"].size(), 3u);
  const std::vector<std::string> names{"network", "compute1", "controller"};
  const std::vector<json> want{counts(3, 0, 0, 0), counts(2, 1, 1, 0), counts(1, 0, 0, 1)};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& s = j["suites"][i];
    EXPECT_EQ(s["name"], names[i]);
    EXPECT_EQ(s["declared"], want[i]) << names[i];
    EXPECT_EQ(s["counted"], want[i]) << names[i];
  }
}

TEST_F(ReportJunit, FailureMessageIsWhatWasSeen) {
  const json j = read_junit(report_junit(mixed()));
  ASSERT_FALSE(j.is_null());
  const auto& compute1 = j["suites"][1]["cases"];
  ASSERT_EQ(compute1.size(), 2u);
  const auto& f = compute1[0];
  EXPECT_EQ(f["classname"], "stackwire.compute1.ovs.bridge");
  EXPECT_EQ(f["name"], "ovs.bridge br-tun");
  ASSERT_EQ(f["results"].size(), 1u);
  EXPECT_EQ(f["results"][0]["kind"], "failure");
  EXPECT_EQ(f["results"][0]["message"], "missing");
  EXPECT_EQ(f["results"][0]["type"], "ovs.bridge");
  EXPECT_EQ(f["results"][0]["text"], "expected: OVS bridge br-tun\nseen: missing\nfix: ovs-vsctl --may-exist add-br br-tun");
  const auto& e = compute1[1];
  ASSERT_EQ(e["results"].size(), 1u);
  EXPECT_EQ(e["results"][0]["kind"], "error");
  EXPECT_EQ(e["results"][0]["message"], "ssh: connection refused");
  EXPECT_EQ(e["results"][0]["text"], "expected: a snapshot of the host\nseen: ssh: connection refused");
  const auto& sk = j["suites"][2]["cases"][0];
  ASSERT_EQ(sk["results"].size(), 1u);
  EXPECT_EQ(sk["results"][0]["kind"], "skipped");
  EXPECT_EQ(sk["results"][0]["message"], "reachability off");
  // A warning passes, with its detail on system-out.
  const auto& w = j["suites"][0]["cases"][1];
  EXPECT_TRUE(w["passed"].get<bool>());
  EXPECT_EQ(w["system_out"], "WARNING\nexpected: DNAT 172.16.13.3 -> 10.0.0.5\nseen: DNAT 172.16.13.3 -> 10.0.0.6\nfix: neutron-l3-agent restart");
  EXPECT_TRUE(j["suites"][0]["cases"][0]["passed"].get<bool>());
  EXPECT_TRUE(j["suites"][0]["cases"][0]["system_out"].is_null());
}

TEST_F(ReportJunit, AllPassAndEmpty) {
  const json p = read_junit(report_junit(all_pass()));
  ASSERT_FALSE(p.is_null());
  EXPECT_EQ(p["declared"], counts(3, 0, 0, 0));
  EXPECT_EQ(p["counted"], counts(3, 0, 0, 0));
  for (const auto& s : p["suites"])
    for (const auto& c : s["cases"]) EXPECT_TRUE(c["passed"].get<bool>()) << c.dump();
  const json e = read_junit(report_junit(make_report({})));
  ASSERT_FALSE(e.is_null());
  EXPECT_EQ(e["declared"], counts(0, 0, 0, 0));
  EXPECT_EQ(e["suites"].size(), 0u);
}

TEST_F(ReportJunit, TotalsComeFromTheResultsNotAStaleSummary) {
  VerifyReport r = mixed();
  r.summary = Summary{};
  const json j = read_junit(report_junit(r));
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["declared"], j["counted"]);
}

TEST_F(ReportJunit, HostileStringsAreWellFormedAndReadBack) {
  const json j = read_junit(report_junit(hostile()));
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["declared"], counts(6, 2, 1, 1));
  EXPECT_EQ(j["counted"], counts(6, 2, 1, 1));
  ASSERT_EQ(j["suites"].size(), 3u);
  EXPECT_EQ(j["suites"][0]["name"], "net<&>\"'work");
  EXPECT_EQ(j["suites"][1]["name"], kUtf8);
  EXPECT_EQ(j["suites"][2]["name"], "");
  for (const auto& s : j["suites"]) EXPECT_EQ(s["declared"], s["counted"]) << s["name"];

  const auto& net = j["suites"][0]["cases"];
  ASSERT_EQ(net.size(), 3u);
  // Markup and quotes survive exactly, in attributes and in text.
  EXPECT_EQ(net[0]["name"], "nat.<fip>&\"q' " + kMarkup);
  EXPECT_EQ(net[0]["classname"], "stackwire.net<&>\"'work.nat.<fip>&\"q'");
  EXPECT_EQ(net[0]["results"][0]["message"], kMarkup);
  EXPECT_EQ(net[0]["results"][0]["text"], "expected: " + kMarkup + "\nseen: " + kMarkup + "\nfix: " + kMarkup);
  // Tab, newline and CR survive exactly even in an attribute; the controls XML 1.0 cannot carry
  // are written the C way.
  const std::string shown = std::string("ctl:\\x01\\x1b[31mred\\x1b[0m") + '\x7f' + "\ttab\nnewline\rcr";
  EXPECT_EQ(net[1]["results"][0]["message"], shown);
  EXPECT_EQ(net[1]["results"][0]["type"], "ctl.check");
  // Very long values are not cut.
  EXPECT_EQ(net[2]["system_out"], "WARNING\nexpected: " + kLong + "\nseen: " + kLong + "\nfix: " + kLong);

  const auto& utf = j["suites"][1]["cases"];
  ASSERT_EQ(utf.size(), 2u);
  EXPECT_EQ(utf[0]["results"][0]["kind"], "error");
  EXPECT_EQ(utf[0]["results"][0]["message"], kUtf8);
  EXPECT_EQ(utf[1]["name"], kLongId + " " + kLong);
  EXPECT_EQ(utf[1]["results"][0]["kind"], "skipped");
  EXPECT_EQ(utf[1]["results"][0]["message"], kLong);
}

TEST_F(ReportJunit, InvalidUtf8AndNoncharactersAreReplaced) {
  const std::string bad = std::string("a") + '\xff' + "b" + "\xC0\xAF" + "c" + "\xEF\xBF\xBE" + "d" + '\xC3';
  const json j = read_junit(report_junit(make_report({res("x.y", "h", bad, Status::fail, bad, bad, bad)})));
  ASSERT_FALSE(j.is_null());
  EXPECT_EQ(j["declared"], counts(1, 1, 0, 0));
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(j["suites"][0]["cases"][0]["results"][0]["message"], "a" + r + "b" + r + r + "c" + r + "d" + r);
}

}  // namespace
}  // namespace sw::checks
