// Extraction: saved page bytes in, an Article out. Pure: no I/O, no globals beyond the
// read-only built-in profiles.
//
// Charset decision, HTML5 parsing, metadata (JSON-LD, OpenGraph, meta, <time>, <h1>),
// then the body: by the matching site profile's selectors when one matches (removals
// applied one by one, so a missing element never skips the rest), else by the generic
// extractor. The body is returned as a DOM subtree for the clean stage.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "extract/profile.h"
#include "html/charset.h"
#include "html/dom.h"

namespace samizdat::extract {

struct LeadImage {
  std::string src;  // absolute URL
  std::string alt;
  std::string caption;
};

struct Article {
  std::optional<std::string> url;  // the given URL, else the canonical one
  std::optional<std::string> title;
  std::optional<std::string> byline;
  std::optional<std::string> site_name;
  std::optional<std::string> lang;
  std::optional<std::string> published;  // RFC 3339
  std::optional<std::string> modified;   // RFC 3339
  std::optional<LeadImage> lead_image;
  std::string id;        // article id (profile rule, else the URL's file stem)
  std::string profile;   // profile used, or "generic"
  std::string base_url;  // for resolving relative URLs in the body (honours <base>)
  html::CharsetDecision charset;
  std::vector<std::string> warnings;

  std::unique_ptr<html::Document> doc;
  html::Node* body = nullptr;  // a <div> in doc holding the article body; nullptr if none
};

struct ExtractOptions {
  std::string url;                       // the page's URL, if known
  std::string http_charset;              // Content-Type charset from HTTP, if known
  const ProfileSet* profiles = nullptr;  // nullptr: the built-in profiles
  std::string profile_name;  // force this profile ("generic" forces the generic extractor)
  // Larger inputs are cut here (with a warning) so memory stays bounded.
  size_t max_input_bytes = 16u << 20;
};

// Never fails: problems are reported in Article::warnings. A page with no article gives
// body == nullptr and the warning "no article found".
Article Extract(std::string_view bytes, const ExtractOptions& options);

// Same, for text that is already UTF-8 (skips the charset stage).
Article ExtractUtf8(std::string utf8, const ExtractOptions& options);

}  // namespace samizdat::extract
