#include "lab/ssh_setup.h"

#include <unistd.h>

#include "common/strings.h"
#include "lab/spawn.h"

namespace sw::lab {

std::string known_hosts_text(const std::vector<KnownHost>& hosts) {
  std::string out;
  for (const auto& h : hosts) {
    const auto f = split(trim(h.public_key), ' ');
    if (f.size() < 2) continue;
    out += h.name + "," + h.ip + " " + std::string(f[0]) + " " + std::string(f[1]) + "\n";
  }
  return out;
}

std::string ssh_config_text(const LabLayout& layout) {
  std::string out =
      "# Written by `stackwire lab up` for lab '" + layout.prefix + "'. From inside a lab host:\n"
      "#   stackwire lab exec controller -- ssh -F " + layout.ssh_config().string() + " root@10.15.0.7 CMD\n"
      "# Host-key checking is on: every host's key is in " + layout.known_hosts().string() + ".\n";
  for (const auto& h : layout.hosts) {
    out += "\nHost " + h.name + " " + h.mgmt_ip + "\n";
    out += "    HostName " + h.mgmt_ip + "\n";
  }
  out += "\nHost *\n";
  out += "    User root\n";
  out += "    IdentityFile " + layout.ssh_key().string() + "\n";
  out += "    IdentitiesOnly yes\n";
  out += "    UserKnownHostsFile " + layout.known_hosts().string() + "\n";
  out += "    GlobalKnownHostsFile /dev/null\n";
  out += "    StrictHostKeyChecking yes\n";
  out += "    BatchMode yes\n";
  out += "    ConnectTimeout 5\n";
  out += "    LogLevel ERROR\n";
  return out;
}

std::string sshd_config_text(const HostSpec& host) {
  return "# Written by `stackwire lab up`: lab host " + host.name + ".\n"
         "ListenAddress " + host.mgmt_ip + "\n"
         "HostKey /etc/ssh/ssh_host_ed25519_key\n"
         "PermitRootLogin prohibit-password\n"
         "PubkeyAuthentication yes\n"
         "PasswordAuthentication no\n"
         "KbdInteractiveAuthentication no\n"
         "UsePAM no\n"
         "AuthorizedKeysFile .ssh/authorized_keys\n"
         "PidFile " + std::string(kSshdPidFile) + "\n"
         "UseDNS no\n"
         "PrintMotd no\n"
         "MaxStartups 100:30:200\n"
         "MaxSessions 64\n"
         "AcceptEnv LANG LC_*\n"
         // bash sources ~/.bashrc for commands run over ssh when SHLVL < 2 after its own increment;
         // /root is the machine's, and a heavy .bashrc there would cost every lab command.
         "SetEnv SHLVL=1\n"
         "Subsystem sftp /usr/lib/openssh/sftp-server\n";
}

std::vector<std::string> sshd_argv() {
  // sshd re-executes itself for every connection and insists on an absolute path.
  return {"/usr/sbin/sshd", "-D", "-f", "/etc/ssh/sshd_config", "-E", "/var/log/sshd.log"};
}

Result<void> generate_key(const std::filesystem::path& path, const std::string& comment) {
  ::unlink(path.c_str());
  ::unlink((path.string() + ".pub").c_str());
  const auto r = SW_TRY(run_local({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path.string()}));
  if (r.status != 0)
    return fail(Error::failed("ssh-keygen " + path.string() + ": exit " + std::to_string(r.status) + ": " +
                              std::string(trim(r.err))));
  return {};
}

}  // namespace sw::lab
