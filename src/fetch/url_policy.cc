#include "fetch/url_policy.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>

#include <algorithm>
#include <array>

#include "util/env.h"
#include "util/url.h"

namespace samizdat::fetch {
namespace {

// How a registry entry decides an address's class.
enum class Rule {
  kIs,                   // the entry's class
  kEmbeddedLast32,       // the class of the IPv4 address in the last 32 bits
  kEmbeddedLast32Local,  // ... but at least kPrivate (a network-local translator)
  kEmbedded6to4,         // the class of the IPv4 address in bits 16..47
};

struct Range {
  std::array<uint8_t, 16> prefix;
  int bits;
  Rule rule;
  AddressClass cls;
};

// The IANA IPv4 special-purpose registry (plus multicast and the future-use block), most
// specific first. 198.18/15 (benchmarking) and 100.64/10 (carrier-grade NAT) reach
// networks inside an operator's reach, so they count as private.
constexpr Range kIpv4Ranges[] = {
    {{0}, 8, Rule::kIs, AddressClass::kReserved},  // "this network"; 0.0.0.0 is this host
    {{10}, 8, Rule::kIs, AddressClass::kPrivate},
    {{100, 64}, 10, Rule::kIs, AddressClass::kPrivate},
    {{127}, 8, Rule::kIs, AddressClass::kLoopback},
    {{169, 254}, 16, Rule::kIs, AddressClass::kLinkLocal},
    {{172, 16}, 12, Rule::kIs, AddressClass::kPrivate},
    {{192, 0, 0}, 24, Rule::kIs, AddressClass::kReserved},    // IETF protocol assignments
    {{192, 0, 2}, 24, Rule::kIs, AddressClass::kReserved},    // TEST-NET-1
    {{192, 88, 99}, 24, Rule::kIs, AddressClass::kReserved},  // 6to4 relay anycast (retired)
    {{192, 168}, 16, Rule::kIs, AddressClass::kPrivate},
    {{198, 18}, 15, Rule::kIs, AddressClass::kPrivate},        // benchmarking
    {{198, 51, 100}, 24, Rule::kIs, AddressClass::kReserved},  // TEST-NET-2
    {{203, 0, 113}, 24, Rule::kIs, AddressClass::kReserved},   // TEST-NET-3
    {{224}, 4, Rule::kIs, AddressClass::kMulticast},
    {{240}, 4, Rule::kIs, AddressClass::kReserved},  // future use, and 255.255.255.255
};

// The IANA IPv6 special-purpose registry, most specific first. Addresses outside
// 2000::/3 that no entry names are unallocated (kReserved).
constexpr Range kIpv6Ranges[] = {
    {{}, 128, Rule::kIs, AddressClass::kReserved},  // ::
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, Rule::kIs, AddressClass::kLoopback},
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, Rule::kEmbeddedLast32, {}},  // mapped
    {{0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96, Rule::kEmbeddedLast32, {}},        // translated
    {{}, 96, Rule::kEmbeddedLast32, {}},                     // IPv4-compatible (deprecated)
    {{0, 0x64, 0xff, 0x9b}, 96, Rule::kEmbeddedLast32, {}},  // NAT64
    {{0, 0x64, 0xff, 0x9b, 0, 1}, 48, Rule::kEmbeddedLast32Local, {}},   // local-use NAT64
    {{1}, 64, Rule::kIs, AddressClass::kReserved},                       // discard-only
    {{0x20, 0x01, 0x0d, 0xb8}, 32, Rule::kIs, AddressClass::kReserved},  // documentation
    {{0x20, 0x01}, 23, Rule::kIs, AddressClass::kReserved},  // protocol assignments, Teredo
    {{0x20, 0x02}, 16, Rule::kEmbedded6to4, {}},
    {{0x3f, 0xff}, 20, Rule::kIs, AddressClass::kReserved},  // documentation
    {{0xfc}, 7, Rule::kIs, AddressClass::kPrivate},          // unique local
    {{0xfe, 0x80}, 10, Rule::kIs, AddressClass::kLinkLocal},
    {{0xfe, 0xc0}, 10, Rule::kIs, AddressClass::kPrivate},  // site-local (deprecated)
    {{0xff}, 8, Rule::kIs, AddressClass::kMulticast},
    {{0x20}, 3, Rule::kIs, AddressClass::kPublic},  // global unicast
};

bool InPrefix(const uint8_t* addr, const std::array<uint8_t, 16>& prefix, int bits) {
  for (int i = 0; i < bits / 8; ++i)
    if (addr[i] != prefix[static_cast<size_t>(i)]) return false;
  int rest = bits % 8;
  if (rest == 0) return true;
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (addr[bits / 8] & mask) == (prefix[static_cast<size_t>(bits / 8)] & mask);
}

uint32_t Ipv4At(const uint8_t* p) {
  return uint32_t{p[0]} << 24 | uint32_t{p[1]} << 16 | uint32_t{p[2]} << 8 | p[3];
}

}  // namespace

AddressClass ClassifyIpv4(uint32_t a) {
  const uint8_t bytes[4] = {static_cast<uint8_t>(a >> 24), static_cast<uint8_t>(a >> 16),
                            static_cast<uint8_t>(a >> 8), static_cast<uint8_t>(a)};
  for (const Range& r : kIpv4Ranges)
    if (InPrefix(bytes, r.prefix, r.bits)) return r.cls;
  return AddressClass::kPublic;
}

AddressClass ClassifyIpv6(const uint8_t b[16]) {
  for (const Range& r : kIpv6Ranges) {
    if (!InPrefix(b, r.prefix, r.bits)) continue;
    switch (r.rule) {
      case Rule::kIs:
        return r.cls;
      case Rule::kEmbeddedLast32:
        return ClassifyIpv4(Ipv4At(b + 12));
      case Rule::kEmbeddedLast32Local: {
        AddressClass c = ClassifyIpv4(Ipv4At(b + 12));
        return c == AddressClass::kPublic ? AddressClass::kPrivate : c;
      }
      case Rule::kEmbedded6to4:
        return ClassifyIpv4(Ipv4At(b + 2));
    }
  }
  return AddressClass::kReserved;  // outside 2000::/3 and every named block: unallocated
}

AddressClass ClassifyAddress(std::string_view ip) {
  std::string text(ip);
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) return ClassifyIpv4(ntohl(v4.s_addr));
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) return ClassifyIpv6(v6.s6_addr);
  return AddressClass::kReserved;
}

std::string_view AddressClassName(AddressClass c) {
  switch (c) {
    case AddressClass::kPublic:
      return "public";
    case AddressClass::kLoopback:
      return "loopback";
    case AddressClass::kPrivate:
      return "private";
    case AddressClass::kLinkLocal:
      return "link-local";
    case AddressClass::kMulticast:
      return "multicast";
    case AddressClass::kReserved:
      break;
  }
  return "reserved";
}

bool AddressAllowed(AddressClass c, bool allow_loopback, bool allow_private) {
  switch (c) {
    case AddressClass::kPublic:
      return true;
    case AddressClass::kLoopback:
      return allow_loopback;
    case AddressClass::kPrivate:
      return allow_private;
    default:
      return false;
  }
}

std::string AddressRefusal(const std::string& ip, AddressClass c) {
  std::string why = "refused to connect to non-public address " + ip + " (" +
                    std::string(AddressClassName(c)) + "; ";
  if (c == AddressClass::kLoopback) return why + "allowed by [fetch] allow_loopback = true)";
  if (c == AddressClass::kPrivate) return why + "allowed by [fetch] allow_private = true)";
  return why + "never fetched)";
}

std::string SockaddrText(const sockaddr* addr, AddressClass* c) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof buf);
    *c = ClassifyIpv4(ntohl(in->sin_addr.s_addr));
  } else if (addr->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    *c = ClassifyIpv6(in6->sin6_addr.s6_addr);
  } else {
    *c = AddressClass::kReserved;
  }
  return buf;
}

std::string FileUrlPath(const std::string& url) {
  std::string path = UrlPath(url);
  // File paths may hold spaces or non-ASCII characters.
  if (char* decoded =
          curl_easy_unescape(nullptr, path.c_str(), static_cast<int>(path.size()), nullptr)) {
    path = decoded;
    curl_free(decoded);
  }
  return path;
}

std::string LocalFilePath(Env& env, const std::string& url, bool may_read_file,
                          const std::string& file_root, std::string* why) {
  if (!may_read_file) {
    *why = url +
           ": refused: file:// URLs are read only for configured sources, not for links "
           "found in fetched content";
    return {};
  }
  if (file_root.empty()) {
    *why = url + ": refused: local files are not allowed ([fetch] file_root is unset)";
    return {};
  }
  std::string real;
  if (Status s = env.RealPath(FileUrlPath(url), &real); !s.ok()) {
    *why = url + ": " + s.message();
    return {};
  }
  std::string root;
  if (Status s = env.RealPath(file_root, &root); !s.ok()) {
    *why = url + ": refused: [fetch] file_root: " + s.message();
    return {};
  }
  if (!IsPathWithin(real, root)) {
    *why = url + ": refused: " + real + " is outside [fetch] file_root " + root;
    return {};
  }
  return real;
}

}  // namespace samizdat::fetch
