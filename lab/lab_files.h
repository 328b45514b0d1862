// The lab's answer file and topology: lab/answers.txt and lab/topology.json are compiled into the
// binary (so an installed stackwire needs no source tree) and written to the state directory by
// `lab up`, adjusted to the lab actually built (its ssh key path, its compute hosts).
#pragma once

#include <string>
#include <string_view>

#include "lab/layout.h"

namespace sw::lab {

/// lab/answers.txt as shipped (the default lab: 2 compute hosts, prefix swlab).
std::string_view shipped_answer_file();
/// lab/topology.json as shipped.
std::string_view shipped_topology();

/// The answer file for this layout: the shipped one with CONFIG_NOVA_COMPUTE_HOSTS listing every
/// compute host's mgmt address and CONFIG_SSH_KEY naming the lab's public key. Other lines untouched.
std::string render_answer_file(std::string_view shipped, const LabLayout& layout);

}  // namespace sw::lab
