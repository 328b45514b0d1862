#include "lab/lab_files.h"

#include <vector>

#include "common/strings.h"

namespace sw::lab {

std::string render_answer_file(std::string_view shipped, const LabLayout& layout) {
  std::string computes;
  for (const auto& h : layout.hosts) {
    if (h.roles.front() != "compute") continue;
    if (!computes.empty()) computes += ',';
    computes += h.mgmt_ip;
  }
  const std::vector<std::pair<std::string_view, std::string>> replace = {
      {"CONFIG_NOVA_COMPUTE_HOSTS", computes},
      {"CONFIG_SSH_KEY", layout.ssh_key().string() + ".pub"},
  };
  std::string out;
  out.reserve(shipped.size() + 256);
  for (std::string_view line : split(shipped, '\n')) {
    std::string rewritten(line);
    for (const auto& [key, value] : replace) {
      if (line.starts_with(key) && line.size() > key.size() && line[key.size()] == '=')
        rewritten = std::string(key) + "=" + value;
    }
    out += rewritten;
    out += '\n';
  }
  // split() yields one empty field after a trailing newline: keep exactly one newline at the end.
  while (out.size() >= 2 && out.ends_with("\n\n")) out.pop_back();
  return out;
}

}  // namespace sw::lab
