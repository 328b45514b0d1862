// FakeHostRunner: a HostRunner for unit tests (as ninja's FakeCommandRunner). It records every
// call in order, replays scripted results for commands matching a substring, and keeps uploaded
// files in memory. Several fakes can share a FakeJournal to check ordering across hosts (barriers
// between plugins). Thread-safe: a runner under test may drive many fakes from its worker threads.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "installer/host_runner.h"

namespace sw::installer {

/// Events from many fakes, in the order they happened: "host: run COMMAND" / "host: upload PATH".
struct FakeJournal {
  std::mutex mutex;
  std::vector<std::string> events;
  std::vector<std::string> snapshot() {
    std::lock_guard lock(mutex);
    return events;
  }
};

class FakeHostRunner final : public HostRunner {
 public:
  struct Call {
    enum class Kind { connect, run, upload };
    Kind kind = Kind::run;
    std::string command;  ///< run: the command line; upload: the path
    std::string data;     ///< run: RunOptions::input; upload: the content
    mode_t mode = 0;      ///< upload: the mode
    std::chrono::milliseconds timeout{0};
    std::string display;  ///< run: RunOptions::display
  };
  using Handler = std::function<Result<CommandResult>(const std::string& command)>;

  explicit FakeHostRunner(std::string host = "fake-host", std::shared_ptr<FakeJournal> journal = nullptr)
      : host_(std::move(host)), journal_(std::move(journal)) {}

  /// Commands containing needle get result (first matching rule, in the order added).
  /// times < 0: always; otherwise the rule is used that many times, then skipped.
  FakeHostRunner& on(std::string needle, CommandResult result, int times = -1) {
    return on_call(std::move(needle), [result](const std::string&) -> Result<CommandResult> { return result; }, times);
  }
  /// Commands containing needle fail with error (a timeout, a lost connection).
  FakeHostRunner& on(std::string needle, Error error, int times = -1) {
    return on_call(std::move(needle), [error](const std::string&) -> Result<CommandResult> { return fail(error); },
                   times);
  }
  FakeHostRunner& on_call(std::string needle, Handler handler, int times = -1) {
    std::lock_guard lock(mutex_);
    rules_.push_back({std::move(needle), std::move(handler), times});
    return *this;
  }
  /// Result for commands no rule matches (default: exit 0, no output).
  FakeHostRunner& otherwise(CommandResult result) {
    std::lock_guard lock(mutex_);
    default_ = std::move(result);
    return *this;
  }
  /// connect(), run() and upload() fail with error (an unreachable host, a refused host key).
  FakeHostRunner& fail_connect(Error error) {
    std::lock_guard lock(mutex_);
    connect_error_ = std::move(error);
    return *this;
  }
  /// Uploads to paths containing needle fail with error.
  FakeHostRunner& fail_upload(std::string needle, Error error) {
    std::lock_guard lock(mutex_);
    upload_errors_.emplace_back(std::move(needle), std::move(error));
    return *this;
  }

  /// Shorthand for a result: exit status and stdout/stderr.
  static CommandResult result(int exit_status, std::string out = {}, std::string err = {}) {
    CommandResult r;
    r.exit_status = exit_status;
    r.out_bytes = out.size();
    r.err_bytes = err.size();
    r.out = std::move(out);
    r.err = std::move(err);
    return r;
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }
  /// The commands run, in order.
  std::vector<std::string> commands() const {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& c : calls_)
      if (c.kind == Call::Kind::run) out.push_back(c.command);
    return out;
  }
  /// The last content uploaded to path, with its mode.
  std::optional<std::pair<std::string, mode_t>> file(const std::string& path) const {
    std::lock_guard lock(mutex_);
    auto it = files_.find(path);
    if (it == files_.end()) return std::nullopt;
    return it->second;
  }

  const std::string& host() const override { return host_; }

  Result<void> connect() override {
    std::lock_guard lock(mutex_);
    record({Call::Kind::connect, {}, {}, 0, {}, {}}, "connect");
    if (connect_error_) return fail(*connect_error_);
    return {};
  }

  Result<CommandResult> run(const std::string& command, const RunOptions& options = {}) override {
    Handler handler;
    {
      std::lock_guard lock(mutex_);
      record({Call::Kind::run, command, options.input, 0, options.timeout, options.display}, "run " + command);
      if (connect_error_) return fail(*connect_error_);
      for (auto& rule : rules_) {
        if (rule.times == 0 || command.find(rule.needle) == std::string::npos) continue;
        if (rule.times > 0) --rule.times;
        handler = rule.handler;
        break;
      }
      if (!handler) return default_;
    }
    return handler(command);  // outside the lock: a handler may block to test parallelism
  }

  Result<void> upload(const std::string& path, std::string_view content, const UploadOptions& options = {}) override {
    std::lock_guard lock(mutex_);
    record({Call::Kind::upload, path, std::string(content), options.mode, options.timeout, {}}, "upload " + path);
    if (connect_error_) return fail(*connect_error_);
    for (const auto& [needle, error] : upload_errors_)
      if (path.find(needle) != std::string::npos) return fail(error);
    files_[path] = {std::string(content), options.mode};
    return {};
  }

 private:
  struct Rule {
    std::string needle;
    Handler handler;
    int times;
  };
  void record(Call call, const std::string& event) {
    calls_.push_back(std::move(call));
    if (journal_) {
      std::lock_guard lock(journal_->mutex);
      journal_->events.push_back(host_ + ": " + event);
    }
  }

  std::string host_;
  std::shared_ptr<FakeJournal> journal_;
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  CommandResult default_ = result(0);
  std::optional<Error> connect_error_;
  std::vector<std::pair<std::string, Error>> upload_errors_;
  std::vector<Call> calls_;
  std::map<std::string, std::pair<std::string, mode_t>> files_;
};

}  // namespace sw::installer
