// A packstack answer file: parsed from text, checked against the key catalogue, resolved to the
// values stackwire deploys, and rendered back to text.
//
// Model: an AnswerFile keeps the file's lines and its KEY=value entries exactly as written (every
// byte of a value survives: no shell interpretation, no unquoting, no inline comments), plus the
// findings about them (Diagnostic: an error or a warning at "file:line"). Reading never stops at the
// first problem: every line is looked at, and every finding is kept. On top of the entries sits
// the resolved view: what each current key reads as once Havana/Icehouse names are translated
// (CONFIG_NOVA_COMPUTE_HOSTS → CONFIG_COMPUTE_HOSTS, CONFIG_NEUTRON_L2_PLUGIN=openvswitch → ML2 with
// the openvswitch mechanism driver, ...), missing keys take their defaults, and PW_PLACEHOLDER
// takes CONFIG_DEFAULT_PASSWORD. Plugins read the resolved view, or better, the typed Inventory
// (inventory.h) made from it.
//
// Lifetime: a plain value; copy it freely. set() changes a value in place (overrides, generated
// passwords); check() must follow to refresh the resolved view and the findings.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace sw::installer {

struct KeySpec;

enum class Severity : std::uint8_t { warning, error };

/// Where a value or a finding comes from: a line of a file, a whole file, or a command-line option.
struct Origin {
  std::string source;  ///< the file's name, or the option ("--os-neutron-ovs-tunnel-if")
  int line = 0;        ///< 1-based line in the file; 0 for the whole file or an option
  /// "answers.txt:12", "answers.txt", "--os-neutron-ovs-tunnel-if".
  std::string where() const;
};

/// One finding about an answer file.
struct Diagnostic {
  Severity severity = Severity::error;
  Origin origin;
  std::string key;      ///< the key concerned (catalogue spelling), or empty
  std::string message;  ///< what is wrong and what is allowed; never a secret's value
  /// "answers.txt:12: message".
  std::string str() const;
};

/// One KEY=value line of the file, or one value set later (an override, a generated password).
struct AnswerEntry {
  std::string key;      ///< upper case: packstack's ConfigParser reads keys case-insensitively
  std::string written;  ///< the key as written
  std::string value;    ///< the bytes after the separator, blanks around them removed
  Origin origin;
  int line_index = -1;  ///< index into the file's lines, or -1 for an entry that was not in the file
};

/// What a current key reads as.
struct ResolvedValue {
  std::string value;
  std::string from;  ///< the key that gave the value (itself, an old name, the key it defaults
                     ///< from, CONFIG_DEFAULT_PASSWORD); empty: the catalogue's default
  Origin origin;     ///< where `from` was set
  bool is_default() const { return from.empty(); }
};

class AnswerFile {
 public:
  AnswerFile() = default;
  /// An empty file called name (the generator starts from one).
  explicit AnswerFile(std::string name) : name_(std::move(name)) {}

  const std::string& name() const { return name_; }
  const std::vector<AnswerEntry>& entries() const { return entries_; }
  /// The entry of key as written in the file (any case), or nullptr. Old names stay old here.
  const AnswerEntry* entry(std::string_view key) const;
  bool has(std::string_view key) const { return entry(key) != nullptr; }

  /// What a current key reads as (see the header comment), or nullptr for a key that is not a
  /// current catalogue key (an old name, an unknown key).
  const ResolvedValue* resolved(std::string_view key) const;
  /// resolved(key)->value, else the entry's raw value, else "".
  const std::string& value(std::string_view key) const;
  /// value(key) == "y".
  bool yes(std::string_view key) const;
  /// value(key) split at commas, blanks trimmed, empty items dropped.
  std::vector<std::string> list(std::string_view key) const;

  /// Sets key to value, replacing the value on its line or adding an entry. value must not
  /// contain a line break (apply_overrides refuses those). Call check() afterwards.
  void set(std::string_view key, std::string value, Origin origin);

  /// Resolves and validates again: resolved values and diagnostics describe the current entries.
  void check();

  /// Every finding: syntax first, then keys and values in file order, then whole-file findings.
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }
  bool has_errors() const;
  std::size_t count(Severity severity) const;
  /// The errors, one "file:line: message" per line.
  std::string error_text() const;

  /// The values of every secret key (passwords, tokens), to register with log::add_secret().
  std::vector<std::string> secrets() const;
  /// Services stackwire does not deploy that this file asks for (their keys are kept, not used).
  const std::vector<std::string>& not_deployed() const { return not_deployed_; }
  /// Password keys still reading PW_PLACEHOLDER (CONFIG_DEFAULT_PASSWORD is empty).
  std::vector<std::string> placeholder_passwords() const;

  /// The file as text: its own lines, changed values in place, added keys at the end, each
  /// after its wrapped "# usage" comment. A file without lines starts with "[general]".
  std::string render() const;

 private:
  friend AnswerFile read_answer_file(std::string_view name, std::string_view text);
  friend class AnswerChecker;

  std::string name_;
  std::vector<std::string> lines_;             // the file's lines, without line ends
  std::vector<AnswerEntry> entries_;           // in file order, then added ones
  std::map<std::string, std::size_t, std::less<>> index_;  // upper-case key → entries_ index
  std::vector<Diagnostic> syntax_;             // from reading the text; check() keeps them
  std::vector<Diagnostic> diagnostics_;        // syntax_ + what check() found
  std::map<std::string, ResolvedValue, std::less<>> resolved_;
  std::vector<std::string> not_deployed_;
  bool unreadable_ = false;                    // reading stopped early: only syntax findings
};

/// Reads an answer file from text and checks it. Never fails: every problem, down to binary
/// junk or an oversized input, is a Diagnostic in the result. name is used in "name:line:" only.
AnswerFile read_answer_file(std::string_view name, std::string_view text);

/// read_answer_file(), then an input Error carrying every error line when there is one.
/// Warnings stay in the returned file's diagnostics().
Result<AnswerFile> parse_answer_file(std::string_view name, std::string_view text);

/// Wraps text into "# " comment lines of at most width columns (packstack writes 70).
std::string wrap_comment(std::string_view text, std::size_t width = 70);

/// The usage comment text of a key: its usage, plus the allowed values for choice keys
/// ("... ['y', 'n']", as packstack writes them).
std::string usage_text(const KeySpec& key);

/// Replaces every password still reading PW_PLACEHOLDER with a fresh random_password() and
/// re-checks; returns the keys it set. Deploy calls this and writes the file back (render()), as
/// packstack does, so that a re-run reuses the same passwords.
std::vector<std::string> fill_placeholder_passwords(AnswerFile& file,
                                                    const std::function<std::string()>& random_password);

/// 16 random hex characters from getrandom(2), packstack's password shape.
std::string random_password();

}  // namespace sw::installer
