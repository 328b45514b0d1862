#include "tests/ovs/test_data.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sw::ovs::test {

std::string read_test_data(std::string_view name) {
  const std::string path = std::string(STACKWIRE_OVS_TEST_DATA) + "/" + std::string(name);
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::map<std::string, std::string> split_sections(std::string_view text) {
  std::map<std::string, std::string> out;
  std::string current;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    const auto line = text.substr(pos, end - pos);
    if (line.starts_with("### ")) current = std::string(line.substr(4));
    else out[current] += std::string(line) + "\n";
    pos = end + 1;
  }
  return out;
}

}  // namespace sw::ovs::test
