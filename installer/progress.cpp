#include "installer/progress.h"

namespace sw::installer {
namespace {
constexpr size_t kColumn = 56;

std::string padded(std::string_view title) {
  std::string s(title);
  s += title.ends_with("...") ? "" : "...";
  if (s.size() < kColumn) s.append(kColumn - s.size(), ' ');
  else s += ' ';
  return s;
}
}  // namespace

std::string format_progress_line(std::string_view title, bool ok, std::string_view note) {
  std::string s = padded(title) + (ok ? "[ DONE ]" : "[ ERROR ]");
  if (!note.empty()) s += std::string(" ") + std::string(note);
  return s;
}

void TerminalProgress::begin(std::string_view title) {
  std::lock_guard lock(mu_);
  title_ = title;
  const std::string s = padded(title);
  std::fputs(s.c_str(), out_);
  std::fflush(out_);
}

void TerminalProgress::end(bool ok, std::string_view note) {
  std::lock_guard lock(mu_);
  const char* tag = ok ? "[ DONE ]" : "[ ERROR ]";
  if (colour_) std::fprintf(out_, "%s%s\033[0m", ok ? "\033[32m" : "\033[31m", tag);
  else std::fputs(tag, out_);
  if (!note.empty()) std::fprintf(out_, " %.*s", static_cast<int>(note.size()), note.data());
  std::fputc('\n', out_);
  std::fflush(out_);
}

void TerminalProgress::line(std::string_view text) {
  std::lock_guard lock(mu_);
  std::fprintf(out_, "%.*s\n", static_cast<int>(text.size()), text.data());
  std::fflush(out_);
}

}  // namespace sw::installer
