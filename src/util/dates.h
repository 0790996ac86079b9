// Date parsing for the forms news pages and feeds use, normalised to RFC 3339.
//
// Policy: a date with a zone (Z, +08:00, +0800, GMT, UTC, CST = China Standard Time, +08:00)
// keeps it; a date without a zone is taken in `default_offset_minutes` (UTC unless a profile
// or source says otherwise, e.g. +480 for Beijing). A date alone gets 00:00:00.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace samizdat {

struct DateTime {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  int offset_minutes = 0;
  bool has_zone = false;
};

// Parses ISO 8601 / RFC 3339, RFC 822/1123 ("Tue, 31 Aug 2021 10:00:00 +0000"),
// "2021/08/31 10:00[:00]", "2021-08-31 10:00", "2021年08月31日 10:00", "2021.08.31",
// "August 31, 2021", "31 Aug 2021". Returns nullopt for anything else or invalid fields.
std::optional<DateTime> ParseDate(std::string_view text);

// A configured zone: "+08:00", "-05:00", "Z", "UTC" -> minutes east of UTC; nullopt otherwise.
std::optional<int> ParseUtcOffset(std::string_view text);

// "unix seconds" formatted in UTC with strftime's `format` ("%m%d%H%M", ...).
std::string FormatUnixUtc(int64_t unix_seconds, const char* format);

// RFC 3339 text: "2021-08-31T10:00:00+08:00" (or "Z" for offset 0).
std::string FormatRfc3339(const DateTime& dt);

// Finds the first date written inside running text ("来源：X 2026年09月01日 08:30 作者")
// and normalises it like NormalizeDate. Only numeric Y-M-D forms are searched.
std::optional<std::string> FindDateInText(std::string_view text, int default_offset_minutes = 0);

// The same instant in UTC ("2026-09-20T10:00:00+08:00" -> "2026-09-20T02:00:00Z").
std::optional<std::string> ToUtc(std::string_view rfc3339);

// ParseDate + FormatRfc3339 with the zone policy above.
std::optional<std::string> NormalizeDate(std::string_view text, int default_offset_minutes = 0);

}  // namespace samizdat
