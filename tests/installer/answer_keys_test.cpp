// The key catalogue's invariants: names and option spellings unique, every generated key
// documented, every old name pointing at a key that exists.
#include "installer/answer_keys.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "installer/answer_file.h"

namespace sw::installer {
namespace {

TEST(AnswerKeysTest, NamesAreUniqueUpperCase) {
  std::set<std::string_view> seen;
  for (const auto& k : answer_keys()) {
    EXPECT_TRUE(seen.insert(k.name).second) << "duplicate " << k.name;
    for (char c : k.name) EXPECT_TRUE((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_') << k.name;
    EXPECT_FALSE(k.service.empty()) << k.name;
    EXPECT_FALSE(k.usage.empty()) << k.name;
    EXPECT_NE(k.versions, 0) << k.name;
  }
  EXPECT_GT(answer_keys().size(), 300u);
}

TEST(AnswerKeysTest, OptionSpellingsAreUniqueAndMapBack) {
  std::map<std::string, std::string_view> owner;
  for (const auto& k : answer_keys()) {
    for (const auto& s : option_spellings(k)) {
      const auto [it, inserted] = owner.emplace(s, k.name);
      EXPECT_TRUE(inserted) << s << " is both " << it->second << " and " << k.name;
      EXPECT_EQ(key_for_option(s), &k) << s;
    }
  }
}

TEST(AnswerKeysTest, PackstackSpellings) {
  const auto* k = find_key("CONFIG_NEUTRON_OVS_TUNNEL_IF");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(option_spellings(*k), (std::vector<std::string>{"--os-neutron-ovs-tunnel-if", "--neutron-ovs-tunnel-if"}));
  EXPECT_EQ(key_for_option("--os-neutron-ovs-tunnel-if"), k);
  EXPECT_EQ(key_for_option("neutron-ovs-tunnel-if"), k);
  EXPECT_EQ(key_for_option("--os-neutron-ovs-bridge-interfaces")->name, "CONFIG_NEUTRON_OVS_BRIDGE_IFACES");
  EXPECT_EQ(key_for_option("--os-neutron-ovs-bridge-ifaces")->name, "CONFIG_NEUTRON_OVS_BRIDGE_IFACES");
  EXPECT_EQ(key_for_option("--exclude-servers")->name, "EXCLUDE_SERVERS");
  EXPECT_EQ(key_for_option("--os-exclude-servers")->name, "EXCLUDE_SERVERS");
  EXPECT_EQ(key_for_option("--default-password")->name, "CONFIG_DEFAULT_PASSWORD");
  EXPECT_EQ(key_for_option("--ssh-public-key")->name, "CONFIG_SSH_KEY");
  EXPECT_EQ(key_for_option("--novacompute-hosts")->name, "CONFIG_NOVA_COMPUTE_HOSTS");
  EXPECT_EQ(key_for_option("--os-neutron-ovs-datapath-type")->name, "CONFIG_NEUTRON_OVS_DATAPATH_TYPE");
  EXPECT_EQ(key_for_option("--os-neutron-ovs-tunel-if"), nullptr);
}

TEST(AnswerKeysTest, OldNamesPointAtCurrentKeys) {
  for (const auto& k : answer_keys()) {
    if (k.replaced_by.empty()) {
      EXPECT_TRUE(k.deprecation == Deprecation::none || k.deprecation == Deprecation::dropped) << k.name;
      continue;
    }
    const auto* to = find_key(k.replaced_by);
    ASSERT_NE(to, nullptr) << k.name << " → " << k.replaced_by;
    EXPECT_FALSE(to->deprecated()) << k.name << " → " << k.replaced_by;
    EXPECT_TRUE(k.deprecated()) << k.name;
    EXPECT_FALSE(k.generated) << k.name;
    EXPECT_EQ(k.versions & version::current, 0) << k.name << " is old, not current";
  }
  EXPECT_EQ(find_key("CONFIG_MYSQL_HOST")->replaced_by, "CONFIG_MARIADB_HOST");
  EXPECT_EQ(find_key("CONFIG_QPID_AUTH_PASSWORD")->replaced_by, "CONFIG_AMQP_AUTH_PASSWORD");
  EXPECT_EQ(find_key("CONFIG_NOVA_COMPUTE_HOSTS")->replaced_by, "CONFIG_COMPUTE_HOSTS");
  EXPECT_EQ(find_key("CONFIG_NEUTRON_SERVER_HOST")->replaced_by, "CONFIG_CONTROLLER_HOST");
  EXPECT_EQ(find_key("CONFIG_NEUTRON_L3_HOSTS")->replaced_by, "CONFIG_NETWORK_HOSTS");
  EXPECT_EQ(find_key("CONFIG_NEUTRON_L2_PLUGIN")->deprecation, Deprecation::translate);
}

TEST(AnswerKeysTest, GeneratedKeysAreDeployedOrInstallSwitches) {
  std::size_t generated = 0;
  for (const auto& k : answer_keys()) {
    if (!k.generated) continue;
    ++generated;
    EXPECT_TRUE(is_deployed_service(k.service) || k.installs) << k.name;
    EXPECT_TRUE(k.versions & (version::current | version::stackwire)) << k.name;
    if (k.password) {
      EXPECT_EQ(k.default_value, "PW_PLACEHOLDER") << k.name;
      EXPECT_TRUE(k.secret) << k.name;
    }
  }
  EXPECT_GT(generated, 60u);
}

TEST(AnswerKeysTest, StackwireKeysForTheServices) {
  for (auto name : {"CONFIG_MARIADB_HOST", "CONFIG_MARIADB_USER", "CONFIG_MARIADB_PW", "CONFIG_AMQP_HOST", "CONFIG_AMQP_BACKEND",
                    "CONFIG_AMQP_AUTH_USER", "CONFIG_AMQP_AUTH_PASSWORD", "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DB_PW",
                    "CONFIG_KEYSTONE_REGION", "CONFIG_NEUTRON_KS_PW", "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_METADATA_PW",
                    "CONFIG_NEUTRON_L3_EXT_BRIDGE", "CONFIG_NEUTRON_OVS_BRIDGE_IFACES", "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS",
                    "CONFIG_NEUTRON_ML2_TYPE_DRIVERS", "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES",
                    "CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS", "CONFIG_NEUTRON_ML2_FLAT_NETWORKS", "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES",
                    "CONFIG_NEUTRON_ML2_VNI_RANGES", "CONFIG_NEUTRON_ML2_VLAN_RANGES", "CONFIG_NEUTRON_OVS_TUNNEL_IF",
                    "CONFIG_PROVISION_DEMO", "CONFIG_PROVISION_DEMO_FLOATRANGE", "CONFIG_SSH_KEY", "CONFIG_DEFAULT_PASSWORD",
                    "EXCLUDE_SERVERS", "CONFIG_DEBUG_MODE", "CONFIG_NEUTRON_OVS_DATAPATH_TYPE"}) {
    const auto* k = find_key(name);
    ASSERT_NE(k, nullptr) << name;
    EXPECT_TRUE(k->generated) << name;
    EXPECT_TRUE(is_deployed_service(k->service)) << name;
  }
  for (auto name : {"CONFIG_NEUTRON_OVS_TUNNEL_RANGES", "CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE"})
    EXPECT_TRUE(find_key(name)->deprecated()) << name;
  const auto* dp = find_key("CONFIG_NEUTRON_OVS_DATAPATH_TYPE");
  EXPECT_EQ(dp->default_value, "system");
  EXPECT_EQ(dp->options, "system|netdev");
  EXPECT_EQ(dp->versions, version::stackwire);
}

TEST(AnswerKeysTest, PreconditionsOfTunnelAndVlanKeys) {
  EXPECT_EQ(find_key("CONFIG_NEUTRON_OVS_TUNNEL_IF")->when, When::tunnels);
  EXPECT_EQ(find_key("CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES")->when, When::gre);
  EXPECT_EQ(find_key("CONFIG_NEUTRON_ML2_VNI_RANGES")->when, When::vxlan);
  EXPECT_EQ(find_key("CONFIG_NEUTRON_ML2_VLAN_RANGES")->when, When::vlan);
  EXPECT_EQ(find_key("CONFIG_PROVISION_DEMO_FLOATRANGE")->when, When::provision_demo);
}

TEST(AnswerKeysTest, NotDeployedServicesAreCatalogued) {
  for (auto name : {"CONFIG_GLANCE_DB_PW", "CONFIG_NOVA_API_HOST", "CONFIG_SWIFT_HASH", "CONFIG_HORIZON_SSL",
                    "CONFIG_CEILOMETER_SECRET", "CONFIG_NAGIOS_PW", "CONFIG_HEAT_KS_PW", "CONFIG_CINDER_BACKEND"}) {
    const auto* k = find_key(name);
    ASSERT_NE(k, nullptr) << name;
    EXPECT_FALSE(is_deployed_service(k->service)) << name;
  }
  EXPECT_TRUE(find_key("CONFIG_SWIFT_HASH")->secret);
  EXPECT_TRUE(find_key("CONFIG_GLANCE_DB_PW")->secret);
}

TEST(AnswerKeysTest, LookupIsCaseInsensitiveAndSuggestsTypos) {
  EXPECT_EQ(find_key("config_neutron_ovs_tunnel_if"), find_key("CONFIG_NEUTRON_OVS_TUNNEL_IF"));
  auto nearest = [](std::string_view typo) {
    const auto* k = nearest_key(typo);
    return k ? std::string(k->name) : std::string("(none)");
  };
  EXPECT_EQ(nearest("CONFIG_NEUTRON_OVS_TUNEL_IF"), "CONFIG_NEUTRON_OVS_TUNNEL_IF");
  EXPECT_EQ(nearest("CONFIG_CONTROLER_HOST"), "CONFIG_CONTROLLER_HOST");
  EXPECT_EQ(nearest("CONFIG_NEUTRON_OVS_DATAPATH"), "CONFIG_NEUTRON_OVS_DATAPATH_TYPE");
  EXPECT_EQ(nearest("config_neutron_ovs_tunnel_iff"), "CONFIG_NEUTRON_OVS_TUNNEL_IF");
  EXPECT_EQ(nearest("HELLO"), "(none)");
  EXPECT_EQ(nearest("SOMETHING_ELSE_ENTIRELY"), "(none)");
}

TEST(AnswerKeysTest, EveryUsageWrapsWithin70Columns) {
  for (const auto& k : answer_keys()) {
    const auto text = wrap_comment(usage_text(k));
    std::size_t start = 0;
    while (start < text.size()) {
      const auto end = text.find('\n', start);
      const auto line = text.substr(start, end - start);
      // A single word longer than the width stays whole, as textwrap leaves it.
      if (line.find(' ', 2) != std::string::npos) {
        EXPECT_LE(line.size(), 70u) << k.name << ": " << line;
      }
      start = end + 1;
    }
  }
}

}  // namespace
}  // namespace sw::installer
