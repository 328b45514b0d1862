// gen-answer-file's engine: a complete answer file from the catalogue's defaults, the host layout
// packstack's --allinone / --install-hosts ask for, --os-KEY=VALUE overrides, and random passwords.
// Pure: the local address, the ssh key's path and the source of randomness are inputs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"
#include "installer/answer_file_overrides.h"

namespace sw::installer {

struct GenerateOptions {
  std::string name = "answers.txt";        ///< the file's name, for messages
  /// --install-hosts: the first is the controller and the network host, the others are compute
  /// hosts (a single host is all three). Empty: every host key is local_address.
  std::vector<std::string> install_hosts;
  /// --allinone: every host key is local_address, the demo is provisioned and the external bridge
  /// set up as the all-in-one's gateway.
  bool allinone = false;
  std::string local_address = "127.0.0.1";  ///< see answer_file_io.h: local_address()
  std::string ssh_key;                      ///< CONFIG_SSH_KEY's value
  /// Makes one password (16 hex chars); every password key whose value is still PW_PLACEHOLDER
  /// after the overrides gets CONFIG_DEFAULT_PASSWORD if set, else a fresh one.
  std::function<std::string()> random_password = installer::random_password;
};

/// A checked file holding every generated key of the catalogue in packstack's order. Fails with
/// every error line when the overrides make it invalid.
Result<AnswerFile> generate_answer_file(const GenerateOptions& options, const Overrides& overrides = {});

}  // namespace sw::installer
