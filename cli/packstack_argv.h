// packstack's top-level habits as stackwire subcommands, by rewriting argv before CLI11 parses it:
//   stackwire --gen-answer-file=F [args]  →  stackwire gen-answer-file F [args]
//   stackwire --answer-file=F [args]      →  stackwire deploy --answer-file F [args]
// Only when the first argument is one of them (either "=F" or " F"); anything else is left alone.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sw::cli {

/// args[0] is the program's name.
inline std::vector<std::string> rewrite_packstack_args(std::vector<std::string> args) {
  if (args.size() < 2) return args;
  const std::string first = args[1];
  auto rewrite = [&](std::string_view flag, std::vector<std::string> replacement) {
    if (first != flag && !first.starts_with(std::string(flag) + "=")) return false;
    std::vector<std::string> out = {args[0]};
    out.insert(out.end(), replacement.begin(), replacement.end());
    std::size_t rest = 2;
    if (first.size() > flag.size()) {
      out.push_back(first.substr(flag.size() + 1));
    } else if (args.size() > 2) {
      out.push_back(args[2]);
      rest = 3;
    }
    out.insert(out.end(), args.begin() + static_cast<long>(rest), args.end());
    args = std::move(out);
    return true;
  };
  if (!rewrite("--gen-answer-file", {"gen-answer-file"}))
    rewrite("--answer-file", {"deploy", "--answer-file"});
  return args;
}

/// An argv for CLI11 after rewrite_packstack_args(); owns its strings.
class PackstackArgv {
 public:
  PackstackArgv(int argc, char** argv)
      : args_(rewrite_packstack_args(std::vector<std::string>(argv, argv + argc))) {
    for (auto& a : args_) ptrs_.push_back(a.data());
    ptrs_.push_back(nullptr);
  }
  PackstackArgv(const PackstackArgv&) = delete;
  PackstackArgv& operator=(const PackstackArgv&) = delete;

  int argc() const { return static_cast<int>(args_.size()); }
  char** argv() { return ptrs_.data(); }

 private:
  std::vector<std::string> args_;
  std::vector<char*> ptrs_;
};

}  // namespace sw::cli
