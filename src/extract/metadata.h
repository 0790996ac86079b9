// Article metadata from the whole page: JSON-LD, OpenGraph, <meta> tags, <time>, <h1>,
// <title>. Pure: reads the document, changes nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "html/dom.h"

namespace samizdat::extract {

struct Metadata {
  std::optional<std::string> title;
  std::optional<std::string> byline;
  std::optional<std::string> site_name;
  std::optional<std::string> lang;
  std::optional<std::string> published;  // RFC 3339
  std::optional<std::string> modified;   // RFC 3339
  std::optional<std::string> canonical_url;
  std::optional<std::string> image_url;  // og:image or JSON-LD image, absolute
  std::optional<std::string> description;
};

// `page_url` resolves relative URLs; `default_offset_minutes` is the zone for dates
// written without one (see util/dates.h).
Metadata ExtractMetadata(const html::Document& doc, std::string_view page_url,
                         int default_offset_minutes = 0);

// Strips a site-name suffix or prefix from a <title> ("Story | Site" -> "Story").
std::string CleanDocumentTitle(std::string_view title, std::string_view site_name);

}  // namespace samizdat::extract
