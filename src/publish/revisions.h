// What the built site shows of revisions and near-duplicates: the site-wide "recently
// changed" page and its Atom feed, and the folding of near-duplicate entries in a channel
// index into their first copy's entry ("also at …"). Pure: the builder reads the store and
// writes the files.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "render/page_options.h"
#include "store/article_store.h"

namespace samizdat::publish {

// Where an article's history page lives beside its page: pages/<channel>/<id>.history<ext>.
std::string HistoryPagePath(const std::string& home_channel, const std::string& article_id,
                            const std::string& ext);

// One "also at" link of an index entry: the copy's host and the link to its mirror page.
struct AlsoAt {
  std::string host;
  std::string target;
};
using AlsoAtMap = std::map<int64_t, std::vector<AlsoAt>>;  // by the first copy's article

// "也见于" before the "also at" links of an entry whose title is in CJK script, else "also at".
std::string AlsoAtLabel(const std::string& title);

// Removes from `entries` every article stored as a near-duplicate of another article listed
// in the same entries, and returns, for each first copy, links to the copies removed.
// A copy whose first copy is not in this list stays, as its own entry.
AlsoAtMap FoldNearDuplicates(std::vector<store::IndexEntry>* entries,
                             const std::unordered_map<int64_t, store::DuplicateLink>& duplicates,
                             const std::function<std::string(const store::IndexEntry&)>& target);

// The site-wide page of recently changed articles (newest change first), linking each to its
// history page; `ext` is ".html" (a standalone page with `head`) or ".md".
std::string ChangesPage(const std::string& site_title,
                        const std::vector<store::ChangedArticle>& changed, const std::string& ext,
                        const render::PageOptions& head);

// An Atom feed (RFC 4287) of the same changes, newest first. `base_url` makes ids and links
// absolute when set ("" keeps them relative to the site root).
std::string ChangesAtom(const std::string& site_title, const std::string& base_url,
                        const std::vector<store::ChangedArticle>& changed, const std::string& ext);

}  // namespace samizdat::publish
