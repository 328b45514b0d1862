// The lab's ssh: one ed25519 key pair for root on every host, one ed25519 host key per host, a
// known_hosts file naming every host by name and address, an ssh_config for clients inside the lab,
// and each host's sshd_config. Text generators are pure; generate_key() runs ssh-keygen.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/error.h"
#include "lab/layout.h"

namespace sw::lab {

/// A host's public host key, for known_hosts.
struct KnownHost {
  std::string name;
  std::string ip;
  std::string public_key;  ///< "ssh-ed25519 AAAA… comment" (first two fields are used)
};

/// known_hosts lines: "<name>,<ip> ssh-ed25519 AAAA…".
std::string known_hosts_text(const std::vector<KnownHost>& hosts);
/// The lab's ssh_config: every host by name and address, root, the lab key, host-key checking on.
std::string ssh_config_text(const LabLayout& layout);
/// sshd_config of a host: listens on its mgmt address only, root by key only, no PAM, /run/sshd.pid.
std::string sshd_config_text(const HostSpec& host);
/// The command line that starts a host's sshd (in the foreground, so the lab knows its pid).
std::vector<std::string> sshd_argv();

/// Creates an ed25519 key pair at path (private, 0600) and path.pub, replacing old ones.
Result<void> generate_key(const std::filesystem::path& path, const std::string& comment);

/// Where a host's sshd writes its pid, inside the host.
inline constexpr const char* kSshdPidFile = "/run/sshd.pid";

}  // namespace sw::lab
