#include "common/error.h"

#include <gtest/gtest.h>

#include "common/log.h"
#include "common/strings.h"

namespace sw {
namespace {

Result<int> parse_positive(int v) {
  if (v <= 0) return fail(Error::input("not positive: " + std::to_string(v)));
  return v;
}

Result<int> doubled(int v) {
  const int x = SW_TRY(parse_positive(v));
  return 2 * x;
}

TEST(ErrorTest, TryPropagatesErrorWithContext) {
  EXPECT_EQ(*doubled(4), 8);
  auto r = doubled(-1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message(), "not positive: -1");
  EXPECT_EQ(std::move(r.error()).context("value").message(), "value: not positive: -1");
}

TEST(ErrorTest, ErrnoMapsToKindAndExitCode) {
  EXPECT_EQ(Error::from_errno(ENOENT, "open x").kind(), ErrorKind::not_found);
  EXPECT_EQ(Error::from_errno(ENOENT, "open x").message(), "open x: No such file or directory");
  EXPECT_EQ(Error::from_errno(ENOENT, "x").exit_code(), 2);
  EXPECT_EQ(Error::from_errno(EPERM, "x").exit_code(), 2);
  EXPECT_EQ(Error::from_errno(EIO, "x").exit_code(), 1);
  EXPECT_EQ(Error::timeout("t").exit_code(), 1);
  EXPECT_EQ(Error::input("bad").exit_code(), 2);
}

TEST(LogTest, MaskReplacesEverySecretOccurrence) {
  log::add_secret("s3cr3tpass");
  log::add_secret("y");  // too short: ignored
  EXPECT_EQ(log::mask("a=s3cr3tpass b=s3cr3tpass y"), "a=******** b=******** y");
}

TEST(StringsTest, TrimSplitParse) {
  EXPECT_EQ(trim("  a b \r\n"), "a b");
  EXPECT_EQ(trim("   "), "");
  auto parts = split("a,,b", ',');
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1], "");
  EXPECT_EQ(parse_uint("5000", 1, 4094), std::nullopt);
  EXPECT_EQ(parse_uint("100", 1, 4094), 100u);
  EXPECT_EQ(parse_uint("-1"), std::nullopt);
  EXPECT_EQ(parse_uint("12a"), std::nullopt);
  EXPECT_EQ(parse_uint(""), std::nullopt);
}

}  // namespace
}  // namespace sw
