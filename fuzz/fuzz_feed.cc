// libFuzzer target for the feed stage: every format detector and parser, and listings.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "feed/feed.h"
#include "feed/feed_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  samizdat::feed::ParseOptions o;
  o.url = "https://example.org/feed.xml";
  o.max_decompressed_bytes = 1 << 20;
  if (size > 0 && (data[0] & 1)) o.http_charset = "gbk";
  auto feed = samizdat::feed::ParseFeed(bytes, o);
  samizdat::feed::FeedToJson(feed).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (size > 0 && (data[0] & 2)) samizdat::feed::ParseListing(bytes, "div.title a, li > a", o);
  return 0;
}
