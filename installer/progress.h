// Packstack-shaped progress on the terminal: one "Title ...   [ DONE ]" line per step of the run.
// The sink is separate from the runner (ninja's Status): the runner reports, the sink formats.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

namespace sw::installer {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  /// A step of the run starts ("Adding MariaDB manifest entries").
  virtual void begin(std::string_view title) = 0;
  /// It ended; ok=false prints [ ERROR ]. note is appended (e.g. "2 changed").
  virtual void end(bool ok, std::string_view note = {}) = 0;
  /// A free line (the welcome banner, the summary).
  virtual void line(std::string_view text) = 0;
};

/// Writes to a FILE* as packstack does: the title padded with dots to column 56, then
/// "[ DONE ]" or "[ ERROR ]" (green/red when colour is on).
class TerminalProgress final : public ProgressSink {
 public:
  TerminalProgress(std::FILE* out, bool colour) : out_(out), colour_(colour) {}
  void begin(std::string_view title) override;
  void end(bool ok, std::string_view note = {}) override;
  void line(std::string_view text) override;

 private:
  std::FILE* out_;
  bool colour_;
  std::mutex mu_;
  std::string title_;
};

/// Formats one finished progress line without colour (the shape tests compare against).
std::string format_progress_line(std::string_view title, bool ok, std::string_view note);

}  // namespace sw::installer
