#include "publish/build.h"

#include <nlohmann/json.hpp>

#include <atomic>
#include <ctime>
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
#include "publish/search_shards.h"
#include "render/escape.h"
#include "render/page.h"
#include "util/dates.h"
#include "util/strings.h"

namespace samizdat::publish {
namespace {

using nlohmann::json;

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
  out +=
      "<p><a href=\"search.html\">Search</a> · <a href=\"feed.xml\">Atom</a></p>\n"
      "</body>\n</html>\n";
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
  int64_t size = -1;  // bytes written: a page of another size (cut by a power loss) is redone
};

// First line: the settings key; then "id<TAB>revision<TAB>size<TAB>path" per page. A
// different settings key invalidates every entry.
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
    size_t t3 = t2 == std::string::npos ? t2 : text.find('\t', t2 + 1);
    if (t3 != std::string::npos && t3 < end) {
      int64_t id = std::strtoll(text.c_str() + pos, nullptr, 10);
      int64_t rev = std::strtoll(text.c_str() + t1 + 1, nullptr, 10);
      int64_t size = std::strtoll(text.c_str() + t2 + 1, nullptr, 10);
      out[id] = ManifestEntry{rev, text.substr(t3 + 1, end - t3 - 1), size};
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
    out += std::to_string(id) + "\t" + std::to_string(e.revision) + "\t" + std::to_string(e.size) +
           "\t" + e.relative + "\n";
  }
  return out;
}

// The configuration that shapes article pages; a change re-renders every page.
// Raised whenever the page renderers change what they write (escaping, layout), so pages
// built by an older samizdat are rendered again.
constexpr int kPageFormatVersion = 3;

std::string PageSettingsKey(const config::SiteConfig& s) {
  return json{{"format", kPageFormatVersion},
              {"menu", s.menu},
              {"tag", s.menu_tag_links},
              {"footer", s.footer},
              {"links", std::string(clean::LinkPolicyName(s.link_policy))},
              {"shift", s.heading_shift},
              {"wrapper", s.body_wrapper},
              {"theme", std::string(config::ThemeName(s.theme))}}
      .dump();
}

// One article page on its way through a batch.
struct Job {
  store::CurrentArticle c;
  std::string relative;
  bool archived = false;
  extract::Article a;
  std::vector<html::Node*> imgs;
  std::vector<std::string> urls;
  std::string page;
};

// Runs `fn` on every job, on up to 8 threads. `fn` must be pure (no I/O, no shared state).
void ParallelFor(std::vector<Job>& jobs, const std::function<void(Job&)>& fn) {
  const unsigned workers = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  std::atomic<size_t> next{0};
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w)
    pool.emplace_back([&] {
      for (size_t i; (i = next++) < jobs.size();) fn(jobs[i]);
    });
  for (size_t i; (i = next++) < jobs.size();) fn(jobs[i]);
  for (auto& t : pool) t.join();
}

// JSON text that never throws: strings from pages may hold invalid UTF-8.
std::string JsonText(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

// One build of the site. Every file goes through an OutputTree (main tree, archive tree);
// a problem with one article or file is recorded, naming it, and the build goes on.
class SiteBuilder {
 public:
  SiteBuilder(const config::Config& cfg, store::Store& store, Env& env, fetch::HttpClient* http)
      : cfg_(cfg),
        store_(store),
        env_(env),
        out_(env, cfg.output_dir),
        images_(out_, cfg.site.rehost_images ? http : nullptr, cfg.site.max_image_bytes),
        http_(http),
        ext_(cfg.site.theme == config::Theme::kHtml ? ".html" : ".md"),
        html_site_(cfg.site.theme == config::Theme::kHtml) {}

  BuildReport Run();

 private:
  bool Write(OutputTree& tree, const std::string& relative, std::string_view contents,
             const std::string& about = "");
  void PlanArchive();
  void LoadManifest();
  bool UpToDate(int64_t id, int64_t revision, const std::string& relative);
  void RenderPages();
  void Flush();
  // The configured proxy of a source ("" for none, or for a source no longer configured).
  std::string SourceProxy(const std::string& source_id) const {
    for (const auto& s : cfg_.sources)
      if (s.id == source_id) return s.proxy;
    return {};
  }
  void Prepare(Job& j) const;
  void Render(Job& j) const;
  void WritePage(Job& j);
  void WriteChannel(const config::ChannelConfig& ch, std::vector<store::IndexEntry>* all);
  void WriteHtmlHome(std::vector<store::IndexEntry> all);
  std::string TargetOf(const store::IndexEntry& e) const;

  const config::Config& cfg_;
  store::Store& store_;
  Env& env_;
  BuildReport report_;
  Status store_error_;  // the first failed store read: the build stops before it writes
  OutputTree out_;
  std::unique_ptr<OutputTree> archive_out_;
  ImageStore images_;
  fetch::HttpClient* http_;
  const std::string ext_;
  const bool html_site_;
  // Derived once from the site's settings, used for every page.
  render::PageOptions page_options_;
  clean::CleanOptions clean_options_;
  std::string stamp_, settings_, archive_root_;
  std::unordered_set<int64_t> archived_;
  // Canonical URL -> the link to its mirror page from a page in pages/<channel>/.
  std::unordered_map<std::string, std::string> mirror_path_;
  std::unordered_map<int64_t, ManifestEntry> pages_;
  std::vector<std::string> sitemap_paths_;
  std::vector<Job> batch_;
};

// Writes through the tree, counting; a failure is recorded (with `about`, the article URL,
// when given) and the file's earlier version, if any, is kept rather than swept as stale.
bool SiteBuilder::Write(OutputTree& tree, const std::string& relative, std::string_view contents,
                        const std::string& about) {
  std::string error;
  switch (tree.Put(relative, contents, &error)) {
    case OutputTree::PutResult::kWritten:
      ++report_.files_written;
      return true;
    case OutputTree::PutResult::kUnchanged:
      ++report_.files_unchanged;
      return true;
    case OutputTree::PutResult::kFailed:
      break;
  }
  report_.errors.push_back(about.empty() ? error : "article " + about + ": " + error);
  // Only a file that is there is kept: listing one that never existed (a name the file
  // system refuses) would make every later build fail to remove it.
  if (tree.Exists(relative)) tree.Keep(relative);
  return false;
}

// Repository size control: the oldest articles beyond the limit live in the archive tree;
// the main tree's pages and indexes link to them through the archive's prefix.
void SiteBuilder::PlanArchive() {
  const publish::ArchiveConfig& archive = cfg_.publish.archive;
  Result<std::vector<store::Store::ArticlePath>> read = store_.ArticlePaths();
  if (!read.ok()) {
    store_error_ = read.status();
    return;
  }
  const std::vector<store::Store::ArticlePath>& paths = *read;
  if (archive.enabled() && static_cast<int64_t>(paths.size()) > archive.max_articles)
    for (size_t i = 0; i < paths.size() - static_cast<size_t>(archive.max_articles); ++i)
      archived_.insert(paths[i].id);
  // From a page or index two levels below a tree root to the archive's root.
  archive_root_ = archive.link_prefix.find("://") != std::string::npos
                      ? archive.link_prefix
                      : "../../" + archive.link_prefix;
  if (archive.enabled()) archive_out_ = std::make_unique<OutputTree>(env_, archive.output);
  for (const auto& p : paths) {
    if (p.home_channel.empty()) continue;
    std::string rel = p.home_channel + "/" + p.article_id + ext_;
    mirror_path_[p.canonical_url] =
        archived_.count(p.id) ? archive_root_ + "pages/" + rel : "../" + rel;
  }
}

// The manifest: the page settings, then per article the revision and path it was last
// rendered with. Tab-separated: read and written in a few milliseconds at 100,000 pages.
void SiteBuilder::LoadManifest() {
  settings_ = PageSettingsKey(cfg_.site);
  std::string text;
  if (out_.Read(".samizdat/build-manifest.tsv", &text)) pages_ = ParseManifest(text, settings_);
}

std::string SiteBuilder::TargetOf(const store::IndexEntry& e) const {
  std::string rel = "pages/" + e.home_channel + "/" + e.article_id + ext_;
  return (archived_.count(e.article) ? archive_root_ : std::string("../../")) + rel;
}

// A page is rendered again only when its revision, path or the page settings changed (or
// its file went missing).
bool SiteBuilder::UpToDate(int64_t id, int64_t revision, const std::string& relative) {
  auto it = pages_.find(id);
  bool in_archive = archived_.count(id) > 0;
  return it != pages_.end() && it->second.revision == revision &&
         it->second.relative == (in_archive ? "archive:" : "") + relative &&
         it->second.size == (in_archive ? archive_out_->Size(relative) : out_.Size(relative));
}

// Pure: parses, applies the site's link policy and heading shift, and points links between mirrored
// articles at their mirror pages.
void SiteBuilder::Prepare(Job& j) const {
  const store::CurrentArticle& c = j.c;
  extract::Article& a = j.a;
  a.url = c.canonical_url;
  a.title = c.title;
  if (!c.byline.empty()) a.byline = c.byline;
  if (!c.published.empty()) a.published = c.published;
  a.id = c.article_id;
  if (auto li = store::LeadImageFromJson(c.lead_image_json))
    a.lead_image = extract::LeadImage{li->src, li->alt, li->caption};
  a.doc = html::ParseHtml("<body>" + c.html + "</body>");
  a.body = a.doc->body();
  a.base_url = c.canonical_url;
  // The store holds the body sync cleaned; only the site's own choices remain to apply.
  clean::ApplySitePolicy(*a.doc, a.body, clean_options_);
  for (html::Node* n = a.body->first_child; n; n = html::NextInTree(n, a.body)) {
    if (n->Is(html::Tag::k_img)) {
      j.imgs.push_back(n);
      j.urls.emplace_back(n->Attr("src"));
      continue;
    }
    if (!(n->Is(html::Tag::k_a) || n->name == "ok")) continue;
    std::string href(n->Attr("href"));
    auto it = mirror_path_.find(href.substr(0, href.find('#')));
    if (it == mirror_path_.end()) continue;
    a.doc->Rename(n, "a");
    a.doc->SetAttr(n, "href", it->second);
  }
  if (a.lead_image) j.urls.push_back(a.lead_image->src);
}

// Pure: points images at their re-hosted copies and renders the page.
void SiteBuilder::Render(Job& j) const {
  const std::string up = "../../";  // from pages/<channel>/ to the tree root
  for (html::Node* img : j.imgs)
    if (std::string local = images_.LocalPath(std::string(img->Attr("src"))); !local.empty())
      j.a.doc->SetAttr(img, "src", up + local);
  if (j.a.lead_image)
    if (std::string local = images_.LocalPath(j.a.lead_image->src); !local.empty())
      j.a.lead_image->src = up + local;
  j.page = render::RenderPage(j.a, page_options_, cfg_.site.theme);
}

void SiteBuilder::WritePage(Job& j) {
  if (j.archived) {
    // Archived pages go to the archive tree, with the images they show.
    if (!Write(*archive_out_, j.relative, j.page, j.c.canonical_url)) return;
    for (const auto& u : j.urls) {
      std::string local = images_.LocalPath(u), bytes;
      if (local.empty() || archive_out_->Exists(local) || !out_.Read(local, &bytes)) continue;
      Write(*archive_out_, local, bytes, j.c.canonical_url);
    }
    if (Status s = out_.Remove(j.relative); !s.ok())  // moved out of the main tree
      report_.errors.push_back("article " + j.c.canonical_url + ": " + s.message());
  } else if (!Write(out_, j.relative, j.page, j.c.canonical_url)) {
    pages_.erase(j.c.id);
    return;
  }
  ++report_.pages_rendered;
  // A page still pointing at an original image is rendered again next time.
  bool complete = true;
  for (const auto& u : j.urls)
    complete &= !images_.LocalPath(u).empty() || !cfg_.site.rehost_images || !http_;
  if (complete)
    pages_[j.c.id] = ManifestEntry{j.c.revision_id, (j.archived ? "archive:" : "") + j.relative,
                                   static_cast<int64_t>(j.page.size())};
  else
    pages_.erase(j.c.id);
}

// Parsing, cleaning and rendering (pure) run on every core; the store, image downloads and
// file writes stay on this thread.
void SiteBuilder::Flush() {
  if (batch_.empty()) return;
  ParallelFor(batch_, [this](Job& j) { Prepare(j); });
  // Re-hosting: each image is downloaded once (by content), through the proxy of the source
  // its article came from, so a blocked site's images never go out directly.
  std::map<std::string, std::vector<std::string>> urls_by_proxy;
  for (const auto& j : batch_) {
    auto& urls = urls_by_proxy[SourceProxy(j.c.source_id)];
    urls.insert(urls.end(), j.urls.begin(), j.urls.end());
  }
  for (const auto& [proxy, urls] : urls_by_proxy) images_.Fetch(urls, proxy);
  ParallelFor(batch_, [this](Job& j) { Render(j); });
  for (auto& j : batch_) WritePage(j);
  batch_.clear();
}

void SiteBuilder::RenderPages() {
  auto relative_of = [&](const store::CurrentArticle& c) {
    return "pages/" + c.home_channel + "/" + c.article_id + ext_;
  };
  store_error_ = store_.ForEachCurrentArticle(
      [&](const store::CurrentArticle& c) {
        if (c.home_channel.empty()) return;
        ++report_.articles;
        std::string relative = relative_of(c);
        if (html_site_) sitemap_paths_.push_back(relative);
        if (!c.content_loaded) {  // the `want` below found its page up to date
          ++report_.files_unchanged;
          if (!archived_.count(c.id)) out_.Keep(relative);
          return;
        }
        batch_.push_back(Job{c, relative, archived_.count(c.id) > 0, {}, {}, {}, {}});
        if (batch_.size() >= 256) Flush();
      },
      [&](const store::CurrentArticle& light) {
        return !UpToDate(light.id, light.revision_id, relative_of(light));
      });
  Flush();
}

void SiteBuilder::WriteChannel(const config::ChannelConfig& ch,
                               std::vector<store::IndexEntry>* all) {
  Result<std::vector<store::IndexEntry>> read = store_.ChannelIndex(ch.id);
  if (!read.ok()) {
    store_error_ = read.status();
    return;
  }
  std::vector<store::IndexEntry> entries = std::move(*read);
  std::string jsonl;
  for (const auto& e : entries)
    jsonl += JsonText({{"id", e.article_id},
                       {"title", e.title},
                       {"page", "pages/" + e.home_channel + "/" + e.article_id + ext_},
                       {"archived", archived_.count(e.article) > 0}}) +
             "\n";
  Write(out_, "indexes/" + ch.id + ".jsonl", jsonl);
  size_t size = static_cast<size_t>(cfg_.site.index_page_size);
  size_t npages = std::max<size_t>(1, (entries.size() + size - 1) / size);
  auto target_of = [this](const store::IndexEntry& e) { return TargetOf(e); };
  const std::string dir = "indexes/" + ch.id + "/";
  if (html_site_) {
    for (size_t n = 1; n <= npages; ++n) {
      std::string rel = dir + std::to_string(n) + ".html";
      Write(out_, rel, HtmlIndexPage(cfg_, ch, entries, n, npages, target_of));
      sitemap_paths_.push_back(rel);
    }
    Write(out_, dir + "index.html", HtmlIndexPage(cfg_, ch, entries, npages, npages, target_of));
    Write(out_, "feeds/" + ch.id + ".xml",
          AtomFeed(cfg_, ch.name + " · " + cfg_.site.title, "feeds/" + ch.id + ".xml", entries));
    for (auto& e : entries) all->push_back(std::move(e));
    return;
  }
  for (size_t n = 1; n <= npages; ++n)
    Write(out_, dir + std::to_string(n) + ".md",
          IndexPage(cfg_.site, ch.name, entries, n, npages, stamp_, false, target_of));
  Write(out_, dir + "README.md",
        IndexPage(cfg_.site, ch.name, entries, npages, npages, stamp_, true, target_of));
}

// The html theme's home page, site feed (each article once, newest first) and sitemap.
void SiteBuilder::WriteHtmlHome(std::vector<store::IndexEntry> all) {
  std::set<int64_t> seen;
  std::vector<store::IndexEntry> unique;
  std::stable_sort(
      all.begin(), all.end(),
      [](const store::IndexEntry& a, const store::IndexEntry& b) { return a.article < b.article; });
  for (auto& e : all)
    if (seen.insert(e.article).second) unique.push_back(std::move(e));
  Write(out_, "index.html", HtmlHome(cfg_));
  Write(out_, "feed.xml", AtomFeed(cfg_, cfg_.site.title, "feed.xml", unique));
  std::sort(sitemap_paths_.begin(), sitemap_paths_.end());
  std::string sitemap =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n";
  sitemap += "<url><loc>" + Esc(cfg_.site.base_url + "index.html") + "</loc></url>\n";
  for (const auto& p : sitemap_paths_)
    sitemap += "<url><loc>" + Esc(cfg_.site.base_url + p) + "</loc></url>\n";
  sitemap += "</urlset>\n";
  Write(out_, "sitemap.xml", sitemap);
}

BuildReport SiteBuilder::Run() {
  Result<int64_t> latest = store_.LatestUpdate();
  if (!latest.ok()) store_error_ = latest.status();
  stamp_ = cfg_.site.index_stamps && latest.ok() ? Stamp(*latest) : "";
  if (store_error_.ok()) PlanArchive();
  LoadManifest();
  page_options_ = config::PageOptionsOf(cfg_.site);
  clean_options_ = PageCleanOptions(cfg_.site);
  if (html_site_) {
    page_options_.stylesheet = "../../style.css";
    page_options_.home_href = "../../index.html";
    Write(out_, "style.css", std::string(render::Stylesheet()) + "\n");
  }
  if (store_error_.ok()) RenderPages();
  std::vector<store::IndexEntry> all_entries;
  for (const auto& ch : cfg_.channels)
    if (store_error_.ok()) WriteChannel(ch, &all_entries);
  // A site built from part of the store would remove the pages it did not read.
  if (!store_error_.ok()) {
    report_.error = "cannot read the store: " + store_error_.message();
    return report_;
  }
  if (html_site_) {
    WriteHtmlHome(std::move(all_entries));
    SearchIndexReport search;
    if (Status st = WriteStaticSearch(cfg_.site.title, store_, out_, &search); !st.ok())
      report_.errors.push_back("search index: " + st.message());
  } else
    Write(out_, "README.md", HomePage(cfg_, stamp_));
  Write(out_, ".samizdat/build-manifest.tsv", FormatManifest(pages_, settings_));
  std::string err;
  if (!images_.Save(&err)) report_.errors.push_back(err);
  report_.images_downloaded = images_.downloaded();
  report_.images_failed = images_.failed();
  // Whatever this build did not produce (a switched theme, a removed channel) goes, and so
  // do temporary files a killed build left behind.
  out_.Finish(/*remove_stale=*/true, &report_.errors);
  if (archive_out_) archive_out_->Finish(/*remove_stale=*/false, &report_.errors);
  for (size_t i = 0; i < report_.errors.size(); ++i) {
    if (i == 20) {
      report_.error += "\n  … and " + std::to_string(report_.errors.size() - i) + " more";
      break;
    }
    report_.error += (i ? "\n  " : "") + report_.errors[i];
  }
  return report_;
}

}  // namespace

clean::CleanOptions PageCleanOptions(const config::SiteConfig& site) {
  clean::CleanOptions options;
  options.links = site.link_policy;
  options.heading_shift = site.heading_shift;
  return options;
}

std::string Stamp(int64_t unix_seconds) { return FormatUnixUtc(unix_seconds, "%m%d%H%M"); }

BuildReport BuildSite(const config::Config& cfg, store::Store& store, Env& env,
                      fetch::HttpClient* http) {
  return SiteBuilder(cfg, store, env, http).Run();
}

}  // namespace samizdat::publish
