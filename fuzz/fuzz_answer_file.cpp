// The answer-file reader on any bytes: reading, checking, rendering and reading the rendering back.
// read_answer_file() promises never to fail, so the only acceptable outcome is a value.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "installer/answer_file.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sw::installer::AnswerFile f = sw::installer::read_answer_file("fuzz.txt", text);
  (void)f.error_text();
  (void)f.secrets();
  (void)f.placeholder_passwords();
  for (const auto& d : f.diagnostics()) (void)d.str();
  (void)f.list("CONFIG_COMPUTE_HOSTS");
  // A file that read must render to text that reads again.
  const std::string rendered = f.render();
  (void)sw::installer::read_answer_file("rendered.txt", rendered);
  (void)sw::installer::parse_answer_file("fuzz.txt", text);
  return 0;
}
