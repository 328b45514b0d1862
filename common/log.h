// The program's diagnostic log: leveled lines on stderr ("stackwire: warning: ..."), never stdout,
// which belongs to the command's output. Secrets registered with add_secret() are replaced by
// "********" in every line written through here (and in mask() for other sinks such as setup.log).
#pragma once

#include <string>
#include <string_view>

namespace sw::log {

enum class Level { debug, info, warn, error };

/// Lines below this level are dropped. Default: warn (info with -v, debug with -vv).
void set_level(Level level);
Level level();

void write(Level level, std::string_view message);
inline void debug(std::string_view m) { write(Level::debug, m); }
inline void info(std::string_view m) { write(Level::info, m); }
inline void warn(std::string_view m) { write(Level::warn, m); }
inline void error(std::string_view m) { write(Level::error, m); }

/// Registers a value that must never appear in output. Values shorter than 4 chars are ignored
/// (masking "y" would shred every line).
void add_secret(std::string_view secret);
/// Returns text with every registered secret replaced by "********".
std::string mask(std::string_view text);

}  // namespace sw::log
