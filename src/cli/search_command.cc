#include "cli/search_command.h"

#include <fmt/format.h>
#include <unistd.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "store/article_store.h"
#include "store/search_index.h"
#include "store/store.h"

namespace samizdat {
namespace {

struct SearchArgs {
  std::string config = "samizdat.toml";
  std::string query;
  std::string channel;
  int limit = 20;
  bool json = false;
};

// The hit's page in the built site, relative to its root (doc/site.md).
std::string PagePath(const config::Config& cfg, const store::SearchHit& hit) {
  const char* ext = cfg.site.theme == config::Theme::kHtml ? ".html" : ".md";
  return "pages/" + hit.home_channel + "/" + hit.article_id + ext;
}

void PrintJson(const config::Config& cfg, const std::vector<store::SearchHit>& hits) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& h : hits)
    out.push_back({{"title", h.title},
                   {"date", h.date},
                   {"page", PagePath(cfg, h)},
                   {"channel", h.home_channel},
                   {"id", h.article_id},
                   {"snippet", h.snippet},
                   {"score", h.score}});
  PrintData(out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

// One block per hit: title, date and page, then the snippet with matches marked.
void PrintText(const config::Config& cfg, const std::vector<store::SearchHit>& hits) {
  for (const auto& h : hits) {
    PrintLine(stdout, fmt::format("{}  {}", h.title, h.date.substr(0, 10)));
    PrintLine(stdout, "  " + PagePath(cfg, h));
    PrintLine(stdout, "  " + h.snippet);
  }
  if (hits.empty()) PrintLine(stderr, "no results");
}

int RunSearch(const SearchArgs& a) {
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), a.config, &cfg)) return kExitUsage;
  if (store::IsPostgresLocation(cfg.store_path)) {
    Complain(
        fmt::format("search: the PostgreSQL store {} has no full-text index yet; search "
                    "works on SQLite stores",
                    cfg.store_path));
    return kExitUsage;
  }
  if (!Exists(*Env::Default(), cfg.store_path)) {
    Complain(fmt::format("no store at {}; run `samizdat sync` first", cfg.store_path));
    return kExitUsage;
  }
  std::string error;
  auto store = store::Store::Open(cfg.store_path, &error);
  if (!store) {
    Complain(error);
    return kExitUsage;
  }
  store::SearchOptions options;
  options.channel = a.channel;
  options.limit = a.limit;
  // Text output marks matches in bold on a terminal, with «» in a pipe or file.
  if (!a.json && isatty(STDOUT_FILENO)) {
    options.mark_open = "\x1b[1m";
    options.mark_close = "\x1b[0m";
  }
  Result<std::vector<store::SearchHit>> hits = store::SearchArticles(*store, a.query, options);
  if (!hits.ok()) {
    Complain(fmt::format("cannot search {}: {}", cfg.store_path, hits.status().message()));
    return kExitStoreIo;
  }
  if (a.json)
    PrintJson(cfg, *hits);
  else
    PrintText(cfg, *hits);
  return kExitOk;
}

}  // namespace

Subcommand AddSearch(CLI::App& app) {
  auto a = std::make_shared<SearchArgs>();
  auto* cmd = app.add_subcommand("search", "Search the stored articles (title, byline, body)");
  cmd->add_option("QUERY", a->query,
                  "Words or Chinese text; each space-separated piece must occur as written")
      ->required();
  cmd->add_option("--config", a->config, "The mirror's samizdat.toml");
  cmd->add_option("--channel", a->channel, "Only articles in this channel");
  cmd->add_option("--limit", a->limit, "At most this many results")->check(CLI::Range(1, 10000));
  cmd->add_flag("--json", a->json, "A JSON array of results");
  return {cmd, [a] { return RunSearch(*a); }};
}

}  // namespace samizdat
