// samizdat: the command-line front end. Commands parse their options, read inputs through
// Env, run the pure stages, and write outputs atomically.
#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
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
#include "store/store_lock.h"
#include "sync/sync.h"

#include <unistd.h>

#include <ctime>
#include "html/serialize.h"
#include "render/markdown.h"
#include "render/page.h"
#include "util/env.h"
#include "util/strings.h"
#include "util/url.h"

#include "cli/bundle_command.h"
#include "cli/cli_common.h"
#include "cli/docs_command.h"
#include "cli/keygen_command.h"
#include "cli/search_command.h"
#include "cli/sync_worker.h"
#include "cli/verify_command.h"
#include "cli/watch_command.h"

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

void PrintWarnings(const std::string& file, const extract::Article& a) {
  for (const auto& w : a.warnings) Complain(fmt::format("{}: {}", file, w));
}

int RunExtract(const std::vector<std::string>& files, const std::string& url,
               const std::string& profile, const std::string& format, bool raw) {
  extract::ProfileSet profiles = BuiltInProfilesReported();
  int status = kExitOk;
  bool first = true;
  for (const auto& file : files) {
    std::string bytes, error;
    if (!Env::Default()->ReadFile(file, &bytes, &error)) {
      Complain(error);
      status = kExitSomeFailed;
      continue;
    }
    extract::ExtractOptions eo;
    eo.url = url;
    eo.profile_name = profile;
    eo.profiles = &profiles;
    extract::Article a = extract::Extract(bytes, eo);
    if (!raw) clean::CleanArticle(a, clean::CleanOptions{});
    if (format == "json") {
      PrintData(ArticleJson(a).dump(-1, ' ', false, json::error_handler_t::replace) + "\n");
    } else {
      if (!first) PrintData("\n");
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
      if (!out.empty() && out.back() != '\n') out.push_back('\n');
      PrintData(out);
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
  if (!config_path.empty() && !LoadConfigOrReport(*Env::Default(), config_path, &cfg))
    return kExitUsage;
  std::string error;
  extract::ProfileSet profiles;
  if (!LoadProfiles(*Env::Default(), config_path.empty() ? nullptr : &cfg, &profiles, &error)) {
    Complain(error);
    return kExitUsage;
  }
  config::Theme theme = cfg.site.theme;
  if (!theme_name.empty() && !config::ParseTheme(theme_name, &theme)) {
    Complain(fmt::format("unknown theme \"{}\" (classic, markdown, html)", theme_name));
    return kExitUsage;
  }
  std::string bytes;
  if (!Env::Default()->ReadFile(file, &bytes, &error)) {
    Complain(error);
    return kExitSomeFailed;
  }
  extract::ExtractOptions eo;
  eo.url = url;
  eo.profiles = &profiles;
  extract::Article a = extract::Extract(bytes, eo);
  clean::CleanArticle(a, publish::PageCleanOptions(cfg.site));
  PrintWarnings(file, a);
  if (!a.body) {
    Complain(fmt::format("{}: no article found; no page written", file));
    return kExitNoArticle;
  }
  std::string page = render::RenderPage(a, config::PageOptionsOf(cfg.site), theme);
  if (out_path.empty() || out_path == "-") {
    PrintData(page);
    return kExitOk;
  }
  if (!Env::Default()->WriteFileAtomic(out_path, page, &error)) {
    Complain(error);
    return kExitSomeFailed;
  }
  return kExitOk;
}

// The directory a feed file named on the command line really lives in: the parent of its
// real path. When the file cannot be resolved (it is missing), the directory it is named
// in, so the fetcher reports the file itself as unreadable.
std::string FeedFileRoot(Env& env, const std::string& path) {
  std::string real;
  if (env.RealPath(path, &real).ok()) return ParentPath(real);
  return ParentPath(path);
}

// Fetches the URL `samizdat feed` was given through the fetcher, with its rules: the
// operator named this URL, so a file:// URL may be read (the root is the directory the file
// really lives in); a feed fetched over http(s) reaches public addresses only, unless allowed.
bool FetchFeedSource(Env& env, const std::string& source, bool allow_private, std::string* bytes,
                     std::string* final_url, std::string* http_charset) {
  fetch::FetchOptions fo;
  fo.allow_private = fo.allow_loopback = allow_private;
  fetch::Request request{source};
  request.may_read_file = true;
  if (UrlScheme(source) == "file") fo.file_root = FeedFileRoot(env, fetch::FileUrlPath(source));
  fetch::Response r = fetch::NewCurlHttpClient(fo, &env)->FetchAll({request})[0];
  if (!r.ok) {
    Complain(r.error);
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
    if (!FetchFeedSource(*Env::Default(), source, allow_private, &bytes, &url, &http_charset))
      return kExitSomeFailed;
  } else {
    if (!Env::Default()->ReadFile(source, &bytes, &error)) {
      Complain(error);
      return kExitSomeFailed;
    }
    // absolute() joins the working directory to the name, without resolving links, so the
    // feed's base URL is the path as given; the file was just read through Env.
    if (source != "-") url = "file://" + std::filesystem::absolute(source).string();
  }
  feed::ParseOptions po;
  po.url = url;
  po.http_charset = http_charset;
  feed::Feed f =
      selector.empty() ? feed::ParseFeed(bytes, po) : feed::ParseListing(bytes, selector, po);
  if (as_json) {
    PrintData(feed::FeedToJson(f).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
              "\n");
  } else {
    PrintLine(stdout, fmt::format("{} ({}, {}): {} entries", f.feed.title, f.version, f.encoding,
                                  f.entries.size()));
    for (const auto& e : f.entries)
      PrintLine(stdout, fmt::format("{}  {}\n    {}", e.published.value_or("-"), e.title, e.link));
  }
  for (const auto& w : f.warnings) Complain(fmt::format("{}: {}", source, w));
  if (f.bozo && !f.bozo_exception.empty())
    Complain(fmt::format("{}: {}", source, f.bozo_exception));
  return f.not_a_feed ? kExitSomeFailed : kExitOk;
}

void PrintSyncJson(const config::Config& cfg, bool dry_run, const sync::SyncReport& report) {
  nlohmann::json j;
  j["store"] = cfg.store_path;
  j["dry_run"] = dry_run;
  j["requests"] = report.requests;
  j["conditional_requests"] = report.conditional_requests;
  j["recheck_requests"] = report.recheck_requests;
  j["recheck_changed"] = report.recheck_changed;
  j["near_duplicates"] = report.near_duplicates;
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
  PrintData(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

// The summary line of one synced source. An unhealthy one says how many times in a row it
// failed (from the store's health record).
std::string SourceLine(const sync::SourceReport& s, store::ArticleStore& store) {
  std::string line = fmt::format("{:<20} {}{} new, {} changed, {} unchanged, {} failed", s.id,
                                 s.not_modified ? "not modified; " : "", s.new_articles, s.changed,
                                 s.unchanged, s.failed);
  if (s.healthy) return line;
  Result<std::optional<store::SourceHealth>> health = store.GetSourceHealth(s.id);
  int failures = health.ok() && *health ? (*health)->consecutive_failures : 0;
  return line + "  " +
         Red(stdout,
             fmt::format("[UNHEALTHY: {} failure{} in a row]", failures, failures == 1 ? "" : "s"));
}

// The summary goes to standard output; failures and health notes, like every problem, to
// standard error.
void PrintSyncReport(const config::Config& cfg, bool dry_run, const sync::SyncReport& report,
                     store::ArticleStore& store) {
  for (const auto& s : report.sources) {
    if (!s.due) {
      Inform(fmt::format("{:<20} not due", s.id));
      continue;
    }
    Inform(SourceLine(s, store));
    for (const auto& f : s.failures) Complain(fmt::format("{}: failed: {}", s.id, f));
    if (!s.healthy && s.failures.empty())
      Complain(fmt::format("{}: unhealthy: {}", s.id, s.health_note));
  }
  Result<int64_t> articles = store.CountArticles();
  Result<int64_t> revisions = store.CountRevisions();
  if (!articles.ok() || !revisions.ok()) {
    Complain(fmt::format("cannot count the store {}: {}", cfg.store_path,
                         (articles.ok() ? revisions.status() : articles.status()).message()));
    return;
  }
  Inform(fmt::format("{}{} ({} articles, {} revisions)",
                     dry_run ? "dry run; store unchanged: " : "store: ", cfg.store_path, *articles,
                     *revisions));
  Inform(
      fmt::format("requests: {} ({} conditional); re-checks: {} ({} edited); "
                  "near-duplicates stored: {}",
                  report.requests, report.conditional_requests, report.recheck_requests,
                  report.recheck_changed, report.near_duplicates));
}

// The progress line on a terminal: one line, rewritten in place.
sync::Progress TerminalProgress() {
  return [](const std::string& id, int done, int total) {
    std::string line = fmt::format("\r\033[K{}: article {}/{}", TerminalSafe(id), done, total);
    if (done == total) line.push_back('\n');
    std::fwrite(line.data(), 1, line.size(), stderr);
  };
}

int RunSync(const std::string& config_path, bool as_json, bool dry_run, const std::string& only) {
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), config_path, &cfg)) return kExitUsage;
  std::string error;
  if (!only.empty()) {
    bool known = false;
    for (const auto& s : cfg.sources) known |= s.id == only;
    if (!known) {
      Complain(fmt::format("{}: no source with id '{}'", config_path, only));
      return kExitUsage;
    }
  }
  extract::ProfileSet profiles;
  if (!LoadProfiles(*Env::Default(), &cfg, &profiles, &error)) {
    Complain(error);
    return kExitUsage;
  }
  std::unique_ptr<store::StoreLock> lock;
  if (int status = LockStoreOrReport(cfg.store_path, &lock); status != kExitOk) return status;
  auto store = store::OpenStore(cfg.store_path, &error);
  if (!store) {
    Complain(error);
    return kExitUsage;
  }
  auto http = fetch::NewCurlHttpClient(cfg.fetch);
  sync::SyncOptions so;
  so.dry_run = dry_run;
  so.only_source = only;
  sync::Progress progress;
  if (isatty(STDERR_FILENO) && !as_json) progress = TerminalProgress();
  sync::SyncReport report = sync::RunSync(cfg, *store, *http, profiles, so, progress);
  if (as_json)
    PrintSyncJson(cfg, dry_run, report);
  else
    PrintSyncReport(cfg, dry_run, report, *store);
  if (report.store_error.code() == Status::Code::kBusy) {
    Complain(fmt::format(
        "sync stopped: the store {} stayed locked by another process ({}); every article "
        "stored before this is intact; run sync again later",
        cfg.store_path, report.store_error.message()));
    return kExitStoreLocked;
  }
  if (!report.store_error.ok()) {
    Complain(fmt::format(
        "sync stopped: the store {} cannot be written ({}); every article stored before this "
        "is intact; free space (or fix the disk) and run sync again",
        cfg.store_path, report.store_error.message()));
    return kExitStoreIo;
  }
  return report.AnyFailed() ? kExitSomeFailed : kExitOk;
}

void PrintBuildJson(const config::Config& cfg, const publish::BuildReport& r) {
  nlohmann::json j = {{"output", cfg.output_dir},
                      {"ok", r.error.empty() && r.images_failed == 0},
                      {"articles", r.articles},
                      {"pages_rendered", r.pages_rendered},
                      {"files_written", r.files_written},
                      {"files_unchanged", r.files_unchanged},
                      {"images_downloaded", r.images_downloaded},
                      {"images_failed", r.images_failed},
                      {"image_failures", r.image_failures},
                      {"error", r.error}};
  PrintData(j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

// A failed image keeps its original URL on the page: each one is named, and the build
// exits 1 so that a cron job or the watch log notices.
int RunBuild(const std::string& config_path, bool as_json) {
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), config_path, &cfg)) return kExitUsage;
  std::string error;
  if (!store::IsPostgresLocation(cfg.store_path) && !Exists(*Env::Default(), cfg.store_path)) {
    Complain(fmt::format("no store at {}; run `samizdat sync` first", cfg.store_path));
    return kExitUsage;
  }
  std::unique_ptr<store::StoreLock> lock;
  if (int status = LockStoreOrReport(cfg.store_path, &lock); status != kExitOk) return status;
  auto store = store::OpenStore(cfg.store_path, &error);
  if (!store) {
    Complain(error);
    return kExitUsage;
  }
  auto http = fetch::NewCurlHttpClient(cfg.fetch);
  publish::BuildReport r = publish::BuildSite(cfg, *store, *Env::Default(), http.get());
  if (as_json) PrintBuildJson(cfg, r);
  if (!r.error.empty()) {
    Complain(fmt::format("build of {} failed: {}", cfg.output_dir, r.error));
    return kExitSomeFailed;
  }
  for (const auto& failure : r.image_failures)
    Complain(fmt::format("image not re-hosted; the page links to the original: {}", failure));
  if (!as_json)
    Inform(fmt::format("{}: {} articles, {} pages rendered, {} files written, {} unchanged",
                       cfg.output_dir, r.articles, r.pages_rendered, r.files_written,
                       r.files_unchanged));
  return r.images_failed ? kExitSomeFailed : kExitOk;
}

void PrintPublishReport(const publish::PublishReport& r, bool archive) {
  if (archive)
    Inform(fmt::format("archive {}: {} added, {} changed, {} removed", r.commit.substr(0, 12),
                       r.added, r.modified, r.deleted));
  else if (r.committed)
    Inform(fmt::format("committed {}: {} added, {} changed, {} removed", r.commit.substr(0, 12),
                       r.added, r.modified, r.deleted));
  else
    Inform(fmt::format("nothing changed; branch at {}", r.commit.substr(0, 12)));
  std::string largest;
  for (const auto& [path, bytes] : r.size.largest)
    largest +=
        fmt::format("{}{} ({})", largest.empty() ? "" : ", ", path, publish::HumanBytes(bytes));
  Inform(
      fmt::format("repository: {} of compressed objects ({} in packs); {} files, {} at the "
                  "head; largest: {}",
                  publish::HumanBytes(r.size.object_bytes), publish::HumanBytes(r.size.pack_bytes),
                  r.size.head_files, publish::HumanBytes(r.size.head_bytes), largest));
  for (const auto& rr : r.remotes) {
    if (!rr.ok)
      Complain(fmt::format("{} {}", Red(stderr, "FAILED"), rr.error));
    else
      Inform(archive ? fmt::format("pushed archive to {}", rr.name)
                     : fmt::format("pushed to {}", rr.name));
  }
}

nlohmann::json PublishJson(const publish::PublishReport& r) {
  nlohmann::json remotes = nlohmann::json::array();
  for (const auto& rr : r.remotes)
    remotes.push_back({{"name", rr.name}, {"ok", rr.ok}, {"error", rr.error}});
  return {{"committed", r.committed}, {"commit", r.commit},   {"added", r.added},
          {"changed", r.modified},    {"removed", r.deleted}, {"remotes", remotes},
          {"error", r.error}};
}

// Publishes the archive (when configured and built) first: pages are in it before the
// main repository lets them go. False when the archive could not be committed.
bool PublishArchive(const config::Config& cfg, int64_t now, bool as_json, nlohmann::json* summary,
                    bool* remote_failed) {
  if (!cfg.publish.archive.enabled() || !IsDirectory(*Env::Default(), cfg.publish.archive.output))
    return true;
  publish::PublishConfig ac = cfg.publish;
  ac.remotes = cfg.publish.archive.remotes;
  ac.archive = {};
  publish::PublishReport ar = publish::Publish(cfg.publish.archive.output, ac, now);
  (*summary)["archive"] = PublishJson(ar);
  if (!ar.error.empty()) {
    Complain(fmt::format("publishing the archive failed: {}", ar.error));
    return false;
  }
  if (!as_json) PrintPublishReport(ar, /*archive=*/true);
  *remote_failed = ar.AnyRemoteFailed();
  return true;
}

int RunPublish(const std::string& config_path, bool as_json) {
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), config_path, &cfg)) return kExitUsage;
  if (!IsDirectory(*Env::Default(), cfg.output_dir)) {
    Complain(fmt::format("no built site at {}; run `samizdat build` first", cfg.output_dir));
    return kExitUsage;
  }
  // The lock keeps a build from rewriting the site while it is committed.
  std::unique_ptr<store::StoreLock> lock;
  if (int status = LockStoreOrReport(cfg.store_path, &lock); status != kExitOk) return status;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  nlohmann::json summary;
  bool archive_failed = false;
  if (!PublishArchive(cfg, now, as_json, &summary, &archive_failed)) return kExitSomeFailed;
  publish::PublishReport r = publish::Publish(cfg.output_dir, cfg.publish, now);
  summary["site"] = PublishJson(r);
  summary["ok"] = r.error.empty() && !r.AnyRemoteFailed() && !archive_failed;
  if (as_json)
    PrintData(summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  if (!r.error.empty()) {
    Complain(fmt::format("publish failed: {}", r.error));
    return kExitSomeFailed;
  }
  if (!as_json) PrintPublishReport(r, /*archive=*/false);
  if (cfg.publish.remotes.empty())
    Complain(
        fmt::format("no remote configured: the site is committed in {} only; add a "
                    "[[publish.remotes]] table to push it",
                    cfg.output_dir));
  return r.AnyRemoteFailed() || archive_failed ? kExitSomeFailed : kExitOk;
}

int RunServe(const std::string& config_path, int port) {
  config::Config cfg;
  if (!LoadConfigOrReport(*Env::Default(), config_path, &cfg)) return kExitUsage;
  std::string error;
  publish::SiteServer server;
  if (!server.Start(cfg.output_dir, port, &error)) {
    Complain(error);
    return kExitSomeFailed;
  }
  PrintLine(stdout, fmt::format("serving {} at http://127.0.0.1:{}/ (Ctrl-C to stop)",
                                cfg.output_dir, server.port()));
  std::fflush(stdout);
  server.Wait();
  return kExitOk;
}

// Writes samizdat.toml and the offline example its source reads (example/ beside it); an
// existing file is never overwritten.
int RunInit(const std::string& dir_arg) {
  Env& env = *Env::Default();
  std::string dir = dir_arg.empty() ? std::string(".") : dir_arg, real_dir, error;
  std::string path = dir + "/samizdat.toml";
  if (Exists(env, path)) {
    Complain(fmt::format("{} exists; not overwritten", path));
    return kExitSomeFailed;
  }
  Status made = env.CreateDirs(dir + "/example");
  if (made.ok()) made = env.RealPath(dir, &real_dir);
  if (!made.ok()) {
    Complain(made.message());
    return kExitSomeFailed;
  }
  std::vector<std::pair<std::string, std::string>> files = config::ScaffoldExample();
  files.emplace_back("samizdat.toml",
                     config::ScaffoldConfig("file://" + real_dir + "/example/feed.xml"));
  for (const auto& [name, text] : files) {
    if (name != "samizdat.toml" && Exists(env, dir + "/" + name)) continue;
    if (!env.WriteFileAtomic(dir + "/" + name, text, &error)) {
      Complain(error);
      return kExitSomeFailed;
    }
  }
  Inform(
      fmt::format("wrote {} and an offline example in {}/example; try `samizdat sync "
                  "--config {}`",
                  path, dir, path));
  return kExitOk;
}

Subcommand AddExtract(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    std::string url, profile, format = "json";
    bool raw = false;
  };
  auto a = std::make_shared<Args>();
  auto* extract = app.add_subcommand("extract", "Extract the article from saved pages");
  extract->add_option("--url", a->url, "The page's URL (resolves links; selects a profile)");
  extract->add_option("--profile", a->profile, "Force a site profile (or \"generic\")");
  extract->add_option("--format", a->format, "Output format")
      ->check(CLI::IsMember({"json", "text", "markdown", "html"}));
  extract->add_flag("--raw", a->raw, "Skip the clean stage (shows what extraction selected)");
  extract->add_option("FILE", a->files, "Saved pages; - reads standard input")->required();
  return {extract, [a] { return RunExtract(a->files, a->url, a->profile, a->format, a->raw); }};
}

Subcommand AddConvert(CLI::App& app) {
  struct Args {
    std::string file, url, config_path, theme, out;
  };
  auto a = std::make_shared<Args>();
  auto* convert = app.add_subcommand("convert", "Write the mirror page for one saved article page");
  convert->add_option("FILE", a->file, "The saved page; - reads standard input")->required();
  convert->add_option("--url", a->url, "The article's original URL")->required();
  convert->add_option("--config", a->config_path, "samizdat.toml with the site's settings");
  convert->add_option("--theme", a->theme, "classic, markdown or html (default: from config)");
  convert->add_option("-o,--output", a->out, "Output file (default: standard output)");
  return {convert, [a] { return RunConvert(a->file, a->url, a->config_path, a->theme, a->out); }};
}

Subcommand AddFeed(CLI::App& app) {
  struct Args {
    std::string source, listing_selector;
    bool json = false, allow_private = false;
  };
  auto a = std::make_shared<Args>();
  auto* feed_cmd =
      app.add_subcommand("feed", "Parse a feed, sitemap or listing page and print its entries");
  feed_cmd
      ->add_option("SOURCE", a->source,
                   "An http(s):// or file:// URL, a file, or - for standard input")
      ->required();
  feed_cmd->add_flag("--json", a->json, "Print the parsed model as JSON (doc/feed.md)");
  feed_cmd->add_flag("--allow-private", a->allow_private, "Allow private and loopback addresses");
  feed_cmd->add_option("--listing", a->listing_selector,
                       "Treat SOURCE as an HTML listing; CSS selector for article links");
  return {feed_cmd,
          [a] { return RunFeed(a->source, a->json, a->listing_selector, a->allow_private); }};
}

Subcommand AddSync(CLI::App& app) {
  struct Args {
    std::string config, only_source;
    bool json = false, dry_run = false, worker = false;
    int64_t lease_seconds = 300;
  };
  auto a = std::make_shared<Args>();
  auto* sync_cmd =
      app.add_subcommand("sync", "Fetch due sources and store new and changed articles");
  sync_cmd->add_option("--config", a->config, kConfigHelp);
  sync_cmd->add_flag("--json", a->json, "Print a JSON summary");
  sync_cmd->add_flag("--dry-run", a->dry_run, "Fetch and parse, but write nothing");
  sync_cmd->add_option("--source", a->only_source, "Sync only this source");
  auto* worker =
      sync_cmd->add_flag("--worker", a->worker,
                         "Share the sync with other workers (PostgreSQL store; exits when done)");
  sync_cmd->add_option("--lease-seconds", a->lease_seconds, "How long a worker owns a claimed job")
      ->check(CLI::Range(1, 86400))
      ->needs(worker);
  worker->excludes("--dry-run")->excludes("--source");
  return {sync_cmd, [a] {
            return a->worker ? RunSyncWorker(a->config, a->json, a->lease_seconds)
                             : RunSync(a->config, a->json, a->dry_run, a->only_source);
          }};
}

struct ConfigAndJson {
  std::string config;
  bool json = false;
};

Subcommand AddBuild(CLI::App& app) {
  auto a = std::make_shared<ConfigAndJson>();
  auto* build_cmd =
      app.add_subcommand("build", "Render the mirror from the store into the output directory");
  build_cmd->add_option("--config", a->config, kConfigHelp);
  build_cmd->add_flag("--json", a->json, "Print a JSON summary");
  return {build_cmd, [a] { return RunBuild(a->config, a->json); }};
}

Subcommand AddPublish(CLI::App& app) {
  auto a = std::make_shared<ConfigAndJson>();
  auto* publish_cmd =
      app.add_subcommand("publish", "Commit the built site to git and push it to every remote");
  publish_cmd->add_option("--config", a->config, kConfigHelp);
  publish_cmd->add_flag("--json", a->json, "Print a JSON summary");
  return {publish_cmd, [a] { return RunPublish(a->config, a->json); }};
}

Subcommand AddServe(CLI::App& app) {
  struct Args {
    std::string config;
    int port = 8080;
  };
  auto a = std::make_shared<Args>();
  auto* serve_cmd = app.add_subcommand("serve", "Serve the built site on 127.0.0.1 for preview");
  serve_cmd->add_option("--config", a->config, kConfigHelp);
  serve_cmd->add_option("--port", a->port, "Port (0 picks a free one)")
      ->check(CLI::Range(0, 65535));
  return {serve_cmd, [a] { return RunServe(a->config, a->port); }};
}

Subcommand AddInit(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  auto* init_cmd = app.add_subcommand("init", "Write a commented samizdat.toml to start from");
  init_cmd->add_option("DIR", *dir, "Directory (default: current)");
  return {init_cmd, [dir] { return RunInit(*dir); }};
}

}  // namespace
}  // namespace samizdat

int main(int argc, char** argv) {
  // Named here, so --help says "samizdat" and not the path the binary was started by.
  CLI::App app{"samizdat: mirror news sites as clean Markdown and static HTML", "samizdat"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "samizdat 0.1.0");
  bool quiet = false, verbose = false;
  app.add_flag("-q,--quiet", quiet, "Print only errors, warnings and requested data");
  app.add_flag("-v,--verbose", verbose, "Print more detail");
  app.fallthrough();  // -q and -v also after the command
  const samizdat::Subcommand commands[] = {
      samizdat::AddExtract(app), samizdat::AddConvert(app),     samizdat::AddFeed(app),
      samizdat::AddSync(app),    samizdat::AddBuild(app),       samizdat::AddPublish(app),
      samizdat::AddServe(app),   samizdat::AddInit(app),        samizdat::AddWatch(app),
      samizdat::AddKeygen(app),  samizdat::AddVerify(app),      samizdat::AddBundle(app),
      samizdat::AddSearch(app),  samizdat::AddGenerateDocs(app)};
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version exit 0; every other parse error is a usage error (status 2),
    // whatever code CLI11 gives it.
    return app.exit(e) == 0 ? samizdat::kExitOk : samizdat::kExitUsage;
  }
  samizdat::SetVerbosity(quiet     ? samizdat::Verbosity::kQuiet
                         : verbose ? samizdat::Verbosity::kVerbose
                                   : samizdat::Verbosity::kNormal);
  for (const auto& command : commands)
    if (*command.app) return command.run();
  return samizdat::kExitUsage;
}
