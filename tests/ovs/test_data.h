// Test data for the ovs tests: the real Neutron artefacts (copied from the reference dumps of a
// Zed network and compute host) and a Havana-era OpenFlow 1.0 br-tun dump, in tests/ovs/data.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sw::ovs::test {

/// The content of tests/ovs/data/<name>; fails the test (and returns "") when unreadable.
std::string read_test_data(std::string_view name);

/// Splits a dumps file with "### br-x" section lines into bridge → text.
std::map<std::string, std::string> split_sections(std::string_view text);

}  // namespace sw::ovs::test
