// The answer-file reader and checker, text in → entries and "file:line: message" findings out.
#include "installer/answer_file.h"

#include <gtest/gtest.h>

#include <string>

#include "installer/answer_keys.h"

namespace sw::installer {
namespace {

// A valid newer-style multinode file; tests append or replace lines.
const std::string kBase =
    "[general]\n"
    "CONFIG_SSH_KEY=/root/.ssh/id_rsa.pub\n"
    "CONFIG_DEFAULT_PASSWORD=secret-pw\n"
    "CONFIG_CONTROLLER_HOST=10.15.0.4\n"
    "CONFIG_NETWORK_HOSTS=10.15.0.7\n"
    "CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\n"
    "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=gre\n"
    "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES=gre\n"
    "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=1000:3000\n"
    "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n";

std::string findings(const AnswerFile& f) {
  std::string out;
  for (const auto& d : f.diagnostics())
    out += (d.severity == Severity::error ? "E " : "W ") + d.str() + "\n";
  return out;
}

// The finding at line (0: whole file) whose message contains text, or nullptr.
const Diagnostic* find(const AnswerFile& f, Severity s, int line, std::string_view text) {
  for (const auto& d : f.diagnostics())
    if (d.severity == s && d.origin.line == line && d.message.find(text) != std::string::npos) return &d;
  return nullptr;
}

#define EXPECT_FINDING(f, sev, line, text) \
  EXPECT_NE(find(f, Severity::sev, line, text), nullptr) << "missing " #sev " at line " << line << ": " << text << "\n" << findings(f)

TEST(AnswerFileTest, BaseFileIsValidWithoutWarnings) {
  const auto f = read_answer_file("a.txt", kBase);
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.count(Severity::warning), 0u) << findings(f);
  EXPECT_EQ(f.value("CONFIG_CONTROLLER_HOST"), "10.15.0.4");
  EXPECT_EQ(f.list("CONFIG_COMPUTE_HOSTS"), (std::vector<std::string>{"10.15.0.2", "10.15.0.8"}));
  // Missing keys read as their defaults; host keys default from the controller.
  EXPECT_EQ(f.value("CONFIG_NEUTRON_L3_EXT_BRIDGE"), "br-ex");
  EXPECT_TRUE(f.resolved("CONFIG_NEUTRON_L3_EXT_BRIDGE")->is_default());
  EXPECT_EQ(f.value("CONFIG_NEUTRON_OVS_DATAPATH_TYPE"), "system");
  EXPECT_EQ(f.value("CONFIG_MARIADB_HOST"), "10.15.0.4");
  EXPECT_EQ(f.resolved("CONFIG_MARIADB_HOST")->from, "CONFIG_CONTROLLER_HOST");
  EXPECT_EQ(f.value("CONFIG_KEYSTONE_REGION"), "RegionOne");
}

TEST(AnswerFileTest, ParseAnswerFileFailsWithEveryErrorLine) {
  const auto r = parse_answer_file("a.txt", kBase + "CONFIG_DEBUG_MODE=maybe\nCONFIG_NEUTRON_OVS_BRIDGE_IFACES=br-ex\n"
                                                    "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=gre,vxlan\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().exit_code(), 2);
  EXPECT_NE(r.error().message().find("a.txt:11: CONFIG_DEBUG_MODE: 'maybe' is not allowed (allowed: y, n)"),
            std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("a.txt:12: CONFIG_NEUTRON_OVS_BRIDGE_IFACES: 'br-ex' is not a BRIDGE:INTERFACE pair"),
            std::string::npos)
      << r.error().message();
  EXPECT_NE(r.error().message().find("a.txt:13: CONFIG_NEUTRON_ML2_TYPE_DRIVERS is given twice, at lines 7 and 13"),
            std::string::npos)
      << r.error().message();
}

TEST(AnswerFileTest, CrlfAndBomAreTolerated) {
  std::string crlf = "\xef\xbb\xbf";
  for (char c : kBase) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  const auto f = read_answer_file("win.txt", crlf);
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_NEUTRON_OVS_TUNNEL_IF"), "eth2");
  EXPECT_EQ(f.entry("CONFIG_NEUTRON_OVS_TUNNEL_IF")->origin.line, 10);
}

TEST(AnswerFileTest, CommentsBlankLinesAndBlanksAroundValues) {
  const auto f = read_answer_file("a.txt", kBase +
                                               "\n# a comment = not a key\n; another comment\n"
                                               "   CONFIG_KEYSTONE_REGION =  Region Two  \t\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_KEYSTONE_REGION"), "Region Two");
}

TEST(AnswerFileTest, KeysAreCaseInsensitiveAsInPackstack) {
  const auto f = read_answer_file("a.txt", kBase + "config_neutron_ovs_datapath_type=netdev\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_NEUTRON_OVS_DATAPATH_TYPE"), "netdev");
  EXPECT_EQ(f.entry("CONFIG_NEUTRON_OVS_DATAPATH_TYPE")->written, "config_neutron_ovs_datapath_type");
}

TEST(AnswerFileTest, DuplicateKeyNamesBothLines) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth3\n");
  EXPECT_FINDING(f, error, 11, "CONFIG_NEUTRON_OVS_TUNNEL_IF is given twice, at lines 10 and 11");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_OVS_TUNNEL_IF"), "eth2");  // the first one is kept
}

TEST(AnswerFileTest, DuplicateInAnotherCaseIsStillADuplicate) {
  const auto f = read_answer_file("a.txt", kBase + "Config_Neutron_Ovs_Tunnel_If=eth3\n");
  EXPECT_FINDING(f, error, 11, "given twice, at lines 10 and 11");
}

TEST(AnswerFileTest, LinesOutsideASection) {
  const auto f = read_answer_file("a.txt", "CONFIG_DEBUG_MODE=n\nCONFIG_NOVA_INSTALL=n\n" + kBase);
  EXPECT_FINDING(f, error, 1, "CONFIG_DEBUG_MODE is outside a section: the file must start with [general] (and 1 more lines");
  const auto none = read_answer_file("b.txt", "# only a comment\n");
  EXPECT_FINDING(none, error, 0, "no [general] section");
}

TEST(AnswerFileTest, OtherSectionsAreErrorsAndTheirKeysIgnored) {
  const auto f = read_answer_file("a.txt", kBase + "[DEFAULT]\nCONFIG_DEBUG_MODE=y\n");
  EXPECT_FINDING(f, error, 11, "section [DEFAULT]: a packstack answer file has one section, [general]");
  EXPECT_EQ(f.value("CONFIG_DEBUG_MODE"), "n");
  const auto again = read_answer_file("b.txt", kBase + "[general]\nCONFIG_DEBUG_MODE=y\n");
  EXPECT_FINDING(again, warning, 11, "[general] again (first at line 1)");
  EXPECT_EQ(again.value("CONFIG_DEBUG_MODE"), "y");
  const auto broken = read_answer_file("c.txt", kBase + "[general\n");
  EXPECT_FINDING(broken, error, 11, "malformed section header '[general'");
}

TEST(AnswerFileTest, MalformedLines) {
  const auto f = read_answer_file("a.txt", kBase + "just some words\n=value\nCONFIG X=1\nCONFIG-Y=2\n");
  EXPECT_FINDING(f, error, 11, "expected KEY=value, found 'just some words'");
  EXPECT_FINDING(f, error, 12, "no key before '='");
  EXPECT_FINDING(f, error, 13, "malformed key 'CONFIG X'");
  EXPECT_FINDING(f, error, 14, "malformed key 'CONFIG-Y'");
}

TEST(AnswerFileTest, ColonSeparatorAsConfigParserAccepts) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_DEBUG_MODE: y\nCONFIG_NEUTRON_OVS_BRIDGE_IFACES=br-ex:eth3\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_DEBUG_MODE"), "y");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_OVS_BRIDGE_IFACES"), "br-ex:eth3");
}

TEST(AnswerFileTest, BinaryJunkIsRefusedWithItsLine) {
  std::string nul = kBase + "CONFIG_X=a";
  nul += '\0';
  nul += "b\n";
  const auto f = read_answer_file("a.bin", nul);
  EXPECT_FINDING(f, error, 11, "NUL byte: this is binary data, not an answer file");
  EXPECT_EQ(f.count(Severity::error), 1u) << findings(f);

  const auto ctrl = read_answer_file("b.txt", kBase + "CONFIG_KEYSTONE_REGION=Reg\x01ion\n");
  EXPECT_FINDING(ctrl, error, 11, "control character 0x01 at column 27");
  const auto latin1 = read_answer_file("c.txt", kBase + "CONFIG_KEYSTONE_REGION=R\xe9gion\n");
  EXPECT_FINDING(latin1, error, 11, "not valid UTF-8 (byte 0xe9 at column 25)");
  const auto utf8 = read_answer_file("d.txt", kBase + "CONFIG_KEYSTONE_ADMIN_PW=p\xc3\xa4ssw\xc3\xb6rd\n");
  EXPECT_FALSE(utf8.has_errors()) << findings(utf8);

  std::string junk = "[general]\n";
  for (int i = 0; i < 100; ++i) junk += "\x7f\x01junk\n";
  const auto many = read_answer_file("e.bin", junk);
  EXPECT_FINDING(many, error, 0, "too many errors; stopped reading at line 27");
  EXPECT_LT(many.diagnostics().size(), 40u);
}

TEST(AnswerFileTest, OverlongInputAndLines) {
  const auto big = read_answer_file("big.txt", "[general]\n" + std::string(2 << 20, '#'));
  EXPECT_FINDING(big, error, 0, "2097162 bytes is too large for an answer file (limit 1048576)");
  const auto line = read_answer_file("line.txt", kBase + "CONFIG_KEYSTONE_REGION=" + std::string(20000, 'x') + "\n");
  EXPECT_FINDING(line, error, 11, "line is 20023 bytes long (limit 16384)");
}

TEST(AnswerFileTest, ShellMetacharactersSurviveByteForByte) {
  const std::string nasty = "p;w$(touch /tmp/pwned)`id`'\"|&>x<y\\z $HOME *";
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_KEYSTONE_ADMIN_PW=" + nasty + "\n" +
                                               "CONFIG_KEYSTONE_REGION='quoted region'\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_KEYSTONE_ADMIN_PW"), nasty);
  EXPECT_EQ(f.value("CONFIG_KEYSTONE_REGION"), "'quoted region'");  // no unquoting, as packstack
  // ...and survive rendering back.
  const auto again = read_answer_file("b.txt", f.render());
  EXPECT_EQ(again.value("CONFIG_KEYSTONE_ADMIN_PW"), nasty);
}

TEST(AnswerFileTest, TypedKeysRefuseShellMetacharacters) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=10.15.0.4;reboot\n"
                                  "CONFIG_NETWORK_HOSTS=10.15.0.7,$(id)\n"
                                  "CONFIG_COMPUTE_HOSTS=10.15.0.2\n"
                                  "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2`id`\n"
                                  "CONFIG_PROVISION_DEMO=y\n"
                                  "CONFIG_PROVISION_DEMO_FLOATRANGE=172.24.4.224/28&\n"
                                  "CONFIG_NEUTRON_OVS_BRIDGE_IFACES=br-ex:eth3|x\n");
  EXPECT_FINDING(f, error, 2, "CONFIG_CONTROLLER_HOST: '10.15.0.4;reboot' is not a host");
  EXPECT_FINDING(f, error, 3, "CONFIG_NETWORK_HOSTS: '$(id)' is not a host");
  EXPECT_FINDING(f, error, 5, "CONFIG_NEUTRON_OVS_TUNNEL_IF: 'eth2`id`' is not an interface name: it contains '`'");
  EXPECT_FINDING(f, error, 7, "CONFIG_PROVISION_DEMO_FLOATRANGE: '172.24.4.224/28&' is not a CIDR");
  EXPECT_FINDING(f, error, 8, "'br-ex:eth3|x': 'eth3|x' is not an interface name");
}

TEST(AnswerFileTest, UnknownKeySuggestsTheNearest) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_OVS_TUNEL_IF=eth2\nCONFIG_NOVA_COMPUTE_HOST=1.2.3.4\n"
                                                   "SOMETHING_ELSE_ENTIRELY=1\n");
  EXPECT_FINDING(f, warning, 11, "unknown key CONFIG_NEUTRON_OVS_TUNEL_IF (did you mean CONFIG_NEUTRON_OVS_TUNNEL_IF?)");
  EXPECT_FINDING(f, warning, 12, "unknown key CONFIG_NOVA_COMPUTE_HOST (did you mean CONFIG_NOVA_COMPUTE_HOSTS?)");
  EXPECT_FINDING(f, warning, 13, "unknown key SOMETHING_ELSE_ENTIRELY: not a key of packstack or stackwire; kept, not used");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.entry("SOMETHING_ELSE_ENTIRELY")->value, "1");  // kept
}

TEST(AnswerFileTest, DeprecatedKeysReadAsTheirSuccessors) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=10.15.0.4\n"
                                  "CONFIG_NETWORK_HOSTS=10.15.0.7\n"
                                  "CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.2,10.15.0.8\n"
                                  "CONFIG_MYSQL_PW=dbpass\n"
                                  "CONFIG_QPID_HOST=10.15.0.5\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FINDING(f, warning, 4, "CONFIG_NOVA_COMPUTE_HOSTS is deprecated, read as CONFIG_COMPUTE_HOSTS");
  EXPECT_FINDING(f, warning, 5, "CONFIG_MYSQL_PW is deprecated, read as CONFIG_MARIADB_PW");
  EXPECT_FINDING(f, warning, 6, "CONFIG_QPID_HOST is deprecated, read as CONFIG_AMQP_HOST");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_COMPUTE_HOSTS"), "10.15.0.2,10.15.0.8");
  EXPECT_EQ(f.resolved("CONFIG_COMPUTE_HOSTS")->from, "CONFIG_NOVA_COMPUTE_HOSTS");
  EXPECT_EQ(f.resolved("CONFIG_COMPUTE_HOSTS")->origin.where(), "a.txt:4");
  EXPECT_EQ(f.value("CONFIG_MARIADB_PW"), "dbpass");
  EXPECT_EQ(f.value("CONFIG_AMQP_HOST"), "10.15.0.5");
}

TEST(AnswerFileTest, OldAndNewNameWithDifferentValuesIsAnError) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.3\nCONFIG_MYSQL_PW=a\nCONFIG_MARIADB_PW=b\n");
  EXPECT_FINDING(f, error, 11,
                 "CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.3 conflicts with CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.8 (a.txt:6); keep one");
  // Secrets are named, never shown.
  const auto* pw = find(f, Severity::error, 12, "CONFIG_MYSQL_PW conflicts with CONFIG_MARIADB_PW (a.txt:13)");
  ASSERT_NE(pw, nullptr) << findings(f);
  EXPECT_EQ(pw->message.find("=a"), std::string::npos);
  // The same value under both names is only a deprecation.
  const auto same = read_answer_file("b.txt", kBase + "CONFIG_NOVA_COMPUTE_HOSTS=10.15.0.8, 10.15.0.2\n");
  EXPECT_FALSE(same.has_errors()) << findings(same);
  EXPECT_FINDING(same, warning, 11, "CONFIG_NOVA_COMPUTE_HOSTS is deprecated, read as CONFIG_COMPUTE_HOSTS");
}

TEST(AnswerFileTest, PerServiceHostKeyConflictingWithControllerHost) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_SERVER_HOST=10.15.0.7\nCONFIG_KEYSTONE_HOST=10.15.0.4\n");
  EXPECT_FINDING(f, error, 11,
                 "CONFIG_NEUTRON_SERVER_HOST=10.15.0.7 conflicts with CONFIG_CONTROLLER_HOST=10.15.0.4 (a.txt:4)");
  EXPECT_FINDING(f, warning, 12, "CONFIG_KEYSTONE_HOST is deprecated, read as CONFIG_CONTROLLER_HOST");
  const auto net = read_answer_file("b.txt", kBase + "CONFIG_NEUTRON_L3_HOSTS=10.15.0.9\n");
  EXPECT_FINDING(net, error, 11, "CONFIG_NEUTRON_L3_HOSTS=10.15.0.9 conflicts with CONFIG_NETWORK_HOSTS=10.15.0.7 (b.txt:5)");
}

TEST(AnswerFileTest, L2PluginOpenvswitchReadsAsMl2WithTheOvsMechanismDriver) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=10.15.0.4\n"
                                  "CONFIG_NETWORK_HOSTS=10.15.0.7\n"
                                  "CONFIG_COMPUTE_HOSTS=10.15.0.2\n"
                                  "CONFIG_NEUTRON_L2_PLUGIN=openvswitch\n"
                                  "CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE=vxlan\n"
                                  "CONFIG_NEUTRON_OVS_TUNNEL_RANGES=100:200\n"
                                  "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=local\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_FINDING(f, warning, 5,
                 "CONFIG_NEUTRON_L2_PLUGIN=openvswitch is deprecated, read as ML2 with CONFIG_NEUTRON_L2_AGENT=openvswitch "
                 "and CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS=openvswitch");
  EXPECT_FINDING(f, warning, 6, "CONFIG_NEUTRON_OVS_TENANT_NETWORK_TYPE is deprecated, read as CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES");
  EXPECT_FINDING(f, warning, 7, "CONFIG_NEUTRON_OVS_TUNNEL_RANGES is deprecated, read as CONFIG_NEUTRON_ML2_VNI_RANGES");
  EXPECT_FINDING(f, warning, 8, "CONFIG_NEUTRON_ML2_TYPE_DRIVERS is not used: CONFIG_NEUTRON_L2_PLUGIN=openvswitch");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS"), "openvswitch");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_L2_AGENT"), "openvswitch");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES"), "vxlan");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_ML2_TYPE_DRIVERS"), "vxlan");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_ML2_VNI_RANGES"), "100:200");
}

TEST(AnswerFileTest, UnsupportedNeutronChoicesSayWhy) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_L2_AGENT=linuxbridge\nCONFIG_AMQP_BACKEND=qpid\n"
                                                   "CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS=ovn\n");
  EXPECT_FINDING(f, error, 11, "CONFIG_NEUTRON_L2_AGENT: 'linuxbridge' is not allowed (allowed: openvswitch); stackwire deploys the openvswitch agent");
  EXPECT_FINDING(f, error, 12, "CONFIG_AMQP_BACKEND: 'qpid' is not allowed (allowed: rabbitmq); stackwire deploys RabbitMQ");
  EXPECT_FINDING(f, error, 13, "must contain openvswitch");
  EXPECT_FINDING(f, error, 13, "contains ovn: OVN is not deployed by stackwire");
}

TEST(AnswerFileTest, TunnelKeysApplyOnlyToTunnels) {
  const auto vlan = read_answer_file("a.txt",
                                     "[general]\n"
                                     "CONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\nCONFIG_COMPUTE_HOSTS=10.15.0.2\n"
                                     "CONFIG_DEFAULT_PASSWORD=x1234\n"
                                     "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=vlan\n"
                                     "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES=vlan\n"
                                     "CONFIG_NEUTRON_ML2_VLAN_RANGES=physnet1:1000:2999\n"
                                     "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth 2\n"
                                     "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=1000:3000\n"
                                     "CONFIG_NEUTRON_ML2_VNI_RANGES=5:6\n");
  EXPECT_FALSE(vlan.has_errors()) << findings(vlan);  // a bad value where it does not apply is no error
  EXPECT_FINDING(vlan, warning, 9,
                 "CONFIG_NEUTRON_OVS_TUNNEL_IF is set but does not apply: it applies only when a tenant network type");
  EXPECT_FINDING(vlan, warning, 11, "CONFIG_NEUTRON_ML2_VNI_RANGES is set but does not apply: it applies only when "
                                    "CONFIG_NEUTRON_ML2_TYPE_DRIVERS contains vxlan");
  EXPECT_EQ(find(vlan, Severity::warning, 10, "does not apply"), nullptr) << "the default is not reported";
}

TEST(AnswerFileTest, VxlanKeysWhenVxlanIsOn) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\nCONFIG_COMPUTE_HOSTS=10.15.0.2\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\n"
                                  "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=vxlan\n"
                                  "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES=vxlan\n"
                                  "CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT=0\n"
                                  "CONFIG_NEUTRON_ML2_VNI_RANGES=100:16777216\n"
                                  "CONFIG_NEUTRON_ML2_VXLAN_GROUP=10.0.0.1\n"
                                  "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2\n");
  EXPECT_FINDING(f, error, 8, "CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT: '0' is not a port (allowed: 1..65535)");
  EXPECT_FINDING(f, error, 9, "CONFIG_NEUTRON_ML2_VNI_RANGES: '100:16777216': 16777216 is outside the VXLAN VNI space 1..16777215");
  EXPECT_FINDING(f, error, 10, "CONFIG_NEUTRON_ML2_VXLAN_GROUP: '10.0.0.1' is not a multicast address");
  EXPECT_EQ(f.count(Severity::error), 3u) << findings(f);
  const auto ok = read_answer_file("b.txt", "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\n"
                                            "CONFIG_COMPUTE_HOSTS=10.15.0.2\nCONFIG_DEFAULT_PASSWORD=x1234\n"
                                            "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=vxlan\nCONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES=vxlan\n"
                                            "CONFIG_NEUTRON_ML2_VXLAN_GROUP=239.1.1.1\n");
  EXPECT_FALSE(ok.has_errors()) << findings(ok);
}

TEST(AnswerFileTest, CrossKeyNeutronChecks) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_NETWORK_HOSTS=10.15.0.7\nCONFIG_COMPUTE_HOSTS=10.15.0.2\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\n"
                                  "CONFIG_NEUTRON_ML2_TYPE_DRIVERS=gre,vlan\n"
                                  "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES=vxlan,gre,vlan\n"
                                  "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES=\n"
                                  "CONFIG_NEUTRON_ML2_VLAN_RANGES=physnet1\n");
  EXPECT_FINDING(f, error, 7, "tenant network type vxlan is not in CONFIG_NEUTRON_ML2_TYPE_DRIVERS=gre,vlan");
  EXPECT_FINDING(f, error, 8, "tenant networks of type gre need ids to allocate: set CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES");
  EXPECT_FINDING(f, error, 9, "tenant networks of type vlan need VLAN ids to allocate");
}

TEST(AnswerFileTest, ProviderExternalNetworkNeedsAMapping) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_L3_EXT_BRIDGE=provider\nCONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS=physnet1:br-eth1\n");
  EXPECT_FINDING(f, error, 0, "CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET=extnet is not a physical network of CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS=physnet1:br-eth1");
  EXPECT_FINDING(f, error, 7, "CONFIG_NEUTRON_L3_EXT_BRIDGE=provider needs flat or vlan in CONFIG_NEUTRON_ML2_TYPE_DRIVERS");
}

TEST(AnswerFileTest, BridgeChecks) {
  const auto f = read_answer_file("a.txt", kBase +
                                               "CONFIG_NEUTRON_OVS_BRIDGE_IFACES=br-ex:eth3,br-eth1:eth2\n"
                                               "CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE=br-vlan\n"
                                               "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS=ext:br-int\n");
  EXPECT_FINDING(f, warning, 11, "bridge br-eth1 gets eth2 but is neither CONFIG_NEUTRON_L3_EXT_BRIDGE nor in CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS");
  EXPECT_FINDING(f, warning, 10, "CONFIG_NEUTRON_OVS_TUNNEL_IF=eth2 is also br-eth1's uplink");
  EXPECT_FINDING(f, error, 12, "br-vlan must be in both CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS and CONFIG_NEUTRON_OVS_BRIDGE_IFACES");
  EXPECT_FINDING(f, error, 13, "br-int is the OVS agent's integration bridge and cannot be used here");
}

TEST(AnswerFileTest, HostConsistency) {
  const auto f = read_answer_file("a.txt",
                                  "[general]\n"
                                  "CONFIG_CONTROLLER_HOST=127.0.0.1\nCONFIG_NETWORK_HOSTS=127.0.0.1\n"
                                  "CONFIG_COMPUTE_HOSTS=10.15.0.2,10.15.0.2\n"
                                  "EXCLUDE_SERVERS=10.99.0.1\n"
                                  "CONFIG_AMQP_HOST=10.15.0.4,10.15.0.5\n"
                                  "CONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FINDING(f, error, 4, "CONFIG_COMPUTE_HOSTS: '10.15.0.2' is listed twice");
  EXPECT_FINDING(f, error, 6, "CONFIG_AMQP_HOST: '10.15.0.4,10.15.0.5': takes one host, not a list");
  EXPECT_FINDING(f, error, 2, "CONFIG_CONTROLLER_HOST=127.0.0.1 is a loopback address, but 10.15.0.");
  EXPECT_FINDING(f, warning, 5, "EXCLUDE_SERVERS names 10.99.0.1, which is no host of this file");
  // All on loopback (an all-in-one without a default route) is fine.
  const auto aio = read_answer_file("b.txt", "[general]\nCONFIG_CONTROLLER_HOST=127.0.0.1\nCONFIG_NETWORK_HOSTS=127.0.0.1\n"
                                             "CONFIG_COMPUTE_HOSTS=127.0.0.1\nCONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FALSE(aio.has_errors()) << findings(aio);
}

TEST(AnswerFileTest, MissingControllerNamesItsOlderNames) {
  const auto f = read_answer_file("a.txt", "[general]\nCONFIG_COMPUTE_HOSTS=10.15.0.2\nCONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FINDING(f, error, 0,
                 "CONFIG_CONTROLLER_HOST is missing (older files: CONFIG_KEYSTONE_HOST, CONFIG_OSCLIENT_HOST, "
                 "CONFIG_NEUTRON_SERVER_HOST");
  EXPECT_EQ(f.count(Severity::error), 1u) << findings(f);
}

TEST(AnswerFileTest, NetworkAndComputeHostsDefaultToTheController) {
  // packstack's default for both is the host it runs on, the controller.
  const auto f = read_answer_file("a.txt", "[general]\nCONFIG_CONTROLLER_HOST=10.15.0.4\nCONFIG_DEFAULT_PASSWORD=x1234\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_EQ(f.value("CONFIG_NETWORK_HOSTS"), "10.15.0.4");
  EXPECT_EQ(f.value("CONFIG_COMPUTE_HOSTS"), "10.15.0.4");
  EXPECT_EQ(f.resolved("CONFIG_COMPUTE_HOSTS")->from, "CONFIG_CONTROLLER_HOST");
  EXPECT_EQ(f.resolved("CONFIG_NETWORK_HOSTS")->origin.where(), "a.txt:2");
}

TEST(AnswerFileTest, PlaceholderPasswordsTakeTheDefaultPassword) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_KS_PW=PW_PLACEHOLDER\nCONFIG_MARIADB_PW=own\n");
  EXPECT_EQ(f.value("CONFIG_NEUTRON_KS_PW"), "secret-pw");
  EXPECT_EQ(f.resolved("CONFIG_NEUTRON_KS_PW")->from, "CONFIG_DEFAULT_PASSWORD");
  EXPECT_EQ(f.value("CONFIG_MARIADB_PW"), "own");
  EXPECT_EQ(f.value("CONFIG_KEYSTONE_ADMIN_PW"), "secret-pw");  // missing: PW_PLACEHOLDER by default
  EXPECT_TRUE(f.placeholder_passwords().empty());
  const auto secrets = f.secrets();
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "secret-pw"), secrets.end());
  EXPECT_NE(std::find(secrets.begin(), secrets.end(), "own"), secrets.end());
}

TEST(AnswerFileTest, PlaceholderPasswordsWithoutDefaultAreFilledOnce) {
  std::string text = kBase;
  text.replace(text.find("CONFIG_DEFAULT_PASSWORD=secret-pw"), 33, "CONFIG_DEFAULT_PASSWORD=");
  auto f = read_answer_file("a.txt", text + "CONFIG_NEUTRON_KS_PW=PW_PLACEHOLDER\n");
  EXPECT_FALSE(f.has_errors()) << findings(f);
  EXPECT_FINDING(f, warning, 0, "passwords are PW_PLACEHOLDER and CONFIG_DEFAULT_PASSWORD is empty: deploy generates random ones");
  EXPECT_EQ(f.count(Severity::warning), 1u) << findings(f);
  const auto open = f.placeholder_passwords();
  EXPECT_NE(std::find(open.begin(), open.end(), "CONFIG_NEUTRON_KS_PW"), open.end());
  EXPECT_NE(std::find(open.begin(), open.end(), "CONFIG_AMQP_AUTH_PASSWORD"), open.end());
  int n = 0;
  const auto filled = fill_placeholder_passwords(f, [&] { return "pw" + std::to_string(++n) + "abcdef"; });
  EXPECT_EQ(filled, open);
  EXPECT_EQ(n, static_cast<int>(open.size()));
  EXPECT_TRUE(f.placeholder_passwords().empty());
  EXPECT_EQ(f.value("CONFIG_NEUTRON_KS_PW").substr(0, 2), "pw");
  // Written back, they stay: a re-run reads the same passwords.
  const auto again = read_answer_file("a.txt", f.render());
  EXPECT_EQ(again.value("CONFIG_NEUTRON_KS_PW"), f.value("CONFIG_NEUTRON_KS_PW"));
  EXPECT_EQ(again.value("CONFIG_MARIADB_PW"), f.value("CONFIG_MARIADB_PW"));
  EXPECT_TRUE(again.placeholder_passwords().empty());
}

TEST(AnswerFileTest, EmptyPasswordIsAnErrorThatDoesNotEchoAnything) {
  const auto f = read_answer_file("a.txt", kBase + "CONFIG_NEUTRON_DB_PW=\n");
  EXPECT_FINDING(f, error, 11, "CONFIG_NEUTRON_DB_PW is empty (allowed: a password, or PW_PLACEHOLDER");
}

TEST(AnswerFileTest, SetAndRenderKeepTheFileAndAppendNewKeys) {
  auto f = read_answer_file("a.txt", "[general]\n# keep me\n" + kBase.substr(10));
  f.set("CONFIG_NEUTRON_OVS_TUNNEL_IF", "eth9", Origin{"--os-neutron-ovs-tunnel-if", 0});
  f.set("CONFIG_NEUTRON_OVS_DATAPATH_TYPE", "netdev", Origin{"--os-neutron-ovs-datapath-type", 0});
  f.check();
  const std::string text = f.render();
  EXPECT_NE(text.find("# keep me\n"), std::string::npos);
  EXPECT_NE(text.find("\nCONFIG_NEUTRON_OVS_TUNNEL_IF=eth9\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("eth2"), std::string::npos) << text;
  EXPECT_NE(text.find("# Open vSwitch datapath"), std::string::npos) << text;
  EXPECT_TRUE(text.ends_with("CONFIG_NEUTRON_OVS_DATAPATH_TYPE=netdev\n")) << text;
  const auto again = read_answer_file("a.txt", text);
  EXPECT_FALSE(again.has_errors()) << findings(again);
  EXPECT_EQ(again.value("CONFIG_NEUTRON_OVS_TUNNEL_IF"), "eth9");
  EXPECT_EQ(again.value("CONFIG_NEUTRON_OVS_DATAPATH_TYPE"), "netdev");
}

TEST(AnswerFileTest, FindingsAtAnOptionNameTheOption) {
  auto f = read_answer_file("a.txt", kBase);
  f.set("CONFIG_NEUTRON_OVS_TUNNEL_IF", "eth/2", Origin{"--os-neutron-ovs-tunnel-if", 0});
  f.check();
  const auto errors = f.error_text();
  EXPECT_NE(errors.find("--os-neutron-ovs-tunnel-if: CONFIG_NEUTRON_OVS_TUNNEL_IF: 'eth/2' is not an interface name: it contains '/'"),
            std::string::npos)
      << errors;
}

TEST(AnswerFileTest, WrapCommentAt70Columns) {
  const std::string text = wrap_comment(
      "Path to a public key to install on servers. If a usable key has not been installed on the "
      "remote servers, the user is prompted for a password.");
  EXPECT_EQ(text,
            "# Path to a public key to install on servers. If a usable key has not\n"
            "# been installed on the remote servers, the user is prompted for a\n"
            "# password.\n");
}

TEST(AnswerFileTest, UsageTextListsTheAllowedValues) {
  EXPECT_EQ(usage_text(*find_key("CONFIG_NEUTRON_OVS_DATAPATH_TYPE")).substr(0, 25), "Open vSwitch datapath of ");
  EXPECT_TRUE(usage_text(*find_key("CONFIG_NEUTRON_OVS_DATAPATH_TYPE")).ends_with(" ['system', 'netdev']"));
  EXPECT_TRUE(usage_text(*find_key("CONFIG_DEBUG_MODE")).ends_with(" ['y', 'n']"));
}

}  // namespace
}  // namespace sw::installer
