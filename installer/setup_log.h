// <logdir>/setup.log: the run's full log, created 0600, every line masked (sw::log::mask), so
// that secrets registered with sw::log::add_secret never reach the disk. Thread-safe.
#pragma once

#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/error.h"

namespace sw::installer {

class SetupLog {
 public:
  /// Creates (or appends to) path with mode 0600.
  static Result<SetupLog> open(const std::string& path);
  /// A log that discards everything (dry runs in tests).
  static SetupLog null();

  /// Appends text, each line prefixed with a timestamp and the tag ("10.15.0.7 neutron").
  void write(std::string_view tag, std::string_view text);
  const std::string& path() const { return path_; }

 private:
  struct Closer {
    void operator()(std::FILE* f) const { std::fclose(f); }
  };
  SetupLog(std::string path, std::FILE* f) : path_(std::move(path)), file_(f), mu_(std::make_unique<std::mutex>()) {}
  std::string path_;
  std::unique_ptr<std::FILE, Closer> file_;
  std::unique_ptr<std::mutex> mu_;
};

/// Creates /var/tmp/stackwire/<YYYYmmdd-HHMMSS>-<6 random chars>/ (0700) with manifests/ inside it,
/// under base (default /var/tmp/stackwire). Returns the directory's path.
Result<std::string> make_log_dir(const std::string& base = "/var/tmp/stackwire");

/// Writes content to path, created with mode (never chmod after writing), replacing it atomically.
Result<void> write_file_atomic(const std::string& path, std::string_view content, unsigned mode);

}  // namespace sw::installer
