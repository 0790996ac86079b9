// Small string helpers shared by the stages. All functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat {

// ASCII-only case folding; HTML names and charset labels are ASCII.
char AsciiLower(char c);
std::string AsciiLowerCopy(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix);
bool ContainsIgnoreCase(std::string_view haystack, std::string_view needle);

bool IsAsciiSpace(char c);
std::string_view TrimAscii(std::string_view s);

// Trims ASCII and Unicode whitespace (U+00A0, U+3000, U+2000..U+200B) from both ends.
std::string_view TrimUnicode(std::string_view s);

// Collapses every run of whitespace (ASCII, NBSP, ideographic space) to one ASCII space
// and trims the ends. Used for titles, bylines and inline text.
std::string CollapseWhitespace(std::string_view s);

// Collapses every run of ASCII whitespace to one space, keeping a run at either end as one
// space (so text nodes still join with their neighbours). Non-ASCII spaces are kept.
std::string CollapseAsciiWhitespace(std::string_view s);

std::vector<std::string_view> SplitAsciiSpace(std::string_view s);

// Decodes one UTF-8 code point at s[i]; advances i. Invalid bytes yield U+FFFD and advance by one.
char32_t DecodeUtf8(std::string_view s, size_t& i);
void AppendUtf8(std::string& out, char32_t cp);
bool IsValidUtf8(std::string_view s);
// The length of the run of ASCII bytes `s` starts with (read 8 bytes at a time).
size_t AsciiPrefixLength(std::string_view s);

// Number of code points (not bytes): Chinese text is scored by characters.
size_t Utf8Length(std::string_view s);

// True for CJK ideographs, kana and hangul: scripts written without spaces between words.
bool IsCjk(char32_t cp);

// Counts commas of any script (",", "，", "、", "；") — readability's measure of prose.
int CountCommas(std::string_view s);

// `s` made safe to print on a terminal: C0 controls other than \n and \t (ESC, CR, BEL, …),
// DEL and the C1 controls U+0080..U+009F are dropped, and invalid UTF-8 becomes U+FFFD. Text
// taken from fetched data then cannot move the cursor, rewrite the line, retitle the window
// or send commands to the terminal.
std::string TerminalSafe(std::string_view s);

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to);

}  // namespace samizdat
