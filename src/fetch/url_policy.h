// What the fetcher may reach: which IP addresses it connects to and which local files it
// reads. Both decisions are made here, in one place, so every caller (sync, build's image
// re-hosting, `samizdat feed`) gets the same rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

struct sockaddr;

namespace samizdat {
class Env;
}

namespace samizdat::fetch {

// The class of an IP address, after the IANA IPv4 and IPv6 special-purpose address
// registries. Addresses that embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64,
// 6to4) take the class of the embedded address.
enum class AddressClass {
  kPublic,     // globally reachable unicast
  kLoopback,   // 127/8, ::1: allowed by [fetch] allow_loopback
  kPrivate,    // 10/8, 172.16/12, 192.168/16, 100.64/10, 198.18/15, fc00::/7, fec0::/10,
               // 64:ff9b:1::/48: allowed by [fetch] allow_private
  kLinkLocal,  // 169.254/16, fe80::/10 (cloud metadata lives here): never
  kMulticast,  // 224/4, ff00::/8: never
  kReserved,   // "this network", broadcast, documentation, future use, protocol
               // assignments, Teredo, discard, unallocated IPv6: never
};

// The class of a textual address ("10.0.0.1", "::ffff:10.0.0.1"); kReserved when the text
// is no address at all.
AddressClass ClassifyAddress(std::string_view ip);
AddressClass ClassifyIpv4(uint32_t host_order);
AddressClass ClassifyIpv6(const uint8_t bytes[16]);

// A short name for messages: "loopback", "private", ...
std::string_view AddressClassName(AddressClass c);

// Whether the options let the fetcher connect to an address of class `c`.
bool AddressAllowed(AddressClass c, bool allow_loopback, bool allow_private);

// Why a connection to `ip` is refused, naming the config key that allows it, or saying
// that no key does.
std::string AddressRefusal(const std::string& ip, AddressClass c);

// Formats a socket address as text (empty for families other than IPv4/IPv6) and
// classifies it.
std::string SockaddrText(const sockaddr* addr, AddressClass* c);

// The local path a file:// URL names, percent-decoded ("file:///a%20b" is "/a b").
std::string FileUrlPath(const std::string& url);

// The local path a file:// URL names, when it may be read: the request is one the
// operator configured (`may_read_file`), `file_root` is set, and the file's real path
// (symlinks and ".." resolved) lies under the real path of `file_root`. Returns the
// resolved path; otherwise "" and *why says why (naming the URL). Both real paths are
// resolved through `env`.
std::string LocalFilePath(Env& env, const std::string& url, bool may_read_file,
                          const std::string& file_root, std::string* why);

}  // namespace samizdat::fetch
