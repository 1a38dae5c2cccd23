// libFuzzer target for the parsers that see untrusted input before any check:
// query strings, URL decoding, cookies, JSON bodies and the strict field reader.
//   cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++ -DTUOKE_FUZZ=ON && \
//   cmake --build build-fuzz --target request_fuzz && build-fuzz/request_fuzz fuzz/corpus/request
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json_util.h"
#include "core/time.h"
#include "http/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  tuoke::http::ParseQuery(input);
  tuoke::http::UrlDecode(input, true);
  tuoke::http::Request request;
  request.headers.emplace_back("cookie", std::string(input));
  request.Cookie("tuoke_session");
  tuoke::ParseInstant(input);
  tuoke::ParseDate(input);
  tuoke::IsCleanText(input);
  try {
    tuoke::JsonReader reader(tuoke::ParseJsonObject(input));
    reader.String("name", 1, 64);
    reader.Id("unitId");
    reader.Int("expiresInDays", 1, 365);
    reader.StringList("roles", 7, {"rep", "admin"});
    reader.DateString("hiredOn");
    reader.Bool("active");
    reader.Finish();
  } catch (const tuoke::Error&) {
    // Rejections are the expected outcome for most inputs.
  }
  return 0;
}
