// Script variants of the site: a Simplified Chinese mirror also published in Traditional
// Chinese (OpenCC's standard configurations), each variant a parallel tree inside the
// output directory ("zh-Hant/pages/...", "zh-Hant/indexes/...", its own feeds), with the
// same ids and file names, every page linking to its counterparts (doc/site.md).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "extract/extract.h"
#include "render/page_options.h"
#include "store/store.h"
#include "util/env.h"
#include "util/status.h"

namespace samizdat::publish {

struct Variant {
  std::string_view tag;            // BCP 47: <html lang>, the tree's directory
  std::string_view opencc_config;  // a file of OpenCC's data directory
  std::string_view label;          // the link text readers see, in the variant's own script
};

// Every variant samizdat knows.
std::vector<const Variant*> AllVariants();

// The variant `tag` names ("zh-Hant": s2t.json, "zh-TW": s2twp.json with Taiwan's phrases,
// "zh-HK": s2hk.json), or nullptr.
const Variant* FindVariant(std::string_view tag);

// One OpenCC converter. Convert is safe to call from several threads at once (OpenCC's
// converters are immutable once loaded).
class TextConverter {
 public:
  // Loads the variant's configuration and dictionaries; an error names the file.
  static Result<std::unique_ptr<TextConverter>> Open(const Variant& variant);
  ~TextConverter();
  TextConverter(const TextConverter&) = delete;
  TextConverter& operator=(const TextConverter&) = delete;

  // UTF-8 in, UTF-8 out. Only Han characters and phrases change; ASCII (URLs, markup)
  // passes through as it is.
  std::string Convert(std::string_view text) const;

 private:
  explicit TextConverter(void* handle) : handle_(handle) {}
  void* handle_;  // opencc_t
};

// One published tree: the original (prefix "") or a variant ("zh-Hant/").
struct SiteTree {
  std::string lang;
  std::string prefix;
  std::string label;
  std::shared_ptr<const TextConverter> converter;  // nullptr for the original
};

// The original tree, then one per configured variant, converters loaded.
Result<std::vector<SiteTree>> OpenSiteTrees(const config::SiteConfig& site);

// Converts what a reader sees of an article: title, byline, lead image alt and caption,
// the body's text and its alt/title attributes. URLs stay as they are.
void ConvertArticle(const TextConverter& converter, extract::Article& article);

// Converts index entries' titles.
void ConvertEntries(const TextConverter& converter, std::vector<store::IndexEntry>& entries);

// The configuration a variant tree is built with: its own output directory, base URL,
// archive and public URLs below the original's, and the site's words (title, menu, footer,
// promo, channel names and groups) converted.
config::Config VariantConfig(const config::Config& original, const SiteTree& tree);

// Links from the page at `relative` (two levels below its tree's root) in trees[self] to
// the same file in every other tree.
std::vector<render::PageLink> CounterpartLinks(const std::vector<SiteTree>& trees, size_t self,
                                               const std::string& relative);

// Removes the files of each variant tree an earlier build wrote under cfg.output_dir that
// the configuration no longer names (as listed in its .samizdat/outputs.txt); problems are
// appended to *errors.
void RemoveDroppedVariants(const config::Config& cfg, Env& env, std::vector<std::string>* errors);

}  // namespace samizdat::publish
