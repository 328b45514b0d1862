#include "installer/manifest.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/system.h"

namespace sw::installer {
namespace {

namespace fs = std::filesystem;
using State = StepOutcome::State;

class ManifestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / test::unique_name("manifest");
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  test::CmdResult run(const Manifest& m) {
    const fs::path script = dir_ / m.file_name();
    std::ofstream(script) << m.render();
    return test::sh("cd " + test::shq(dir_.string()) + " && sh " + test::shq(script.string()) + " 2>&1");
  }

  fs::path dir_;
};

TEST_F(ManifestTest, FirstRunChangesSecondRunChangesNothing) {
  Manifest m{"10.15.0.7", "fabric",
             {{"file a exists", "test -f a", "echo hello > a"},
              {"file b holds a's content", "cmp -s a b", "cp a b"}}};
  auto r1 = run(m);
  ASSERT_EQ(r1.status, 0) << r1.out;
  auto o1 = parse_manifest_output(r1.out, 2);
  EXPECT_EQ(o1.changed(), 2);
  EXPECT_EQ(o1.failed_index(), 0);

  auto r2 = run(m);
  ASSERT_EQ(r2.status, 0) << r2.out;
  auto o2 = parse_manifest_output(r2.out, 2);
  EXPECT_EQ(o2.changed(), 0);
  EXPECT_EQ(o2.steps[0].state, State::unchanged);
  EXPECT_EQ(o2.steps[1].state, State::unchanged);
}

TEST_F(ManifestTest, FailedStepStopsTheManifestWithItsStatus) {
  Manifest m{"h", "p",
             {{"one", "false", "exit 3"}, {"two", "", "touch never"}}};
  auto r = run(m);
  EXPECT_EQ(r.status, 3) << r.out;
  auto o = parse_manifest_output(r.out, 2);
  EXPECT_EQ(o.failed_index(), 1);
  EXPECT_EQ(o.steps[0].exit_status, 3);
  EXPECT_EQ(o.steps[1].state, State::not_run);
  EXPECT_FALSE(fs::exists(dir_ / "never"));
}

TEST_F(ManifestTest, ApplyThatDoesNotSatisfyItsCheckFails) {
  Manifest m{"h", "p", {{"lies", "test -f x", "true"}}};
  auto r = run(m);
  EXPECT_EQ(r.status, 125) << r.out;
  EXPECT_NE(r.out.find("its check still fails"), std::string::npos);
}

TEST_F(ManifestTest, StepWithoutCheckAlwaysApplies) {
  Manifest m{"h", "p", {{"count", "", "echo x >> n"}}};
  run(m);
  run(m);
  EXPECT_EQ(test::sh("wc -l < " + test::shq((dir_ / "n").string())).out, "2\n");
}

TEST_F(ManifestTest, TitleQuotesCannotBreakTheScript) {
  Manifest m{"h", "p", {{"it's a 'title'; touch pwned", "", "true"}}};
  auto r = run(m);
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_FALSE(fs::exists(dir_ / "pwned"));
}

TEST(ManifestParse, IgnoresNoiseAndOutOfRangeLines) {
  auto o = parse_manifest_output("x\nSW-STEP 9 changed\nSW-STEP 1 changed\nSW-STEP two changed\n", 2);
  EXPECT_EQ(o.changed(), 1);
  EXPECT_EQ(o.steps[1].state, State::not_run);
}

TEST(ManifestRender, IsReadableShellWithOneFunctionPairPerStep) {
  Manifest m{"10.15.0.7", "fabric", {{"ip_forward on", "test 1 = 1", "true"}}};
  const std::string s = m.render();
  EXPECT_EQ(m.file_name(), "10.15.0.7_fabric.sh");
  EXPECT_TRUE(s.starts_with("#!/bin/sh\n"));
  EXPECT_NE(s.find("# --- step 1: ip_forward on\n"), std::string::npos);
  EXPECT_NE(s.find("check_1() {\n  test 1 = 1\n}\n"), std::string::npos);
  EXPECT_NE(s.find("sw_step 1 'ip_forward on' check_1 apply_1 || exit $?"), std::string::npos);
}

}  // namespace
}  // namespace sw::installer
