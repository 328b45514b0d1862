// `stackwire verify` and `stackwire __probe` as a script or CI job runs them: the real binary.
//
// Bad input must end with exit 2 and one clear line on stderr before any host is contacted. The
// binary runs in a throwaway namespace that has only lo; the answer file's hosts are 127.0.0.2 and
// 127.0.0.3 (not this host's addresses, so verify would ssh to them), and an nftables counter in
// that namespace counts every packet sent to them. A valid run is the control: it does contact them.
//
// `__probe` is fed JSON on stdin inside the same namespace: an ICMP probe of 127.0.0.1 from the
// namespace itself answers, a probe in a namespace that does not exist is a result with an error,
// malformed JSON is exit 2.
//
// With STACKWIRE_DEPLOYED_LAB=<prefix>, verify also runs on that deployed lab's controller (read
// only: nothing is deployed or changed) and must pass, as JUnit read back by python3-junitparser
// and as JSON.
#include <unistd.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/system.h"

namespace sw::checks {
namespace {

using nlohmann::json;
using test::CmdResult;
using test::shq;
using test::TempNetns;

const std::string kBin = STACKWIRE_BINARY;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

/// An error of ours: exit 2, nothing on stdout, exactly one line "stackwire: error: ..." naming `what`.
void expect_input_error(const CmdResult& r, const std::string& what) {
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const auto lines = lines_of(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0].rfind("stackwire: error: ", 0), 0u) << lines[0];
  EXPECT_NE(lines[0].find(what), std::string::npos) << "'" << what << "' not in: " << lines[0];
}

/// A usage error found by CLI11: exit 2, nothing on stdout, a line that starts with the option
/// and says what is wrong, then at most CLI11's pointer to --help (no help text dumped).
void expect_usage_error(const CmdResult& r, const std::string& option, const std::string& what = "") {
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const auto lines = lines_of(r.err);
  ASSERT_GE(lines.size(), 1u);
  ASSERT_LE(lines.size(), 2u) << r.err;
  EXPECT_NE(lines[0].find(option), std::string::npos) << lines[0];
  if (!what.empty()) {
    EXPECT_NE(lines[0].find(what), std::string::npos) << lines[0];
  }
  if (lines.size() == 2) {
    EXPECT_EQ(lines[1], "Run with --help for more information.");
  }
}

class VerifyCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!test::is_root()) return;
    ns_ = new TempNetns("vcli");
    ns_->exec_ok("ip link set lo up");
    ns_->exec_ok(
        "nft add table inet swt && nft add counter inet swt contact && "
        "nft add chain inet swt out '{ type filter hook output priority 0; }' && "
        "nft add rule inet swt out ip daddr '{ 127.0.0.2, 127.0.0.3 }' counter name contact");
    char tmpl[] = "/tmp/swt-verify-cli-XXXXXX";
    if (::mkdtemp(tmpl)) dir_ = new std::string(tmpl);
    else dir_ = new std::string("/nonexistent");
    test::sh_ok(kBin + " gen-answer-file " + shq(answers()) + " --install-hosts=127.0.0.2,127.0.0.3 2>/dev/null");
    spit(topology(), "{\"networks\": []}\n");
  }
  static void TearDownTestSuite() {
    delete ns_;
    ns_ = nullptr;
    if (dir_ && dir_->rfind("/tmp/swt-", 0) == 0) std::filesystem::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
  }
  void SetUp() override {
    SW_REQUIRE_ROOT();
    ASSERT_NE(ns_, nullptr);
    ASSERT_EQ(contacts(), 0u) << "packets to the hosts before the test began";
  }
  void TearDown() override {
    if (ns_) ns_->exec("nft reset counter inet swt contact >/dev/null");
  }

  static std::string path(const std::string& name) { return *dir_ + "/" + name; }
  static std::string answers() { return path("answers.txt"); }
  static std::string topology() { return path("topology.json"); }

  /// stackwire ARGS, run inside the namespace.
  static CmdResult sw(const std::string& args) { return ns_->exec(shq(kBin) + " " + args); }
  static CmdResult verify(const std::string& args) {
    return sw("verify --known-hosts " + shq(path("known_hosts")) + " " + args);
  }

  /// Packets sent to the answer file's hosts since the last reset.
  static std::uint64_t contacts() {
    const auto r = ns_->exec("nft -j list counter inet swt contact");
    if (r.status != 0) {
      ADD_FAILURE() << "nft: " << r.err;
      return ~0ULL;
    }
    const json j = json::parse(r.out);
    for (const auto& item : j.at("nftables"))
      if (item.contains("counter")) return item["counter"].at("packets").get<std::uint64_t>();
    ADD_FAILURE() << "no counter in " << r.out;
    return ~0ULL;
  }

  /// A copy of the generated answer file with `key`'s line replaced by `line`; its line number in *line_no.
  static std::string answers_with(const std::string& key, const std::string& line, int* line_no) {
    std::istringstream in(slurp(answers()));
    std::ostringstream out;
    std::string l;
    int n = 0;
    *line_no = 0;
    while (std::getline(in, l)) {
      ++n;
      if (l.rfind(key + "=", 0) == 0) {
        l = line;
        *line_no = n;
      }
      out << l << "\n";
    }
    const std::string p = path("answers-" + std::to_string(n) + "-" + std::to_string(*line_no) + ".txt");
    spit(p, out.str());
    return p;
  }

  static TempNetns* ns_;
  static std::string* dir_;
};

TempNetns* VerifyCli::ns_ = nullptr;
std::string* VerifyCli::dir_ = nullptr;

TEST_F(VerifyCli, ControlValidInputDoesContactTheHosts) {
  // Without this, "no packet to the hosts" below could mean the counter sees nothing.
  const auto r = verify("--answer-file " + shq(answers()) + " --topology " + shq(topology()) +
                        " --no-reachability --format json");
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_GT(contacts(), 0u);
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["summary"]["error"], 2) << r.out;
  int unreachable = 0;
  for (const auto& res : j["results"]) unreachable += res["id"] == "host.snapshot" && res["status"] == "error";
  EXPECT_EQ(unreachable, 2) << r.out;
}

TEST_F(VerifyCli, MissingAnswerFile) {
  expect_usage_error(verify("--topology " + shq(topology())), "--answer-file", "required");
  const std::string none = path("no-such-answers.txt");
  expect_input_error(verify("--answer-file " + shq(none) + " --topology " + shq(topology())),
                     none + ": No such file or directory");
  expect_input_error(verify("--answer-file " + shq(*dir_) + " --topology " + shq(topology())), *dir_);
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, AnswerFileErrorNamesFileAndLine) {
  int line = 0;
  const auto reversed = answers_with("CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES", "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=3000:1000", &line);
  ASSERT_GT(line, 0);
  expect_input_error(verify("--answer-file " + shq(reversed) + " --topology " + shq(topology())),
                     reversed + ":" + std::to_string(line) + ": CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES");
  const auto garbage = answers_with("CONFIG_NEUTRON_OVS_TUNNEL_IF", "this line has no equals sign", &line);
  ASSERT_GT(line, 0);
  expect_input_error(verify("--answer-file " + shq(garbage) + " --topology " + shq(topology())),
                     garbage + ":" + std::to_string(line) + ": ");
  // Without --topology (Neutron's API would be asked) the answer file is still read first.
  expect_input_error(verify("--answer-file " + shq(reversed)), reversed + ":");
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, TopologyFileMissingOrMalformed) {
  const std::string a = "--answer-file " + shq(answers());
  const std::string none = path("no-such-topology.json");
  expect_input_error(verify(a + " --topology " + shq(none)), none);
  EXPECT_NE(verify(a + " --topology " + shq(none)).err.find("No such file or directory"), std::string::npos);

  const std::string syntax = path("syntax.json");
  spit(syntax, "{\n  \"networks\": [\n    {,}\n  ]\n}\n");
  expect_input_error(verify(a + " --topology " + shq(syntax)), syntax + ":3: ");

  const std::string bad_cidr = path("bad-cidr.json");
  spit(bad_cidr, "{\n  \"networks\": [\n    {\"name\": \"n\", \"subnets\": [{\"name\": \"s\", \"cidr\": \"banana\"}]}\n  ]\n}\n");
  expect_input_error(verify(a + " --topology " + shq(bad_cidr)), bad_cidr + ":3: ");

  const std::string wrong_type = path("wrong-type.json");
  spit(wrong_type, "{\n  \"networks\": 5\n}\n");
  expect_input_error(verify(a + " --topology " + shq(wrong_type)), wrong_type + ":2: ");

  const std::string empty = path("empty.json");
  spit(empty, "");
  expect_input_error(verify(a + " --topology " + shq(empty)), empty);
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, FormatXml) {
  expect_usage_error(verify("--answer-file " + shq(answers()) + " --topology " + shq(topology()) + " --format xml"),
                     "--format", "xml");
  expect_usage_error(verify("--answer-file " + shq(answers()) + " --topology " + shq(topology()) + " --format"),
                     "--format");
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, OnlyWithNothing) {
  const std::string a = "--answer-file " + shq(answers()) + " --topology " + shq(topology());
  expect_usage_error(verify(a + " --only"), "--only");
  // An empty list must not quietly mean "every check".
  expect_input_error(verify(a + " --only ''"), "--only");
  expect_input_error(verify(a + " --only ,"), "--only");
  expect_input_error(verify(a + " --only ' , '"), "--only");
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, BadTimeout) {
  const std::string a = "--answer-file " + shq(answers()) + " --topology " + shq(topology());
  for (const std::string t : {"0", "-1", "61", "abc", "''", "1s"})
    expect_usage_error(verify(a + " --timeout " + t), "--timeout");
  expect_usage_error(verify(a + " --timeout"), "--timeout");
  EXPECT_EQ(contacts(), 0u);
}

TEST_F(VerifyCli, OsOptionsAreCheckedBeforeAnyHostAndNeverPrinted) {
  const std::string a = "--answer-file " + shq(answers());
  const auto r = verify(a + " --os-auth-url ftp://keystone --os-username admin --os-password 'pw-canary-7' "
                            "--os-project-name admin");
  expect_input_error(r, "--os-* options: OS_AUTH_URL 'ftp://keystone' is not an http(s) URL");
  EXPECT_EQ(r.err.find("pw-canary-7"), std::string::npos);
  EXPECT_EQ(r.out.find("pw-canary-7"), std::string::npos);
  // Without a password (and none in the environment) it names what is missing.
  expect_input_error(verify(a + " --os-auth-url http://127.0.0.1:9/v3 --os-username admin --os-project-name admin"),
                     "OS_PASSWORD");
  EXPECT_EQ(contacts(), 0u);
}

// ---------------------------------------------------------------- __probe

CmdResult probe(const std::string& stdin_text, const std::string& dir, TempNetns& ns,
                const std::string& args = "--timeout-ms 1000") {
  const std::string in = dir + "/probe-in-" + std::to_string(std::hash<std::string>{}(stdin_text)) + ".json";
  spit(in, stdin_text);
  return ns.exec(shq(kBin) + " __probe " + args + " < " + shq(in));
}

json probe_request(const std::string& netns, const std::string& target) {
  return {{"id", "reach.test"}, {"object", "lo " + target}, {"host", "127.0.0.1"}, {"netns", netns},
          {"kind", "icmp"},     {"target", target},         {"port", 0},           {"size", 56},
          {"dont_fragment", false}};
}

TEST_F(VerifyCli, ProbeFromOwnNamespaceAnswers) {
  const json req = json::array({probe_request("", "127.0.0.1")});
  const auto r = probe(req.dump(), *dir_, *ns_);
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = json::parse(r.out);
  ASSERT_TRUE(j.is_array());
  ASSERT_EQ(j.size(), 1u);
  EXPECT_TRUE(j[0]["ok"].get<bool>()) << r.out;
  EXPECT_EQ(j[0]["error"], "");
  EXPECT_NE(j[0]["seen"], "");
  EXPECT_EQ(j[0]["request"], req[0]);
}

TEST_F(VerifyCli, ProbeInMissingNamespaceIsAnError) {
  const std::string gone = test::unique_name("gone");  // never created
  const json req = json::array({probe_request(gone, "127.0.0.1"), probe_request("", "127.0.0.1")});
  const auto r = probe(req.dump(), *dir_, *ns_);
  ASSERT_EQ(r.status, 0) << r.err;  // the request was read; each probe has its result
  const auto j = json::parse(r.out);
  ASSERT_EQ(j.size(), 2u);
  std::size_t bad = j[0]["request"]["netns"] == gone ? 0 : 1;
  EXPECT_FALSE(j[bad]["ok"].get<bool>());
  EXPECT_NE(j[bad]["error"].get<std::string>().find(gone), std::string::npos) << j[bad].dump();
  EXPECT_TRUE(j[1 - bad]["ok"].get<bool>()) << "one failing probe must not spoil the others: " << r.out;
  EXPECT_EQ(::access(("/run/netns/" + gone).c_str(), F_OK), -1) << "__probe must not create namespaces";
}

TEST_F(VerifyCli, ProbeMalformedJsonIsExit2) {
  for (const std::string text : {"", "[{", "not json", "{}", "[{\"id\": \"x\", \"kind\": \"icmp\"}]",
                                 "[{\"id\": 1, \"kind\": \"icmp\", \"target\": \"127.0.0.1\"}]"})
    expect_input_error(probe(text, *dir_, *ns_), "probe request: ");
  expect_usage_error(probe("[]", *dir_, *ns_, "--timeout-ms 5"), "--timeout-ms");
  expect_usage_error(probe("[]", *dir_, *ns_, "--timeout-ms abc"), "--timeout-ms");
}

// ---------------------------------------------------------------- a deployed lab

// Debian's python3-junitparser is installed for Debian's interpreter; a python3 earlier in PATH
// (pyenv, a venv) does not see it.
constexpr const char* kPython = "/usr/bin/python3";

constexpr const char* kJunitCounts = R"PY(
import json, sys
import xml.etree.ElementTree as ET
import junitparser
ET.parse(sys.argv[1])
xml = junitparser.JUnitXml.fromfile(sys.argv[1])
def counts(x):
    return {"tests": x.tests, "failures": x.failures, "errors": x.errors, "skipped": x.skipped}
out = {"declared": counts(xml), "suites": {}, "failed": []}
for suite in xml:
    out["suites"][suite.name] = counts(suite)
    for case in suite:
        for r in case.result:
            if r._tag in ("failure", "error"):
                out["failed"].append(case.name + ": " + (r.message or ""))
xml.update_statistics()
out["counted"] = counts(xml)
json.dump(out, sys.stdout)
)PY";

TEST(VerifyDeployedLab, PassesAsJunitAndJson) {
  SW_REQUIRE_ROOT();
  const char* prefix = std::getenv("STACKWIRE_DEPLOYED_LAB");
  if (!prefix || !*prefix) GTEST_SKIP() << "set STACKWIRE_DEPLOYED_LAB=<prefix> of a deployed lab";
  if (test::sh(std::string(kPython) + " -c 'import junitparser'").status != 0)
    GTEST_SKIP() << "python3-junitparser is not installed for " << kPython << " (tools/deps installs it)";
  const char* lab_dir = std::getenv("STACKWIRE_LAB_DIR");
  const std::string state = lab_dir && *lab_dir ? lab_dir : "/srv/stackwire/" + std::string(prefix);
  const std::string answers = state + "/answers.txt";
  ASSERT_EQ(::access(answers.c_str(), R_OK), 0) << answers;
  // The binary is under /work, which lab hosts share; their /tmp is their own.
  const std::string lab = "STACKWIRE_LAB_PREFIX=" + shq(prefix) + " " + shq(kBin) + " lab exec controller -- ";

  // JUnit to a file on the controller (its own /tmp), read back through the controller.
  const std::string remote = "/tmp/" + test::unique_name("verify") + ".xml";
  const auto v = test::sh(lab + shq(kBin) + " verify --answer-file " + shq(answers) + " --format junit -o " + shq(remote));
  const auto xml = test::sh(lab + "cat " + shq(remote));
  test::sh(lab + "rm -f " + shq(remote));
  EXPECT_EQ(v.status, 0) << v.out << v.err;
  EXPECT_EQ(v.out, "") << "with -o the report goes to the file only";
  ASSERT_EQ(xml.status, 0) << xml.err;

  char tmpl[] = "/tmp/swt-verify-lab-XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  spit(dir + "/report.xml", xml.out);
  spit(dir + "/counts.py", kJunitCounts);
  const auto parsed = test::sh(std::string(kPython) + " " + shq(dir + "/counts.py") + " " + shq(dir + "/report.xml"));
  std::filesystem::remove_all(dir);
  ASSERT_EQ(parsed.status, 0) << parsed.err << xml.out.substr(0, 4000);
  const auto j = json::parse(parsed.out);
  EXPECT_EQ(j["declared"], j["counted"]);
  EXPECT_GT(j["counted"]["tests"].get<int>(), 0);
  EXPECT_EQ(j["counted"]["failures"], 0) << j["failed"].dump(2);
  EXPECT_EQ(j["counted"]["errors"], 0) << j["failed"].dump(2);
  EXPECT_GE(j["suites"].size(), 3u) << "network and the computes at least";

  const auto js = test::sh(lab + shq(kBin) + " verify --answer-file " + shq(answers) + " --format json");
  EXPECT_EQ(js.status, 0) << js.err;
  const auto report = json::parse(js.out);
  EXPECT_EQ(report["summary"]["fail"], 0) << js.out;
  EXPECT_EQ(report["summary"]["error"], 0) << js.out;
  EXPECT_GT(report["summary"]["pass"].get<int>(), 0);
  EXPECT_EQ(report["results"].size(), j["counted"]["tests"].get<std::size_t>());
}

}  // namespace
}  // namespace sw::checks
