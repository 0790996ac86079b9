// libFuzzer target for the configuration parser: bytes -> config::ParseConfig. Invariants
// beyond "no crash": no exception escapes (a bad file is an error value naming the key), a
// refusal always says why, and every id of a configuration that parses is safe (util/ids.h),
// because ids become file and directory names of the built site; a channel id also holds no
// '.', since indexes/<id>.jsonl sits beside indexes/<id>/.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "config/config.h"
#include "util/ids.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  std::optional<samizdat::config::Config> cfg;
  try {
    cfg = samizdat::config::ParseConfig(text, "fuzz.toml", "/nonexistent/fuzz", &error);
  } catch (...) {
    __builtin_trap();  // input data must never raise past the parser
  }
  if (!cfg) {
    if (error.empty()) __builtin_trap();
    return 0;
  }
  for (const auto& channel : cfg->channels)
    if (!samizdat::IsSafeId(channel.id) || channel.id.find('.') != std::string::npos)
      __builtin_trap();
  for (const auto& source : cfg->sources) {
    if (!samizdat::IsSafeId(source.id)) __builtin_trap();
    for (const auto& channel : source.channels)
      if (!samizdat::IsSafeId(channel)) __builtin_trap();
  }
  return 0;
}
