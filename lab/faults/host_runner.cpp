#include "lab/faults/host_runner.h"

#include <map>

namespace sw::lab::faults {
namespace {

class LabHostRunner final : public HostRunner {
 public:
  explicit LabHostRunner(LabLayout layout) : layout_(std::move(layout)) {}

  Result<RunResult> run(std::string_view host, const std::vector<std::string>& argv,
                        std::chrono::milliseconds timeout) override {
    auto it = members_.find(std::string(host));
    if (it == members_.end()) {
      auto ns = SW_TRY(open_member(layout_, host));
      it = members_.emplace(std::string(host), std::move(ns)).first;
    }
    return run_captured(it->second, argv, timeout);
  }

 private:
  LabLayout layout_;
  std::map<std::string, MemberNamespaces> members_;
};

}  // namespace

std::unique_ptr<HostRunner> make_lab_host_runner(const LabLayout& layout) {
  return std::make_unique<LabHostRunner>(layout);
}

}  // namespace sw::lab::faults
