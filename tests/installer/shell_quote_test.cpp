// Quoting is checked against real shells: for each hostile value, `printf %s <quoted>` must print the
// value byte for byte, and nothing in it may run (a canary file an injection would create never appears).
#include "installer/shell_quote.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <random>
#include <string>
#include <vector>

#include "tests/support/system.h"

namespace sw::installer {
namespace {

std::string canary_path() { return "/tmp/" + test::unique_name("quote-canary"); }

std::vector<std::string> hostile_corpus(const std::string& canary) {
  std::vector<std::string> v = {
      "",
      " ",
      "plain",
      "two words",
      "'",
      "''",
      "'\\''",
      "it's",
      "\"",
      "\\",
      "\\'",
      "a;touch " + canary,
      ";touch " + canary + ";",
      "$(touch " + canary + ")",
      "`touch " + canary + "`",
      "'$(touch " + canary + ")'",
      "'; touch " + canary + "; echo '",
      "\"; touch " + canary + "; echo \"",
      "| touch " + canary,
      "&& touch " + canary,
      "& touch " + canary + " &",
      "> " + canary,
      "x\ntouch " + canary,
      "\ntouch " + canary + "\n",
      "\r\n",
      "${PATH}",
      "$PATH",
      "$((1+1))",
      "$'\\x41'",
      "!!",
      "!$",
      "*",
      "/*",
      "?",
      "[a-z]*",
      "{a,b}",
      "~",
      "~root",
      "-n",
      "--help",
      "-e \\n",
      "%s%s%n",
      "#comment",
      "a#b",
      "=x",
      "A=b",
      "\t\v\f",
      std::string("\x01\x02\x1b[31mred\x7f", 11),
      "\xff\xfe\xc3\x28",
      "unicode: \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80",
      "trailing backslash\\",
      std::string(5000, '\''),
      "a'b\"c`d$e\\f;g|h&i<j>k(l)m{n}o[p]q*r?s~t!u#v\nw",
  };
  // A seeded random sample over the dangerous bytes (no NUL).
  std::mt19937 rng(12345);
  const std::string alphabet = "'\"`$\\;|&<>(){}[]*?~!# \t\n=-%.:/abc\x01\xff";
  for (int i = 0; i < 300; ++i) {
    std::string s(rng() % 24, ' ');
    for (char& c : s) c = alphabet[rng() % alphabet.size()];
    v.push_back(s);
  }
  return v;
}

bool exists(const std::string& p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0;
}

void check_shell(const std::string& shell) {
  if (::access(shell.c_str(), X_OK) != 0) GTEST_SKIP() << shell << " not installed";
  const std::string canary = canary_path();
  for (const auto& s : hostile_corpus(canary)) {
    auto q = shell_quote(s);
    ASSERT_TRUE(q.has_value()) << q.error().message();
    const auto r = test::sh(test::shq(shell) + " -c " + test::shq("printf %s " + *q));
    EXPECT_EQ(r.status, 0) << shell << " rejected " << *q << ": " << r.err;
    EXPECT_EQ(r.out, s) << shell << " changed the value; quoted as " << *q;
  }
  EXPECT_FALSE(exists(canary)) << "an injection ran under " << shell;
  ::unlink(canary.c_str());
}

TEST(ShellQuote, DashPrintsEveryHostileValueVerbatim) { check_shell("/bin/sh"); }
TEST(ShellQuote, BashPrintsEveryHostileValueVerbatim) { check_shell("/bin/bash"); }

TEST(ShellQuote, SafeWordsStayBare) {
  EXPECT_EQ(shell_quote("br-ex").value(), "br-ex");
  EXPECT_EQ(shell_quote("10.19.0.7/24").value(), "10.19.0.7/24");
  EXPECT_EQ(shell_quote("options:remote_ip=10.19.0.2").value(), "options:remote_ip=10.19.0.2");
  EXPECT_EQ(shell_quote("").value(), "''");
  EXPECT_EQ(shell_quote("a b").value(), "'a b'");
  EXPECT_EQ(shell_quote("it's").value(), "'it'\\''s'");
  EXPECT_EQ(shell_quote("~").value(), "'~'");
}

TEST(ShellQuote, RejectsNul) {
  auto r = shell_quote(std::string("a\0b", 3));
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().kind(), ErrorKind::input);
  EXPECT_NE(r.error().message().find("NUL"), std::string::npos);
  auto j = shell_join({"echo", std::string_view("x\0y", 3)});
  ASSERT_FALSE(j.has_value());
  EXPECT_NE(j.error().message().find("argument 1"), std::string::npos) << j.error().message();
}

TEST(ShellJoin, ArgvSurvivesTheShellIntact) {
  const std::string canary = canary_path();
  const std::vector<std::string> argv = {"printf", "[%s]", "a b", "$(touch " + canary + ")", "it's", "", "x\ny", "*"};
  auto line = shell_join(argv);
  ASSERT_TRUE(line.has_value());
  const auto r = test::sh(*line);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[a b][$(touch " + canary + ")][it's][][x\ny][*]");
  EXPECT_FALSE(exists(canary));
}

TEST(ShellJoin, FirstWordWithEqualsIsNotAnAssignment) {
  auto line = shell_join({"A=b", "c"});
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(*line, "'A=b' c");
  auto line2 = shell_join({"env", "A=b"});
  EXPECT_EQ(line2.value(), "env A=b");
}

}  // namespace
}  // namespace sw::installer
