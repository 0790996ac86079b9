// The one conversion from an extracted, cleaned article to what the store saves, shared by
// the single-process sync and the PostgreSQL workers so both store the same fields.
#pragma once

#include <string>

#include "extract/extract.h"
#include "fetch/fetcher.h"
#include "store/article_store.h"

namespace samizdat::sync {

// What the feed or listing said about the article (its fallbacks for title and dates).
struct FeedEntryFields {
  std::string title;
  std::string published;  // RFC 3339 or ""
  std::string updated;
};

// The article's ids, dates and content as the store takes them; the caller adds the
// memberships and the raw page.
store::ArticleInput ArticleInputFrom(const std::string& canonical_url, const FeedEntryFields& entry,
                                     const extract::Article& a, const fetch::Response& resp);

}  // namespace samizdat::sync
