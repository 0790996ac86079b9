#include "cli/bundle_command.h"

#include <fmt/format.h>

#include <memory>

#include "publish/bundle.h"
#include "store/article_store.h"

namespace samizdat {
namespace {

struct BundleArgs {
  std::string config = "samizdat.toml";
  bool epub = false, single_file = false, zip = false;
  std::string channel, since, lang, output;
};

// Exactly one of --epub, --single-file, --zip, and a known channel and a valid date.
bool CheckArgs(const BundleArgs& a, const config::Config& cfg, publish::BundleSelection* sel) {
  if (a.epub + a.single_file + a.zip != 1) {
    Complain("bundle: give exactly one of --epub, --single-file, --zip");
    return false;
  }
  bool known = a.channel.empty();
  for (const auto& ch : cfg.channels) known |= ch.id == a.channel;
  if (!known) {
    Complain("bundle: no channel '" + a.channel + "' in the configuration");
    return false;
  }
  sel->channel = a.channel;
  sel->lang = a.lang;
  if (!a.since.empty()) {
    std::optional<int64_t> day = publish::ParseDay(a.since);
    if (!day) {
      Complain("bundle: --since takes a date as YYYY-MM-DD, not '" + a.since + "'");
      return false;
    }
    sel->since = *day;
  }
  return true;
}

int WriteOut(Env& env, const std::string& path, const std::string& bytes) {
  if (Status s = env.WriteFileAtomic(path, bytes); !s.ok()) {
    Complain("cannot write " + path + ": " + s.message());
    return kExitStoreIo;
  }
  return kExitOk;
}

int RunZip(Env& env, const config::Config& cfg, const std::string& output) {
  Result<std::string> zip = publish::ZipSite(env, cfg.output_dir);
  if (!zip.ok()) {
    Complain("bundle: " + zip.status().message());
    return kExitStoreIo;
  }
  std::string path = output.empty() ? "site.zip" : output;
  if (int rc = WriteOut(env, path, *zip); rc != kExitOk) return rc;
  PrintLine(stdout, fmt::format("{}: the site in {} bytes", path, zip->size()));
  return kExitOk;
}

int RunFromStore(Env& env, const config::Config& cfg, const BundleArgs& a,
                 const publish::BundleSelection& sel) {
  if (!store::IsPostgresLocation(cfg.store_path) && !Exists(env, cfg.store_path)) {
    Complain("bundle: no store at " + cfg.store_path + " yet: run samizdat sync first");
    return kExitUsage;
  }
  std::string err;
  auto store = store::OpenStore(cfg.store_path, &err);
  if (!store) {
    Complain("bundle: " + err);
    return kExitUsage;
  }
  publish::BundleStats stats;
  if (a.epub) {
    Result<std::string> epub = publish::MakeEpubBundle(cfg, *store, env, sel, &stats);
    if (!epub.ok()) {
      Complain("bundle: " + epub.status().message());
      return kExitSomeFailed;
    }
    std::string path = a.output.empty() ? "mirror.epub" : a.output;
    if (int rc = WriteOut(env, path, *epub); rc != kExitOk) return rc;
    PrintLine(stdout, fmt::format("{}: {} articles, {} images, {} bytes", path, stats.articles,
                                  stats.images_embedded, epub->size()));
  } else {
    auto pages = publish::MakeSingleFilePages(cfg, *store, env, sel, &stats);
    if (!pages.ok()) {
      Complain("bundle: " + pages.status().message());
      return kExitSomeFailed;
    }
    std::string dir = a.output.empty() ? "single-file" : a.output;
    for (const auto& [name, html] : *pages)
      if (int rc = WriteOut(env, dir + "/" + name, html); rc != kExitOk) return rc;
    PrintLine(stdout, fmt::format("{}/: {} pages, {} images inlined", dir, stats.articles,
                                  stats.images_embedded));
  }
  if (stats.images_dropped)
    Complain(fmt::format("{} images were not re-hosted in the built site and were left out",
                         stats.images_dropped));
  return kExitOk;
}

int RunBundle(const BundleArgs& a) {
  Env& env = *Env::Default();
  config::Config cfg;
  if (!LoadConfigOrReport(env, a.config, &cfg)) return kExitUsage;
  publish::BundleSelection sel;
  if (!CheckArgs(a, cfg, &sel)) return kExitUsage;
  if (a.zip) return RunZip(env, cfg, a.output);
  return RunFromStore(env, cfg, a, sel);
}

}  // namespace

Subcommand AddBundle(CLI::App& app) {
  auto a = std::make_shared<BundleArgs>();
  auto* cmd = app.add_subcommand("bundle", "Pack the mirror for offline reading");
  cmd->add_option("--config", a->config, "The mirror's samizdat.toml");
  cmd->add_flag("--epub", a->epub, "An EPUB 3 digest of stored articles");
  cmd->add_flag("--single-file", a->single_file,
                "Each article as one self-contained HTML file (into the -o directory)");
  cmd->add_flag("--zip", a->zip, "The built site with its signed manifest as one ZIP");
  cmd->add_option("--channel", a->channel, "Only this channel");
  cmd->add_option("--since", a->since, "Only articles added on or after this day (YYYY-MM-DD)");
  cmd->add_option("--lang", a->lang, "Language tag of the text (default: zh for CJK titles)");
  cmd->add_option("-o,--output", a->output, "Output file (directory for --single-file)");
  return {cmd, [a] { return RunBundle(*a); }};
}

}  // namespace samizdat
