#include "util/dates.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <regex>
#include <vector>

#include "util/strings.h"

namespace samizdat {
namespace {

constexpr std::string_view kMonths[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                        "jul", "aug", "sep", "oct", "nov", "dec"};

int MonthFromName(std::string_view word) {
  if (word.size() < 3) return 0;
  std::string w = AsciiLowerCopy(word.substr(0, 3));
  for (int i = 0; i < 12; ++i)
    if (kMonths[i] == w) return i + 1;
  return 0;
}

bool DaysValid(const DateTime& d) {
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.year < 1000 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  if (d.day > kDays[d.month - 1]) return false;
  if (d.month == 2 && d.day == 29) {
    bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
    if (!leap) return false;
  }
  return d.hour >= 0 && d.hour < 24 && d.minute >= 0 && d.minute < 60 && d.second >= 0 &&
         d.second <= 60 && d.offset_minutes > -24 * 60 && d.offset_minutes < 24 * 60;
}

// Tokens: numbers, words (ASCII letters), and the separators that matter.
struct Token {
  enum Kind { kNumber, kWord, kSign, kOther } kind;
  std::string text;
  int value = 0;
};

std::vector<Token> Tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (isdigit(c)) {
      size_t start = i;
      while (i < s.size() && isdigit(static_cast<unsigned char>(s[i]))) ++i;
      Token t{Token::kNumber, std::string(s.substr(start, i - start))};
      t.value = t.text.size() <= 9 ? std::stoi(t.text) : -1;
      out.push_back(std::move(t));
    } else if (isalpha(c)) {
      size_t start = i;
      while (i < s.size() && isalpha(static_cast<unsigned char>(s[i]))) ++i;
      out.push_back({Token::kWord, std::string(s.substr(start, i - start))});
    } else if (c == '+' || c == '-') {
      out.push_back({Token::kSign, std::string(1, static_cast<char>(c))});
      ++i;
    } else {
      size_t before = i;
      char32_t cp = DecodeUtf8(s, i);
      std::string text(s.substr(before, i - before));
      (void)cp;
      out.push_back({Token::kOther, text});
    }
  }
  return out;
}

bool ParseZoneWord(std::string_view w, DateTime& d) {
  std::string u = AsciiLowerCopy(w);
  if (u == "z" || u == "utc" || u == "gmt" || u == "ut") {
    d.offset_minutes = 0;
  } else if (u == "cst") {
    d.offset_minutes = 8 * 60;  // China Standard Time: the sources this tool mirrors
  } else if (u == "hkt" || u == "awst" || u == "sgt") {
    d.offset_minutes = 8 * 60;
  } else if (u == "jst" || u == "kst") {
    d.offset_minutes = 9 * 60;
  } else if (u == "est") {
    d.offset_minutes = -5 * 60;
  } else if (u == "edt") {
    d.offset_minutes = -4 * 60;
  } else if (u == "pst") {
    d.offset_minutes = -8 * 60;
  } else if (u == "pdt") {
    d.offset_minutes = -7 * 60;
  } else {
    return false;
  }
  d.has_zone = true;
  return true;
}

// Spaces, commas, dots and tabs between the parts of a written-out date.
void SkipFiller(const std::vector<Token>& toks, size_t& i) {
  while (
      i < toks.size() && toks[i].kind == Token::kOther &&
      (toks[i].text == " " || toks[i].text == "," || toks[i].text == "." || toks[i].text == "\t"))
    ++i;
}

// A separator inside a numeric date: "-", "/", "." or 年/月.
bool IsDateSep(const std::vector<Token>& toks, size_t k) {
  return k < toks.size() && (toks[k].text == "-" || toks[k].text == "/" || toks[k].text == "." ||
                             toks[k].text == "年" || toks[k].text == "月");
}

// Y-M-D (ISO, slashes, dots, or 年月日), at a 4-digit year followed by a separator and a
// number.
bool IsYearFirst(const std::vector<Token>& toks, size_t i) {
  return i < toks.size() && toks[i].kind == Token::kNumber && toks[i].text.size() == 4 &&
         IsDateSep(toks, i + 1) && i + 2 < toks.size() && toks[i + 2].kind == Token::kNumber;
}

bool ReadYearFirst(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  d.year = toks[i].value;
  d.month = toks[i + 2].value;
  i += 3;
  if (!IsDateSep(toks, i) || i + 1 >= toks.size() || toks[i + 1].kind != Token::kNumber)
    return false;
  d.day = toks[i + 1].value;
  i += 2;
  if (i < toks.size() && toks[i].text == "日") ++i;
  return true;
}

// Compact ISO: 20210831, alone or followed by "T" or a word.
bool IsCompactIso(const std::vector<Token>& toks, size_t i) {
  return i < toks.size() && toks[i].kind == Token::kNumber && toks[i].text.size() == 8 &&
         (i + 1 >= toks.size() || toks[i + 1].text == "T" || toks[i + 1].kind == Token::kWord);
}

void ReadCompactIso(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  d.year = toks[i].value / 10000;
  d.month = toks[i].value / 100 % 100;
  d.day = toks[i].value % 100;
  ++i;
}

// "31 Aug 2021" or "31-Aug-2021"; a two-digit year is 1970-2069.
bool ReadDayMonthYear(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  size_t k = i + 1;
  if (toks[k].text == " " || toks[k].text == "-") ++k;
  if (k >= toks.size() || toks[k].kind != Token::kWord || !MonthFromName(toks[k].text))
    return false;
  d.day = toks[i].value;
  d.month = MonthFromName(toks[k].text);
  i = k + 1;
  if (i < toks.size() && (toks[i].text == " " || toks[i].text == "-")) ++i;
  SkipFiller(toks, i);
  if (i >= toks.size() || toks[i].kind != Token::kNumber) return false;
  d.year = toks[i].value;
  if (d.year < 100) d.year += d.year < 70 ? 2000 : 1900;
  ++i;
  return true;
}

// "August 31, 2021" (also "August 31st, 2021").
bool ReadMonthDayYear(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  d.month = MonthFromName(toks[i].text);
  ++i;
  SkipFiller(toks, i);
  if (i >= toks.size() || toks[i].kind != Token::kNumber) return false;
  d.day = toks[i].value;
  ++i;
  if (i < toks.size() && toks[i].kind == Token::kWord) ++i;  // "31st"
  SkipFiller(toks, i);
  if (i >= toks.size() || toks[i].kind != Token::kNumber) return false;
  d.year = toks[i].value;
  ++i;
  return true;
}

// The date part, in one of the forms above. False when there is none.
bool ReadDate(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  if (IsYearFirst(toks, i)) return ReadYearFirst(toks, i, d);
  if (IsCompactIso(toks, i)) {
    ReadCompactIso(toks, i, d);
    return true;
  }
  if (i < toks.size() && toks[i].kind == Token::kNumber && i + 2 < toks.size())
    return ReadDayMonthYear(toks, i, d);
  if (i < toks.size() && toks[i].kind == Token::kWord && MonthFromName(toks[i].text))
    return ReadMonthDayYear(toks, i, d);
  return false;
}

// "pm" adds 12 hours (to 1-11), "am" makes 12 into 0.
void ReadMeridiem(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  if (i >= toks.size() || toks[i].kind != Token::kWord) return;
  std::string w = AsciiLowerCopy(toks[i].text);
  if (w == "pm" && d.hour < 12) {
    d.hour += 12;
    ++i;
  } else if (w == "am") {
    if (d.hour == 12) d.hour = 0;
    ++i;
  }
}

// Zone: Z, +08:00, +0800, GMT+8, named zones. False on an offset of 3 or more than 4
// digits.
bool ReadZone(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  if (i < toks.size() && toks[i].kind == Token::kWord && ParseZoneWord(toks[i].text, d)) ++i;
  if (i + 1 >= toks.size() || toks[i].kind != Token::kSign || toks[i + 1].kind != Token::kNumber)
    return true;
  int sign = toks[i].text == "-" ? -1 : 1;
  const std::string& n = toks[i + 1].text;
  int hours = 0, minutes = 0;
  if (n.size() == 4) {
    hours = toks[i + 1].value / 100;
    minutes = toks[i + 1].value % 100;
  } else if (n.size() <= 2) {
    hours = toks[i + 1].value;
    if (i + 3 < toks.size() && toks[i + 2].text == ":" && toks[i + 3].kind == Token::kNumber)
      minutes = toks[i + 3].value;
  } else {
    return false;
  }
  d.offset_minutes = sign * (hours * 60 + minutes);
  d.has_zone = true;
  return true;
}

// Optional time after the date: [T or space] HH:MM[:SS[.frac]] [am|pm] [zone]. 时/點/点
// may stand for ':' and 分 may follow the minutes. False only on a malformed zone offset.
bool ReadTime(const std::vector<Token>& toks, size_t& i, DateTime& d) {
  while (i < toks.size() && (toks[i].text == " " || toks[i].text == "T" || toks[i].text == "t" ||
                             toks[i].text == "," || toks[i].text == "\u3000"))
    ++i;
  if (!(i + 2 < toks.size() && toks[i].kind == Token::kNumber &&
        (toks[i + 1].text == ":" || toks[i + 1].text == "时" || toks[i + 1].text == "點" ||
         toks[i + 1].text == "点") &&
        toks[i + 2].kind == Token::kNumber))
    return true;
  d.hour = toks[i].value;
  d.minute = toks[i + 2].value;
  i += 3;
  if (i < toks.size() && toks[i].text == "分") ++i;
  if (i + 1 < toks.size() && toks[i].text == ":" && toks[i + 1].kind == Token::kNumber) {
    d.second = toks[i + 1].value;
    i += 2;
    if (i + 1 < toks.size() && (toks[i].text == "." || toks[i].text == ",") &&
        toks[i + 1].kind == Token::kNumber)
      i += 2;  // fractional seconds are dropped
  }
  while (i < toks.size() && toks[i].text == " ") ++i;
  ReadMeridiem(toks, i, d);
  while (i < toks.size() && toks[i].text == " ") ++i;
  return ReadZone(toks, i, d);
}

}  // namespace

std::optional<DateTime> ParseDate(std::string_view text) {
  std::string_view s = TrimUnicode(text);
  if (s.empty() || s.size() > 200) return std::nullopt;
  std::vector<Token> toks = Tokenize(s);
  DateTime d;
  size_t i = 0;
  // Leading weekday name ("Tue,").
  if (!toks.empty() && toks[0].kind == Token::kWord && MonthFromName(toks[0].text) == 0) {
    i = 1;
    SkipFiller(toks, i);
  }
  if (!ReadDate(toks, i, d)) return std::nullopt;
  if (!ReadTime(toks, i, d)) return std::nullopt;
  if (!DaysValid(d)) return std::nullopt;
  return d;
}

std::string FormatRfc3339(const DateTime& dt) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", dt.year, dt.month, dt.day,
                dt.hour, dt.minute, dt.second);
  std::string out(buf);
  if (dt.offset_minutes == 0) {
    out += "Z";
  } else {
    int off = dt.offset_minutes < 0 ? -dt.offset_minutes : dt.offset_minutes;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", dt.offset_minutes < 0 ? '-' : '+', off / 60,
                  off % 60);
    out += buf;
  }
  return out;
}

std::optional<std::string> NormalizeDate(std::string_view text, int default_offset_minutes) {
  auto d = ParseDate(text);
  if (!d) return std::nullopt;
  if (!d->has_zone) d->offset_minutes = default_offset_minutes;
  return FormatRfc3339(*d);
}

}  // namespace samizdat

namespace samizdat {

std::optional<std::string> FindDateInText(std::string_view text, int default_offset_minutes) {
  static const std::regex kDate(
      "(19|20)[0-9]{2}(-|/|\\.|年)[0-9]{1,2}(-|/|\\.|月)[0-9]{1,2}(?:日)?"
      "([ T\xE3\x80\x80]*[0-9]{1,2}:[0-9]{2}(:[0-9]{2})?)?");
  if (text.size() > 400) text = text.substr(0, 400);
  std::string s(text);
  std::smatch m;
  if (!std::regex_search(s, m, kDate)) return std::nullopt;
  return NormalizeDate(m.str(), default_offset_minutes);
}

}  // namespace samizdat

namespace samizdat {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = static_cast<int>(yoe + era * 400 + (*m <= 2));
}

}  // namespace

std::optional<std::string> ToUtc(std::string_view rfc3339) {
  auto d = ParseDate(rfc3339);
  if (!d) return std::nullopt;
  int64_t secs = DaysFromCivil(d->year, d->month, d->day) * 86400 + d->hour * 3600 +
                 d->minute * 60 + d->second - int64_t{d->offset_minutes} * 60;
  int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
  int64_t rem = secs - days * 86400;
  DateTime u;
  CivilFromDays(days, &u.year, &u.month, &u.day);
  u.hour = static_cast<int>(rem / 3600);
  u.minute = static_cast<int>(rem % 3600 / 60);
  u.second = static_cast<int>(rem % 60);
  u.offset_minutes = 0;
  return FormatRfc3339(u);
}

}  // namespace samizdat

namespace samizdat {

std::optional<int> ParseUtcOffset(std::string_view s) {
  if (s == "Z" || s == "UTC" || s == "utc") return 0;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (s.size() != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':' || !digit(s[1]) ||
      !digit(s[2]) || !digit(s[4]) || !digit(s[5]))
    return std::nullopt;
  int h = (s[1] - '0') * 10 + (s[2] - '0'), m = (s[4] - '0') * 10 + (s[5] - '0');
  if (h > 14 || m > 59) return std::nullopt;
  return (s[0] == '-' ? -1 : 1) * (h * 60 + m);
}

std::string FormatUnixUtc(int64_t unix_seconds, const char* format) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

}  // namespace samizdat
