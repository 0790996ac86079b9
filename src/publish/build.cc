#include "publish/build.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "clean/clean.h"
#include "html/parser.h"
#include "publish/images.h"
#include "render/escape.h"
#include "render/page.h"
#include "util/dates.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

using nlohmann::json;

// Writes through Env only when the bytes differ from what is on disk.
class TreeWriter {
 public:
  TreeWriter(Env& env, std::string root, BuildReport& report)
      : env_(env), root_(std::move(root)), report_(report) {}

  bool Put(const std::string& relative, const std::string& contents) {
    std::string path = root_ + "/" + relative;
    std::string existing, error;
    if (std::filesystem::exists(path) && env_.ReadFile(path, &existing, &error) &&
        existing == contents) {
      ++report_.files_unchanged;
      return true;
    }
    // Atomic (rename) but not fsync'ed: a build is repeatable, and 100,000 fsyncs would
    // dominate its time. A crash mid-build is repaired by the next build.
    if (!env_.WriteFileAtomic(path, contents, &error, /*durable=*/false)) {
      report_.error = error;
      return false;
    }
    ++report_.files_written;
    return true;
  }

  const std::string& root() const { return root_; }

 private:
  Env& env_;
  std::string root_;
  BuildReport& report_;
};

// Appends a query stamp to a relative link target.
std::string Stamped(const std::string& target, const std::string& stamp) {
  if (stamp.empty()) return target;
  return target + (target.find('?') == std::string::npos ? "?" : "&") + stamp;
}

// Markdown link text: shown as text, never as markup, and never breaks the link.
std::string LinkText(const std::string& title) { return render::EscapeMarkdownText(title); }

// Where an index page (two levels below the tree root) links for an entry.
using EntryTarget = std::function<std::string(const store::IndexEntry&)>;

std::string IndexPage(const config::SiteConfig& site, const std::string& channel_name,
                      const std::vector<store::IndexEntry>& entries, size_t page, size_t pages,
                      const std::string& stamp, bool readme, const EntryTarget& target_of) {
  size_t size = static_cast<size_t>(site.index_page_size);
  size_t begin = (page - 1) * size;
  size_t end = std::min(entries.size(), page * size);
  std::vector<std::string> lines;
  lines.push_back("### " + render::EscapeMarkdownText(channel_name));
  lines.push_back("---");
  for (size_t i = end; i-- > begin;) {
    const auto& e = entries[i];
    std::string target = target_of(e);
    lines.push_back("#### [" + LinkText(e.title) + "](" +
                    render::MarkdownLinkTarget(Stamped(target, readme ? stamp : "")) + ") ");
  }
  if (readme && !site.promo.empty()) {
    size_t at = std::min<size_t>(5, lines.size());
    lines.insert(lines.begin() + static_cast<std::ptrdiff_t>(at), site.promo);
  }
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  out += "\n---\n#### 第 [ ";
  // Up to pager_pages pages, newest first, starting at this page.
  size_t first = readme ? pages : page;
  size_t last_listed =
      first > static_cast<size_t>(site.pager_pages) ? first - site.pager_pages + 1 : 1;
  for (size_t n = first; n >= last_listed && n >= 1; --n) {
    out += "[" + std::to_string(n) + "](" +
           Stamped("./" + std::to_string(n) + ".md", readme ? stamp : "") + ")";
    if (n > last_listed) out += " / ";
    if (n == 1) break;
  }
  out += " ] 页\n";
  return out;
}

// Channel groups in the order the configuration first names them.
std::vector<std::string> ChannelGroups(const config::Config& cfg) {
  std::vector<std::string> groups;
  for (const auto& ch : cfg.channels)
    if (std::find(groups.begin(), groups.end(), ch.group) == groups.end())
      groups.push_back(ch.group);
  return groups;
}

std::string HomePage(const config::Config& cfg, const std::string& stamp) {
  std::string out = "## " + render::EscapeMarkdownText(cfg.site.title) + "\n\n";
  std::vector<std::string> groups = ChannelGroups(cfg);
  for (const auto& g : groups) {
    out += "#### " + (g.empty() ? std::string("频道") : render::EscapeMarkdownText(g)) +
           " &nbsp;>&nbsp; ";
    bool first = true;
    for (const auto& ch : cfg.channels) {
      if (ch.group != g) continue;
      if (!first) out += " &nbsp;| &nbsp; ";
      first = false;
      out += "[" + LinkText(ch.name) + "](" +
             render::MarkdownLinkTarget(Stamped("indexes/" + ch.id + "/README.md", stamp)) + ")";
    }
    out += "\n\n";
  }
  return out;
}

// HTML text and attribute values; also well-formed XML (render::EscapeXml), so the
// sitemap's <loc> values stay valid.
std::string Esc(std::string_view s) { return render::EscapeXml(s); }

// A link target in an HTML attribute: refused schemes become "" (a link to the page itself).
std::string EscUrl(std::string_view url) { return Esc(render::SafeUrl(url)); }

std::string HtmlHead(const std::string& title, const std::string& css) {
  return "<!DOCTYPE html>\n<html>\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">\n<title>" +
         Esc(title) + "</title>\n<link rel=\"stylesheet\" href=\"" + EscUrl(css) +
         "\">\n</head>\n<body>\n";
}

std::string HtmlIndexPage(const config::Config& cfg, const config::ChannelConfig& ch,
                          const std::vector<store::IndexEntry>& entries, size_t page, size_t pages,
                          const std::function<std::string(const store::IndexEntry&)>& target_of) {
  size_t size = static_cast<size_t>(cfg.site.index_page_size);
  std::string out = HtmlHead(ch.name + " · " + cfg.site.title, "../../style.css");
  out += "<nav><a href=\"../../index.html\">" + Esc(cfg.site.title) + "</a></nav>\n<h1>" +
         Esc(ch.name) + "</h1>\n<ul class=\"index\">\n";
  for (size_t i = std::min(entries.size(), page * size); i-- > (page - 1) * size;) {
    const auto& e = entries[i];
    out += "<li><a href=\"" + EscUrl(target_of(e)) + "\">" + Esc(CollapseWhitespace(e.title)) +
           "</a></li>\n";
  }
  out += "</ul>\n<nav class=\"pager\">";
  size_t last =
      page > static_cast<size_t>(cfg.site.pager_pages) ? page - cfg.site.pager_pages + 1 : 1;
  for (size_t n = std::min(pages, page + 1); n >= 1 && n + 1 > last; --n) {
    if (n == page)
      out += "<strong>" + std::to_string(n) + "</strong> ";
    else
      out += "<a href=\"" + std::to_string(n) + ".html\">" + std::to_string(n) + "</a> ";
    if (n == 1) break;
  }
  out += "</nav>\n</body>\n</html>\n";
  return out;
}

std::string HtmlHome(const config::Config& cfg) {
  std::string out = HtmlHead(cfg.site.title, "style.css");
  out += "<h1>" + Esc(cfg.site.title) + "</h1>\n";
  std::vector<std::string> groups = ChannelGroups(cfg);
  for (const auto& g : groups) {
    if (!g.empty()) out += "<h2>" + Esc(g) + "</h2>\n";
    out += "<ul class=\"channels\">\n";
    for (const auto& ch : cfg.channels)
      if (ch.group == g)
        out += "<li><a href=\"" + EscUrl("indexes/" + ch.id + "/index.html") + "\">" +
               Esc(ch.name) + "</a></li>\n";
    out += "</ul>\n";
  }
  out += "<p><a href=\"feed.xml\">Atom</a></p>\n</body>\n</html>\n";
  return out;
}

// An Atom feed of the newest entries (deterministic: dates come from the store).
std::string AtomFeed(const config::Config& cfg, const std::string& title, const std::string& self,
                     std::vector<store::IndexEntry> entries) {
  std::stable_sort(entries.begin(), entries.end(),
                   [](const store::IndexEntry& a, const store::IndexEntry& b) {
                     return a.added_at > b.added_at;
                   });
  if (entries.size() > 50) entries.resize(50);
  const std::string& base = cfg.site.base_url;
  std::string updated =
      FormatUnixUtc(entries.empty() ? 0 : entries.front().added_at, "%Y-%m-%dT%H:%M:%SZ");
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n";
  out += "<title>" + render::EscapeXml(title) + "</title>\n<id>" + render::EscapeXml(base + self) +
         "</id>\n<link rel=\"self\" href=\"" + EscUrl(base + self) + "\"/>\n<link href=\"" +
         EscUrl(base.empty() ? "index.html" : base) + "\"/>\n<updated>" + updated + "</updated>\n";
  for (const auto& e : entries) {
    std::string href = base + "pages/" + e.home_channel + "/" + e.article_id + ".html";
    out += "<entry><title>" + render::EscapeXml(CollapseWhitespace(e.title)) +
           "</title><link href=\"" + EscUrl(href) + "\"/><id>" + render::EscapeXml(href) +
           "</id><updated>" + FormatUnixUtc(e.added_at, "%Y-%m-%dT%H:%M:%SZ") +
           "</updated></entry>\n";
  }
  out += "</feed>\n";
  return out;
}

struct ManifestEntry {
  int64_t revision = 0;
  std::string relative;
};

// First line: the settings key; then "id<TAB>revision<TAB>path" per page. A different
// settings key invalidates every entry.
std::unordered_map<int64_t, ManifestEntry> ParseManifest(const std::string& text,
                                                         const std::string& settings) {
  std::unordered_map<int64_t, ManifestEntry> out;
  size_t nl = text.find('\n');
  if (nl == std::string::npos || text.compare(0, nl, settings) != 0) return out;
  size_t pos = nl + 1;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    size_t t1 = text.find('\t', pos), t2 = t1 == std::string::npos ? t1 : text.find('\t', t1 + 1);
    if (t2 != std::string::npos && t2 < end) {
      int64_t id = std::strtoll(text.c_str() + pos, nullptr, 10);
      int64_t rev = std::strtoll(text.c_str() + t1 + 1, nullptr, 10);
      out[id] = ManifestEntry{rev, text.substr(t2 + 1, end - t2 - 1)};
    }
    pos = end + 1;
  }
  return out;
}

std::string FormatManifest(const std::unordered_map<int64_t, ManifestEntry>& pages,
                           const std::string& settings) {
  std::vector<int64_t> ids;
  ids.reserve(pages.size());
  for (const auto& [id, e] : pages) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  std::string out = settings + "\n";
  for (int64_t id : ids) {
    const ManifestEntry& e = pages.at(id);
    out += std::to_string(id) + "\t" + std::to_string(e.revision) + "\t" + e.relative + "\n";
  }
  return out;
}

// The configuration that shapes article pages; a change re-renders every page.
std::string PageSettingsKey(const config::SiteConfig& s) {
  return json{{"menu", s.menu},
              {"tag", s.menu_tag_links},
              {"footer", s.footer},
              {"links", std::string(clean::LinkPolicyName(s.link_policy))},
              {"shift", s.heading_shift},
              {"wrapper", s.body_wrapper},
              {"theme", std::string(config::ThemeName(s.theme))}}
      .dump();
}

}  // namespace

std::string Stamp(int64_t unix_seconds) { return FormatUnixUtc(unix_seconds, "%m%d%H%M"); }

BuildReport BuildSite(const config::Config& cfg, store::Store& store, Env& env,
                      fetch::HttpClient* http) {
  BuildReport report;
  ImageStore images(env, cfg.site.rehost_images ? http : nullptr, cfg.output_dir,
                    cfg.site.max_image_bytes);
  TreeWriter out(env, cfg.output_dir, report);
  std::string stamp = cfg.site.index_stamps ? Stamp(store.LatestUpdate()) : "";
  std::string ext = cfg.site.theme == config::Theme::kHtml ? ".html" : ".md";

  // Repository size control: the oldest articles beyond the limit live in the archive
  // tree; the main tree's pages and indexes link to them through the archive's prefix.
  const publish::ArchiveConfig& archive = cfg.publish.archive;
  std::vector<store::Store::ArticlePath> paths = store.ArticlePaths();
  std::unordered_set<int64_t> archived;
  if (archive.enabled() && static_cast<int64_t>(paths.size()) > archive.max_articles)
    for (size_t i = 0; i < paths.size() - static_cast<size_t>(archive.max_articles); ++i)
      archived.insert(paths[i].id);
  // From a page or index two levels below a tree root to the archive's root.
  const std::string archive_root = archive.link_prefix.find("://") != std::string::npos
                                       ? archive.link_prefix
                                       : "../../" + archive.link_prefix;
  std::unique_ptr<TreeWriter> archive_out;
  if (archive.enabled()) archive_out = std::make_unique<TreeWriter>(env, archive.output, report);

  // Where every stored article lives in the mirror, for rewriting links between them:
  // canonical URL -> the link from a page in pages/<channel>/.
  std::unordered_map<std::string, std::string> mirror_path;
  for (const auto& p : paths) {
    if (p.home_channel.empty()) continue;
    std::string rel = p.home_channel + "/" + p.article_id + ext;
    mirror_path[p.canonical_url] =
        archived.count(p.id) ? archive_root + "pages/" + rel : "../" + rel;
  }
  auto target_of = [&](const store::IndexEntry& e) {
    std::string rel = "pages/" + e.home_channel + "/" + e.article_id + ext;
    return (archived.count(e.article) ? archive_root : std::string("../../")) + rel;
  };

  // Manifest: the page settings, then per article the revision and path it was last
  // rendered with. Tab-separated: read and written in a few milliseconds at 100,000 pages.
  const std::string manifest_path = cfg.output_dir + "/.samizdat/build-manifest.tsv";
  const std::string settings = PageSettingsKey(cfg.site);
  std::unordered_map<int64_t, ManifestEntry> pages;
  {
    std::string text, err;
    if (std::filesystem::exists(manifest_path) && env.ReadFile(manifest_path, &text, &err))
      pages = ParseManifest(text, settings);
  }

  const bool html_site = cfg.site.theme == config::Theme::kHtml;
  config::SiteConfig page_site = cfg.site;
  if (html_site) {
    page_site.stylesheet = "../../style.css";
    page_site.home_href = "../../index.html";
    if (!out.Put("style.css", std::string(render::Stylesheet()) + "\n")) return report;
  }
  std::vector<std::string> sitemap_paths;
  // A page is rendered again only when its revision, path or the page settings changed
  // (or its file went missing); the others are not even read from the store.
  auto up_to_date = [&](int64_t id, int64_t revision, const std::string& relative) {
    auto it = pages.find(id);
    bool in_archive = archived.count(id) > 0;
    return it != pages.end() && it->second.revision == revision &&
           it->second.relative == (in_archive ? "archive:" : "") + relative &&
           std::filesystem::exists((in_archive ? archive.output : cfg.output_dir) + "/" + relative);
  };
  // Pages are rendered in batches: parsing, cleaning and rendering (pure) run on every
  // core; the store, image downloads and file writes stay on this thread.
  struct Job {
    store::CurrentArticle c;
    std::string relative;
    bool archived = false;
    extract::Article a;
    std::vector<html::Node*> imgs;
    std::vector<std::string> urls;
    std::string page;
  };
  const unsigned workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  auto parallel = [&](std::vector<Job>& jobs, const std::function<void(Job&)>& fn) {
    std::atomic<size_t> next{0};
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < workers; ++w)
      pool.emplace_back([&] {
        for (size_t i; (i = next++) < jobs.size();) fn(jobs[i]);
      });
    for (size_t i; (i = next++) < jobs.size();) fn(jobs[i]);
    for (auto& t : pool) t.join();
  };
  auto prepare = [&](Job& j) {
    const store::CurrentArticle& c = j.c;
    extract::Article& a = j.a;
    a.url = c.canonical_url;
    a.title = c.title;
    if (!c.byline.empty()) a.byline = c.byline;
    if (!c.published.empty()) a.published = c.published;
    a.id = c.article_id;
    if (!c.lead_image_json.empty()) {
      json li = json::parse(c.lead_image_json, nullptr, false);
      if (li.is_object())
        a.lead_image =
            extract::LeadImage{li.value("src", ""), li.value("alt", ""), li.value("caption", "")};
    }
    a.doc = html::ParseHtml("<body>" + c.html + "</body>");
    a.body = a.doc->body();
    a.base_url = c.canonical_url;
    clean::CleanOptions co;
    co.links = cfg.site.link_policy;
    co.heading_shift = cfg.site.heading_shift;
    clean::CleanBody(*a.doc, a.body, a.base_url, co);
    // Links to other mirrored articles point at their mirror pages, whatever the policy.
    for (html::Node* n = a.body->first_child; n; n = html::NextInTree(n, a.body)) {
      if (n->Is(html::Tag::k_img)) {
        j.imgs.push_back(n);
        j.urls.emplace_back(n->Attr("src"));
        continue;
      }
      if (!(n->Is(html::Tag::k_a) || n->name == "ok")) continue;
      std::string href(n->Attr("href"));
      auto it = mirror_path.find(href.substr(0, href.find('#')));
      if (it == mirror_path.end()) continue;
      a.doc->Rename(n, "a");
      a.doc->SetAttr(n, "href", it->second);
    }
    if (a.lead_image) j.urls.push_back(a.lead_image->src);
  };
  auto render_page = [&](Job& j) {
    const std::string up = "../../";  // from pages/<channel>/ to the tree root
    for (html::Node* img : j.imgs)
      if (std::string local = images.LocalPath(std::string(img->Attr("src"))); !local.empty())
        j.a.doc->SetAttr(img, "src", up + local);
    if (j.a.lead_image)
      if (std::string local = images.LocalPath(j.a.lead_image->src); !local.empty())
        j.a.lead_image->src = up + local;
    j.page = render::RenderPage(j.a, page_site, cfg.site.theme);
  };
  std::vector<Job> batch;
  auto flush = [&] {
    if (batch.empty() || !report.error.empty()) return;
    parallel(batch, prepare);
    std::vector<std::string> urls;
    for (const auto& j : batch) urls.insert(urls.end(), j.urls.begin(), j.urls.end());
    images.Fetch(urls);  // re-host: each image downloaded once, by content
    parallel(batch, render_page);
    for (auto& j : batch) {
      if (j.archived) {
        // Archived pages go to the archive tree, with the images they show.
        if (!archive_out->Put(j.relative, j.page)) return;
        for (const auto& u : j.urls) {
          std::string local = images.LocalPath(u);
          if (local.empty() || std::filesystem::exists(archive.output + "/" + local)) continue;
          std::string bytes, err;
          if (env.ReadFile(cfg.output_dir + "/" + local, &bytes, &err))
            archive_out->Put(local, bytes);
        }
        std::error_code ec;
        std::filesystem::remove(cfg.output_dir + "/" + j.relative,
                                ec);  // moved out of the main tree
      } else if (!out.Put(j.relative, j.page)) {
        return;
      }
      ++report.pages_rendered;
      // A page still pointing at an original image is rendered again next time.
      bool complete = true;
      for (const auto& u : j.urls)
        complete &= !images.LocalPath(u).empty() || !cfg.site.rehost_images || !http;
      if (complete)
        pages[j.c.id] = ManifestEntry{j.c.revision_id, (j.archived ? "archive:" : "") + j.relative};
      else
        pages.erase(j.c.id);
    }
    batch.clear();
  };
  store.ForEachCurrentArticle(
      [&](const store::CurrentArticle& c) {
        if (!report.error.empty() || c.home_channel.empty()) return;
        ++report.articles;
        std::string relative = "pages/" + c.home_channel + "/" + c.article_id + ext;
        if (html_site) sitemap_paths.push_back(relative);
        if (!c.content_loaded) {  // `want` below found its page up to date
          ++report.files_unchanged;
          return;
        }
        batch.push_back(Job{c, relative, archived.count(c.id) > 0, {}, {}, {}, {}});
        if (batch.size() >= 256) flush();
      },
      [&](const store::CurrentArticle& light) {
        return !up_to_date(light.id, light.revision_id,
                           "pages/" + light.home_channel + "/" + light.article_id + ext);
      });
  flush();
  if (!report.error.empty()) return report;

  std::vector<store::IndexEntry> all_entries;
  for (const auto& ch : cfg.channels) {
    std::vector<store::IndexEntry> entries = store.ChannelIndex(ch.id);
    std::string jsonl;
    for (const auto& e : entries)
      jsonl += json{{"id", e.article_id},
                    {"title", e.title},
                    {"page", "pages/" + e.home_channel + "/" + e.article_id + ext},
                    {"archived", archived.count(e.article) > 0}}
                   .dump() +
               "\n";
    if (!out.Put("indexes/" + ch.id + ".jsonl", jsonl)) return report;
    size_t size = static_cast<size_t>(cfg.site.index_page_size);
    size_t npages = std::max<size_t>(1, (entries.size() + size - 1) / size);
    if (html_site) {
      for (size_t n = 1; n <= npages; ++n) {
        std::string rel = "indexes/" + ch.id + "/" + std::to_string(n) + ".html";
        if (!out.Put(rel, HtmlIndexPage(cfg, ch, entries, n, npages, target_of))) return report;
        sitemap_paths.push_back(rel);
      }
      if (!out.Put("indexes/" + ch.id + "/index.html",
                   HtmlIndexPage(cfg, ch, entries, npages, npages, target_of)))
        return report;
      if (!out.Put("feeds/" + ch.id + ".xml", AtomFeed(cfg, ch.name + " · " + cfg.site.title,
                                                       "feeds/" + ch.id + ".xml", entries)))
        return report;
      for (auto& e : entries) all_entries.push_back(std::move(e));
      continue;
    }
    for (size_t n = 1; n <= npages; ++n)
      if (!out.Put("indexes/" + ch.id + "/" + std::to_string(n) + ".md",
                   IndexPage(cfg.site, ch.name, entries, n, npages, stamp, false, target_of)))
        return report;
    if (!out.Put("indexes/" + ch.id + "/README.md",
                 IndexPage(cfg.site, ch.name, entries, npages, npages, stamp, true, target_of)))
      return report;
  }
  if (html_site) {
    // The site feed: each article once, newest first.
    std::set<int64_t> seen;
    std::vector<store::IndexEntry> unique;
    std::stable_sort(all_entries.begin(), all_entries.end(),
                     [](const store::IndexEntry& a, const store::IndexEntry& b) {
                       return a.article < b.article;
                     });
    for (auto& e : all_entries)
      if (seen.insert(e.article).second) unique.push_back(std::move(e));
    if (!out.Put("index.html", HtmlHome(cfg)) ||
        !out.Put("feed.xml", AtomFeed(cfg, cfg.site.title, "feed.xml", unique)))
      return report;
    std::sort(sitemap_paths.begin(), sitemap_paths.end());
    std::string sitemap =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
    sitemap += "<url><loc>" + Esc(cfg.site.base_url + "index.html") + "</loc></url>\n";
    for (const auto& p : sitemap_paths)
      sitemap += "<url><loc>" + Esc(cfg.site.base_url + p) + "</loc></url>\n";
    sitemap += "</urlset>\n";
    if (!out.Put("sitemap.xml", sitemap)) return report;
  } else if (!out.Put("README.md", HomePage(cfg, stamp))) {
    return report;
  }
  out.Put(".samizdat/build-manifest.tsv", FormatManifest(pages, settings));
  std::string err;
  if (!images.Save(&err)) report.error = err;
  report.images_downloaded = images.downloaded();
  report.images_failed = images.failed();
  return report;
}

}  // namespace samizdat::publish
