// Where the answer file meets the local machine: reading and writing it (mode 0600, created so,
// never chmod-ed after), this machine's address for --allinone and the host keys' defaults, the
// default ssh public key, and the one file packstack checks locally (CONFIG_SSH_KEY).
// Everything else about answer files is pure and lives in answer_file.h.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "installer/answer_file.h"

namespace sw::installer {

/// Reads the file at path (at most 1 MiB + 1 byte, so that an oversized file is reported as such)
/// and checks it. Fails only when the file cannot be read; problems in it are diagnostics.
Result<AnswerFile> load_answer_file(const std::string& path);

/// Writes text to path, created with mode 0600. Without overwrite an existing path is refused
/// (its passwords may be those of a deployed cloud); with overwrite the text goes to a new 0600
/// file beside it that then replaces path.
Result<void> write_answer_file(const std::string& path, std::string_view text, bool overwrite);

/// The interface of the default route (lowest metric) in /proc/net/route text, or nullopt.
std::optional<std::string> default_route_interface(std::string_view proc_net_route);

/// This machine's address as packstack's host keys default to it: the IPv4 address of the
/// interface holding the default route in the current network namespace, else "127.0.0.1".
/// Reads /proc/net/route and getifaddrs(3); sends nothing.
std::string local_address();

/// The ssh public key packstack would offer: ~/.ssh/id_ed25519.pub, id_ecdsa.pub, id_rsa.pub, or
/// the first other ~/.ssh/*.pub; "" when there is none.
std::string default_ssh_public_key();

/// Checks the local files the answer file names (CONFIG_SSH_KEY: it exists and is a public key,
/// not a private one), as packstack's validators do. Findings are located at the key's line.
std::vector<Diagnostic> check_local_files(const AnswerFile& file);

}  // namespace sw::installer
