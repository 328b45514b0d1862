#include "installer/answer_file_gen.h"

#include "installer/answer_keys.h"

namespace sw::installer {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ',';
    out += i;
  }
  return out;
}

}  // namespace

Result<AnswerFile> generate_answer_file(const GenerateOptions& o, const Overrides& overrides) {
  std::string controller = o.local_address;
  std::vector<std::string> compute = {o.local_address};
  if (!o.allinone && !o.install_hosts.empty()) {
    controller = o.install_hosts.front();
    compute.assign(o.install_hosts.begin() + 1, o.install_hosts.end());
    if (compute.empty()) compute = {controller};
  }
  AnswerFile f(o.name);
  const Origin origin{o.name, 0};
  for (const auto& spec : answer_keys()) {
    if (!spec.generated) continue;
    std::string value(spec.default_value);
    if (spec.name == "CONFIG_COMPUTE_HOSTS") value = join(compute);
    else if (spec.local_host) value = controller;
    else if (spec.name == "CONFIG_SSH_KEY") value = o.ssh_key;
    else if (o.allinone && (spec.name == "CONFIG_PROVISION_DEMO" || spec.name == "CONFIG_PROVISION_OVS_BRIDGE"))
      value = std::string(1, 'y');  // not = "y": GCC 12 -Wrestrict false positive
    f.set(spec.name, std::move(value), origin);
  }
  f.check();
  if (!overrides.empty()) SW_TRY_VOID(apply_overrides(f, overrides));
  const std::string default_password = f.value("CONFIG_DEFAULT_PASSWORD");
  for (const auto& spec : answer_keys()) {
    if (!spec.password || !spec.generated) continue;
    const auto* e = f.entry(spec.name);
    if (e && e->value == "PW_PLACEHOLDER")
      f.set(spec.name, default_password.empty() ? o.random_password() : default_password, e->origin);
  }
  f.check();
  if (f.has_errors()) return fail(Error::input(f.error_text()));
  return f;
}

}  // namespace sw::installer
