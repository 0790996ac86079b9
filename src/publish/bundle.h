// Offline bundles of a mirror (doc/trust.md): an EPUB 3 digest of stored articles,
// self-contained single-file HTML pages (CSS and images inlined as data: URIs), and the
// whole built site as one ZIP with its signed manifest inside.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "config/config.h"
#include "store/store.h"
#include "util/env.h"
#include "util/status.h"

namespace samizdat::publish {

struct BundleSelection {
  std::string channel;  // "" : every configured channel
  int64_t since = 0;    // unix seconds; articles added to the mirror at or after it
  std::string lang;     // "" : "zh" when titles hold CJK text, else "en"
};

struct BundleStats {
  int articles = 0;
  int images_embedded = 0;
  int images_dropped = 0;  // not re-hosted in the built site: left out, with their alt text
};

// The EPUB's bytes. Images come from the built site's re-hosted copies (cfg.output_dir).
Result<std::string> MakeEpubBundle(const config::Config& cfg, store::ArticleStore& store, Env& env,
                                   const BundleSelection& selection, BundleStats* stats);

// One self-contained HTML file per selected article: file name -> contents.
Result<std::map<std::string, std::string>> MakeSingleFilePages(const config::Config& cfg,
                                                               store::ArticleStore& store, Env& env,
                                                               const BundleSelection& selection,
                                                               BundleStats* stats);

// Every published file of the built site at `root`, with manifest.json and its signature,
// as a ZIP (nothing from .git/ or .samizdat/).
Result<std::string> ZipSite(Env& env, const std::string& root);

// "YYYY-MM-DD" (UTC) as unix seconds; nullopt for anything else.
std::optional<int64_t> ParseDay(std::string_view day);

}  // namespace samizdat::publish
