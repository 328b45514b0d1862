// Internal to the key catalogue: the keys of services stackwire does not deploy (glance, nova,
// swift, ...) and of packstack features it does not provide (repositories, subscriptions, SSL CA).
// They are catalogued so that they are recognised, kept and reported once, never taken for typos.
#pragma once

#include <vector>

#include "installer/answer_keys.h"

namespace sw::installer::detail {

/// The not-deployed keys, each with its service and the packstack versions that wrote it.
std::vector<KeySpec> other_answer_keys();

}  // namespace sw::installer::detail
