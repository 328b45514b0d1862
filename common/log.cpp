#include "common/log.h"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace sw::log {
namespace {

std::atomic<Level> g_level{Level::warn};
std::mutex g_mutex;
std::vector<std::string> g_secrets;  // guarded by g_mutex

std::string mask_locked(std::string_view text) {
  std::string out(text);
  for (const auto& s : g_secrets) {
    for (size_t pos = out.find(s); pos != std::string::npos; pos = out.find(s, pos + 8))
      out.replace(pos, s.size(), "********");
  }
  return out;
}

}  // namespace

void set_level(Level l) { g_level = l; }
Level level() { return g_level; }

void write(Level l, std::string_view message) {
  if (l < g_level.load()) return;
  static constexpr const char* names[] = {"debug", "info", "warning", "error"};
  std::lock_guard lock(g_mutex);
  std::string line = "stackwire: ";
  line += names[static_cast<int>(l)];
  line += ": ";
  line += mask_locked(message);
  line += '\n';
  // One write(2) per line so that lines from threads do not interleave.
  (void)!::write(STDERR_FILENO, line.data(), line.size());
}

void add_secret(std::string_view secret) {
  if (secret.size() < 4) return;
  std::lock_guard lock(g_mutex);
  for (const auto& s : g_secrets)
    if (s == secret) return;
  g_secrets.emplace_back(secret);
}

std::string mask(std::string_view text) {
  std::lock_guard lock(g_mutex);
  return mask_locked(text);
}

}  // namespace sw::log
