// samizdat: the command-line front end. Commands parse their options, read inputs through
// Env, run the pure stages, and write outputs atomically.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "clean/clean.h"
#include "config/config.h"
#include "extract/extract.h"
#include "extract/profile.h"
#include "feed/feed.h"
#include "feed/feed_json.h"
#include "fetch/url_policy.h"
#include "publish/build.h"
#include "publish/serve.h"
#include "store/store.h"
#include "sync/sync.h"

#include <unistd.h>

#include <ctime>
#include "html/serialize.h"
#include "render/markdown.h"
#include "render/page.h"
#include "util/env.h"
#include "util/url.h"

namespace samizdat {
namespace {

using nlohmann::json;

json OptionalString(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }

json ArticleJson(const extract::Article& a) {
  json j;
  j["url"] = OptionalString(a.url);
  j["title"] = OptionalString(a.title);
  j["byline"] = OptionalString(a.byline);
  j["site_name"] = OptionalString(a.site_name);
  j["lang"] = OptionalString(a.lang);
  j["published"] = OptionalString(a.published);
  j["modified"] = OptionalString(a.modified);
  if (a.lead_image) {
    j["lead_image"] = {
        {"src", a.lead_image->src},
        {"alt", a.lead_image->alt},
        {"caption", a.lead_image->caption.empty() ? json(nullptr) : json(a.lead_image->caption)}};
  } else {
    j["lead_image"] = nullptr;
  }
  html::SerializeOptions so;
  so.xhtml_void = false;
  j["html"] = a.body ? html::InnerHtml(a.body, so) : std::string();
  j["text"] = render::ToText(a.body);
  j["markdown"] = render::ToMarkdown(a.body);
  j["profile"] = a.profile;
  j["charset"] = a.charset.charset;
  j["warnings"] = a.warnings;
  return j;
}

// Built-in profiles plus those named by the configuration.
bool LoadProfiles(const config::Config* cfg, extract::ProfileSet* out, std::string* error) {
  *out = extract::ProfileSet::BuiltIn();
  if (!cfg) return true;
  for (const auto& path : cfg->profile_paths) {
    std::string text;
    if (!Env::Default()->ReadFile(path, &text, error)) return false;
    auto p = extract::ParseProfile(text, path, error);
    if (!p) return false;
    out->Add(std::move(*p));
  }
  return true;
}

bool LoadConfig(const std::string& path, config::Config* cfg, std::string* error) {
  std::string text;
  if (!Env::Default()->ReadFile(path, &text, error)) return false;
  std::string dir = std::filesystem::path(path).parent_path().string();
  auto parsed = config::ParseConfig(text, path, dir, error);
  if (!parsed) return false;
  *cfg = std::move(*parsed);
  return true;
}

// LoadConfig, with any error printed for the user (commands then exit with status 2).
bool LoadConfigOrReport(const std::string& path, config::Config* cfg) {
  std::string error;
  if (LoadConfig(path, cfg, &error)) return true;
  std::fprintf(stderr, "samizdat: %s\n", error.c_str());
  return false;
}

void PrintWarnings(const std::string& file, const extract::Article& a) {
  for (const auto& w : a.warnings)
    std::fprintf(stderr, "samizdat: %s: %s\n", file.c_str(), w.c_str());
}

int RunExtract(const std::vector<std::string>& files, const std::string& url,
               const std::string& profile, const std::string& format, bool raw) {
  extract::ProfileSet profiles = extract::ProfileSet::BuiltIn();
  int status = 0;
  bool first = true;
  for (const auto& file : files) {
    std::string bytes, error;
    if (!Env::Default()->ReadFile(file, &bytes, &error)) {
      std::fprintf(stderr, "samizdat: %s\n", error.c_str());
      status = 1;
      continue;
    }
    extract::ExtractOptions eo;
    eo.url = url;
    eo.profile_name = profile;
    eo.profiles = &profiles;
    extract::Article a = extract::Extract(bytes, eo);
    if (!raw) clean::CleanArticle(a, clean::CleanOptions{});
    if (format == "json") {
      std::string line = ArticleJson(a).dump(-1, ' ', false, json::error_handler_t::replace);
      std::fwrite(line.data(), 1, line.size(), stdout);
      std::fputc('\n', stdout);
    } else {
      if (!first) std::fputs("\n", stdout);
      std::string out;
      if (format == "text")
        out = render::ToText(a.body);
      else if (format == "markdown")
        out = render::ToMarkdown(a.body);
      else {
        html::SerializeOptions so;
        so.xhtml_void = false;
        out = a.body ? html::InnerHtml(a.body, so) : std::string();
      }
      std::fwrite(out.data(), 1, out.size(), stdout);
      if (!out.empty() && out.back() != '\n') std::fputc('\n', stdout);
      PrintWarnings(file, a);
    }
    first = false;
  }
  std::fflush(stdout);
  return status;
}

int RunConvert(const std::string& file, const std::string& url, const std::string& config_path,
               const std::string& theme_name, const std::string& out_path) {
  config::Config cfg;
  if (!config_path.empty() && !LoadConfigOrReport(config_path, &cfg)) return 2;
  std::string error;
  extract::ProfileSet profiles;
  if (!LoadProfiles(config_path.empty() ? nullptr : &cfg, &profiles, &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 2;
  }
  config::Theme theme = cfg.site.theme;
  if (!theme_name.empty() && !config::ParseTheme(theme_name, &theme)) {
    std::fprintf(stderr, "samizdat: unknown theme \"%s\" (classic, markdown, html)\n",
                 theme_name.c_str());
    return 2;
  }
  std::string bytes;
  if (!Env::Default()->ReadFile(file, &bytes, &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 1;
  }
  extract::ExtractOptions eo;
  eo.url = url;
  eo.profiles = &profiles;
  extract::Article a = extract::Extract(bytes, eo);
  clean::CleanOptions co;
  co.links = cfg.site.link_policy;
  co.heading_shift = cfg.site.heading_shift;
  clean::CleanArticle(a, co);
  PrintWarnings(file, a);
  if (!a.body) {
    std::fprintf(stderr, "samizdat: %s: no article found; no page written\n", file.c_str());
    return 3;
  }
  std::string page = render::RenderPage(a, cfg.site, theme);
  if (out_path.empty() || out_path == "-") {
    std::fwrite(page.data(), 1, page.size(), stdout);
    return 0;
  }
  if (!Env::Default()->WriteFileAtomic(out_path, page, &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 1;
  }
  return 0;
}

// Fetches the URL `samizdat feed` was given through the fetcher, with its rules: the
// operator named this URL, so a file:// URL may be read (the root is the directory the file
// really lives in); a feed fetched over http(s) reaches public addresses only, unless allowed.
bool FetchFeedSource(const std::string& source, bool allow_private, std::string* bytes,
                     std::string* final_url, std::string* http_charset) {
  fetch::FetchOptions fo;
  fo.allow_private = fo.allow_loopback = allow_private;
  fetch::Request request{source};
  request.may_read_file = true;
  if (UrlScheme(source) == "file") {
    std::error_code ec;  // on error the root stays unset and the fetcher says why
    fo.file_root =
        std::filesystem::weakly_canonical(fetch::FileUrlPath(source), ec).parent_path().string();
  }
  fetch::Response r = fetch::NewCurlHttpClient(fo)->FetchAll({request})[0];
  if (!r.ok) {
    std::fprintf(stderr, "samizdat: %s\n", r.error.c_str());
    return false;
  }
  *bytes = std::move(r.body);
  *final_url = r.final_url;
  *http_charset = r.charset;
  return true;
}

int RunFeed(const std::string& source, bool as_json, const std::string& selector,
            bool allow_private) {
  std::string bytes, error, url = source, http_charset;
  if (!UrlScheme(source).empty()) {
    if (!FetchFeedSource(source, allow_private, &bytes, &url, &http_charset)) return 1;
  } else {
    if (!Env::Default()->ReadFile(source, &bytes, &error)) {
      std::fprintf(stderr, "samizdat: %s\n", error.c_str());
      return 1;
    }
    if (source != "-") url = "file://" + std::filesystem::absolute(source).string();
  }
  feed::ParseOptions po;
  po.url = url;
  po.http_charset = http_charset;
  feed::Feed f =
      selector.empty() ? feed::ParseFeed(bytes, po) : feed::ParseListing(bytes, selector, po);
  if (as_json) {
    std::string out =
        feed::FeedToJson(f).dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::printf("%s\n", out.c_str());
  } else {
    std::printf("%s (%s, %s): %zu entries\n", f.feed.title.c_str(), f.version.c_str(),
                f.encoding.c_str(), f.entries.size());
    for (const auto& e : f.entries)
      std::printf("%s  %s\n    %s\n", e.published.value_or("-").c_str(), e.title.c_str(),
                  e.link.c_str());
  }
  for (const auto& w : f.warnings)
    std::fprintf(stderr, "samizdat: %s: %s\n", source.c_str(), w.c_str());
  if (f.bozo && !f.bozo_exception.empty())
    std::fprintf(stderr, "samizdat: %s: %s\n", source.c_str(), f.bozo_exception.c_str());
  return f.not_a_feed ? 1 : 0;
}

int RunSync(const std::string& config_path, bool as_json, bool dry_run, const std::string& only) {
  config::Config cfg;
  if (!LoadConfigOrReport(config_path, &cfg)) return 2;
  std::string error;
  if (!only.empty()) {
    bool known = false;
    for (const auto& s : cfg.sources) known |= s.id == only;
    if (!known) {
      std::fprintf(stderr, "samizdat: %s: no source with id '%s'\n", config_path.c_str(),
                   only.c_str());
      return 2;
    }
  }
  extract::ProfileSet profiles;
  if (!LoadProfiles(&cfg, &profiles, &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 2;
  }
  auto store = store::Store::Open(cfg.store_path, &error);
  if (!store) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 2;
  }
  auto http = fetch::NewCurlHttpClient(cfg.fetch);
  sync::SyncOptions so;
  so.dry_run = dry_run;
  so.only_source = only;
  bool tty = isatty(STDERR_FILENO) && !as_json;
  sync::Progress progress;
  if (tty)
    progress = [](const std::string& id, int done, int total) {
      std::fprintf(stderr, "\r\033[K%s: article %d/%d", id.c_str(), done, total);
      if (done == total) std::fputc('\n', stderr);
    };
  sync::SyncReport report = sync::RunSync(cfg, *store, *http, profiles, so, progress);
  if (as_json) {
    nlohmann::json j;
    j["store"] = cfg.store_path;
    j["dry_run"] = dry_run;
    j["requests"] = report.requests;
    j["conditional_requests"] = report.conditional_requests;
    j["ok"] = !report.AnyFailed();
    j["sources"] = nlohmann::json::array();
    for (const auto& s : report.sources)
      j["sources"].push_back({{"id", s.id},
                              {"due", s.due},
                              {"not_modified", s.not_modified},
                              {"entries", s.entries},
                              {"new", s.new_articles},
                              {"changed", s.changed},
                              {"unchanged", s.unchanged},
                              {"failed", s.failed},
                              {"source_failed", s.source_failed},
                              {"healthy", s.healthy},
                              {"health_note", s.health_note},
                              {"failures", s.failures}});
    std::printf("%s\n", j.dump(2).c_str());
  } else {
    for (const auto& s : report.sources) {
      if (!s.due) {
        std::printf("%-20s not due\n", s.id.c_str());
        continue;
      }
      std::printf("%-20s %s%d new, %d changed, %d unchanged, %d failed%s\n", s.id.c_str(),
                  s.not_modified ? "not modified; " : "", s.new_articles, s.changed, s.unchanged,
                  s.failed, s.healthy ? "" : "  [UNHEALTHY]");
      for (const auto& f : s.failures) std::printf("    failed: %s\n", f.c_str());
      if (!s.healthy && s.failures.empty())
        std::printf("    unhealthy: %s\n", s.health_note.c_str());
    }
    std::printf("%s%s (%lld articles, %lld revisions)\n",
                dry_run ? "dry run; store unchanged: " : "store: ", cfg.store_path.c_str(),
                static_cast<long long>(store->CountArticles()),
                static_cast<long long>(store->CountRevisions()));
  }
  return report.AnyFailed() ? 1 : 0;
}

int RunBuild(const std::string& config_path) {
  config::Config cfg;
  if (!LoadConfigOrReport(config_path, &cfg)) return 2;
  std::string error;
  if (!std::filesystem::exists(cfg.store_path)) {
    std::fprintf(stderr, "samizdat: no store at %s; run `samizdat sync` first\n",
                 cfg.store_path.c_str());
    return 2;
  }
  auto store = store::Store::Open(cfg.store_path, &error);
  if (!store) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 2;
  }
  auto http = fetch::NewCurlHttpClient(cfg.fetch);
  publish::BuildReport r = publish::BuildSite(cfg, *store, *Env::Default(), http.get());
  if (!r.error.empty()) {
    std::fprintf(stderr, "samizdat: build of %s failed: %s\n", cfg.output_dir.c_str(),
                 r.error.c_str());
    return 1;
  }
  if (r.images_failed)
    std::fprintf(stderr,
                 "samizdat: %d images could not be re-hosted; pages keep their original URLs\n",
                 r.images_failed);
  std::printf("%s: %lld articles, %lld pages rendered, %lld files written, %lld unchanged\n",
              cfg.output_dir.c_str(), static_cast<long long>(r.articles),
              static_cast<long long>(r.pages_rendered), static_cast<long long>(r.files_written),
              static_cast<long long>(r.files_unchanged));
  return 0;
}

int RunPublish(const std::string& config_path) {
  config::Config cfg;
  if (!LoadConfigOrReport(config_path, &cfg)) return 2;
  std::string error;
  if (!std::filesystem::is_directory(cfg.output_dir)) {
    std::fprintf(stderr, "samizdat: no built site at %s; run `samizdat build` first\n",
                 cfg.output_dir.c_str());
    return 2;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  bool archive_failed = false;
  // The archive first: pages are in it before the main repository lets them go.
  if (cfg.publish.archive.enabled() && std::filesystem::is_directory(cfg.publish.archive.output)) {
    publish::PublishConfig ac = cfg.publish;
    ac.remotes = cfg.publish.archive.remotes;
    ac.archive = {};
    publish::PublishReport ar = publish::Publish(cfg.publish.archive.output, ac, now);
    if (!ar.error.empty()) {
      std::fprintf(stderr, "samizdat: publishing the archive failed: %s\n", ar.error.c_str());
      return 1;
    }
    std::printf("archive %s: %d added, %d changed, %d removed\n", ar.commit.substr(0, 12).c_str(),
                ar.added, ar.modified, ar.deleted);
    for (const auto& rr : ar.remotes)
      std::printf("%s %s\n", rr.ok ? "pushed archive to" : "FAILED",
                  rr.ok ? rr.name.c_str() : rr.error.c_str());
    archive_failed = ar.AnyRemoteFailed();
  }
  publish::PublishReport r = publish::Publish(cfg.output_dir, cfg.publish, now);
  if (!r.error.empty()) {
    std::fprintf(stderr, "samizdat: publish failed: %s\n", r.error.c_str());
    return 1;
  }
  if (r.committed)
    std::printf("committed %s: %d added, %d changed, %d removed\n", r.commit.substr(0, 12).c_str(),
                r.added, r.modified, r.deleted);
  else
    std::printf("nothing changed; branch at %s\n", r.commit.substr(0, 12).c_str());
  for (const auto& rr : r.remotes) {
    if (rr.ok)
      std::printf("pushed to %s\n", rr.name.c_str());
    else
      std::printf("FAILED %s\n", rr.error.c_str());
  }
  return r.AnyRemoteFailed() || archive_failed ? 1 : 0;
}

int RunServe(const std::string& config_path, int port) {
  config::Config cfg;
  if (!LoadConfigOrReport(config_path, &cfg)) return 2;
  std::string error;
  publish::SiteServer server;
  if (!server.Start(cfg.output_dir, port, &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 1;
  }
  std::printf("serving %s at http://127.0.0.1:%d/ (Ctrl-C to stop)\n", cfg.output_dir.c_str(),
              server.port());
  std::fflush(stdout);
  server.Wait();
  return 0;
}

int RunInit(const std::string& dir) {
  std::string path = (dir.empty() ? std::string(".") : dir) + "/samizdat.toml";
  if (std::filesystem::exists(path)) {
    std::fprintf(stderr, "samizdat: %s exists; not overwritten\n", path.c_str());
    return 1;
  }
  std::string error;
  if (!Env::Default()->WriteFileAtomic(path, config::ScaffoldConfig(), &error)) {
    std::fprintf(stderr, "samizdat: %s\n", error.c_str());
    return 1;
  }
  std::printf("wrote %s\n", path.c_str());
  return 0;
}

}  // namespace
}  // namespace samizdat

int main(int argc, char** argv) {
  CLI::App app{"samizdat: mirror news sites as clean Markdown and static HTML"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "samizdat 0.1.0");

  std::vector<std::string> files;
  std::string url, profile, format = "json";
  auto* extract = app.add_subcommand("extract", "Extract the article from saved pages");
  extract->add_option("--url", url, "The page's URL (resolves links; selects a profile)");
  extract->add_option("--profile", profile, "Force a site profile (or \"generic\")");
  extract->add_option("--format", format, "Output format")
      ->check(CLI::IsMember({"json", "text", "markdown", "html"}));
  bool raw = false;
  extract->add_flag("--raw", raw, "Skip the clean stage (shows what extraction selected)");
  extract->add_option("FILE", files, "Saved pages; - reads standard input")->required();

  std::string file, config_path, theme, out;
  auto* convert = app.add_subcommand("convert", "Write the mirror page for one saved article page");
  convert->add_option("FILE", file, "The saved page; - reads standard input")->required();
  convert->add_option("--url", url, "The article's original URL")->required();
  convert->add_option("--config", config_path, "samizdat.toml with the site's settings");
  convert->add_option("--theme", theme, "classic, markdown or html (default: from config)");
  convert->add_option("-o,--output", out, "Output file (default: standard output)");

  std::string feed_source, listing_selector;
  bool feed_json = false;
  auto* feed_cmd =
      app.add_subcommand("feed", "Parse a feed, sitemap or listing page and print its entries");
  feed_cmd
      ->add_option("SOURCE", feed_source,
                   "An http(s):// or file:// URL, a file, or - for standard input")
      ->required();
  feed_cmd->add_flag("--json", feed_json, "Print the parsed model as JSON (doc/feed.md)");
  bool feed_allow_private = false;
  feed_cmd->add_flag("--allow-private", feed_allow_private, "Allow private and loopback addresses");
  feed_cmd->add_option("--listing", listing_selector,
                       "Treat SOURCE as an HTML listing; CSS selector for article links");

  std::string sync_config = "samizdat.toml", only_source;
  bool sync_json = false, dry_run = false;
  auto* sync_cmd =
      app.add_subcommand("sync", "Fetch due sources and store new and changed articles");
  sync_cmd->add_option("--config", sync_config, "The mirror's samizdat.toml");
  sync_cmd->add_flag("--json", sync_json, "Print a JSON summary");
  sync_cmd->add_flag("--dry-run", dry_run, "Fetch and parse, but write nothing");
  sync_cmd->add_option("--source", only_source, "Sync only this source");

  std::string build_config = "samizdat.toml";
  auto* build_cmd =
      app.add_subcommand("build", "Render the mirror from the store into the output directory");
  build_cmd->add_option("--config", build_config, "The mirror's samizdat.toml");

  std::string publish_config = "samizdat.toml";
  auto* publish_cmd =
      app.add_subcommand("publish", "Commit the built site to git and push it to every remote");
  publish_cmd->add_option("--config", publish_config, "The mirror's samizdat.toml");

  std::string serve_config = "samizdat.toml";
  int serve_port = 8080;
  auto* serve_cmd = app.add_subcommand("serve", "Serve the built site on 127.0.0.1 for preview");
  serve_cmd->add_option("--config", serve_config, "The mirror's samizdat.toml");
  serve_cmd->add_option("--port", serve_port, "Port (0 picks a free one)")
      ->check(CLI::Range(0, 65535));

  std::string init_dir;
  auto* init_cmd = app.add_subcommand("init", "Write a commented samizdat.toml to start from");
  init_cmd->add_option("DIR", init_dir, "Directory (default: current)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (*extract) return samizdat::RunExtract(files, url, profile, format, raw);
  if (*convert) return samizdat::RunConvert(file, url, config_path, theme, out);
  if (*sync_cmd) return samizdat::RunSync(sync_config, sync_json, dry_run, only_source);
  if (*init_cmd) return samizdat::RunInit(init_dir);
  if (*build_cmd) return samizdat::RunBuild(build_config);
  if (*publish_cmd) return samizdat::RunPublish(publish_config);
  if (*serve_cmd) return samizdat::RunServe(serve_config, serve_port);
  if (*feed_cmd)
    return samizdat::RunFeed(feed_source, feed_json, listing_selector, feed_allow_private);
  return 2;
}
