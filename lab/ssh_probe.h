// Is sshd answering? A TCP connection to <ip>:22 made from inside a lab namespace, counted as up once
// the server's identification line ("SSH-2.0-…") arrives. All addresses are probed concurrently.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sw::lab {

/// For each IPv4 address, whether an SSH server greets on port 22 within timeout, connecting from the
/// network namespace open at netns_fd. All false if the namespace cannot be entered.
std::vector<bool> probe_ssh(int netns_fd, const std::vector<std::string>& ips, std::chrono::milliseconds timeout);

/// True if text starts with an SSH identification line ("SSH-2.0-" or "SSH-1.99-").
bool is_ssh_banner(std::string_view text);

}  // namespace sw::lab
