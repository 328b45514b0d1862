#include "installer/answer_file_overrides.h"

#include <algorithm>
#include <cctype>

#include "installer/answer_keys.h"
#include "installer/validators.h"

namespace sw::installer {

Result<Override> make_override(std::string_view option, std::string value) {
  std::string_view bare = option;
  while (bare.starts_with('-')) bare.remove_prefix(1);
  if (const auto* spec = key_for_option(bare))
    return Override{"--" + std::string(bare), std::string(spec->name), std::move(value)};

  // Guess the key the option meant: --os-neutron-ovs-tunel-if → CONFIG_NEUTRON_OVS_TUNEL_IF.
  std::string_view stem = bare;
  if (stem.starts_with("os-")) stem.remove_prefix(3);
  std::string guess;
  for (char c : stem) guess += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const KeySpec* near = nearest_key(guess);
  if (!near) near = nearest_key("CONFIG_" + guess);
  std::string message = "unknown option --" + std::string(bare);
  if (near)
    message += " (nearest key: " + std::string(near->name) + ", " + option_spellings(*near).front() + ")";
  else
    message += ": not an answer-file key (options are --os-KEY=VALUE, e.g. --os-neutron-ovs-tunnel-if=eth2)";
  return fail(Error::input(std::move(message)));
}

Result<void> apply_overrides(AnswerFile& file, const Overrides& overrides) {
  std::vector<std::pair<std::string, std::string>> sets;  // key, option
  for (const auto& o : overrides) {
    const auto* spec = find_key(o.key);
    if (!spec) return fail(Error::input(o.option + ": " + o.key + " is not an answer-file key"));
    if (o.value.find_first_of(std::string_view("\n\r\0", 3)) != std::string::npos)
      return fail(Error::input(o.option + ": the value has a line break or NUL byte; answer-file values are one line"));
    std::string key(spec->name);
    if (spec->deprecation == Deprecation::rename) key = std::string(spec->replaced_by);
    const auto same = std::find_if(sets.begin(), sets.end(), [&](const auto& s) { return s.first == key; });
    if (same != sets.end())
      return fail(Error::input(o.option + ": " + key + " is already set by " + same->second));
    sets.emplace_back(key, o.option);
  }
  for (std::size_t i = 0; i < overrides.size(); ++i)
    file.set(sets[i].first, overrides[i].value, Origin{overrides[i].option, 0});
  file.check();
  if (file.has_errors()) return fail(Error::input(file.error_text()));
  return {};
}

}  // namespace sw::installer
