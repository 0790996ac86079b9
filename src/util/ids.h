// Ids that name files and directories of the built site: article ids (pages/<channel>/<id>.md)
// and channel ids (indexes/<channel>/...), and source ids. Every id is checked or derived
// here, once, where it enters samizdat (profile, URL, configuration, store), so the site
// builder only ever joins safe components. Pure: no I/O, no globals.
//
// A safe id:
//   - is 1 to kMaxIdBytes bytes of ASCII letters, digits, '.', '_' and '-' (no non-ASCII:
//     Unicode normalisation and case folding differ between file systems, and bidi or
//     look-alike characters would let one id pose as another);
//   - starts with a letter, digit or '_' (no hidden files, no `.`/`..`, nothing a command
//     line reads as an option) and does not end with '.' (Windows drops trailing dots);
//   - is not a Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9), in any case, with
//     or without an extension ("nul.txt" is the device too).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace samizdat {

inline constexpr size_t kMaxIdBytes = 100;

// Why `id` is not safe, or "" when it is. Messages are short and name the offence.
std::string UnsafeIdReason(std::string_view id);
inline bool IsSafeId(std::string_view id) { return UnsafeIdReason(id).empty(); }

// A short stable hash of `url` (8 lowercase hex digits); `attempt` > 0 salts it, for the
// rare case where the first hash is taken too.
std::string ShortUrlHash(std::string_view url, int attempt = 0);

// The article id for `candidate` (an id_pattern capture, a URL file stem): the candidate
// itself when it is safe (and not the meaningless "index"), else "u" + 16 hex digits of a
// stable hash of `url`. Always safe.
std::string SafeArticleId(std::string_view candidate, std::string_view url);

// The id for an article whose `id` is taken by an earlier one: "<id>-<ShortUrlHash(url)>",
// the id cut short so the result stays within kMaxIdBytes. Always safe when `id` is.
std::string CollisionArticleId(std::string_view id, std::string_view url, int attempt = 0);

}  // namespace samizdat
