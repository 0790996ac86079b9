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
#include "html/serialize.h"
#include "publish/feeds.h"
#include "publish/images.h"
#include "publish/manifest.h"
#include "publish/revisions.h"
#include "publish/search_shards.h"
#include "publish/share.h"
#include "publish/variants.h"
#include "render/escape.h"
#include "render/history.h"
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
                      const std::string& stamp, bool readme, const EntryTarget& target_of,
                      const AlsoAtMap& also) {
  size_t size = static_cast<size_t>(site.index_page_size);
  size_t begin = (page - 1) * size;
  size_t end = std::min(entries.size(), page * size);
  std::vector<std::string> lines;
  lines.push_back("### " + render::EscapeMarkdownText(channel_name));
  lines.push_back("---");
  for (size_t i = end; i-- > begin;) {
    const auto& e = entries[i];
    std::string target = target_of(e);
    std::string line = "#### [" + LinkText(e.title) + "](" +
                       render::MarkdownLinkTarget(Stamped(target, readme ? stamp : "")) + ") ";
    if (auto copies = also.find(e.article); copies != also.end()) {
      line += "<sub>" + render::EscapeMarkdownText(AlsoAtLabel(e.title));
      for (const AlsoAt& a : copies->second)
        line += " [" + render::EscapeMarkdownText(a.host) + "](" +
                render::MarkdownLinkTarget(a.target) + ")";
      line += "</sub> ";
    }
    lines.push_back(line);
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

// The head and nav of a page of the site: `head` carries lang, stylesheet, home link,
// feeds and counterparts.
std::string HtmlHead(const std::string& title, const render::PageOptions& head) {
  return render::HtmlHead(title, head, "", head.lang) + render::HtmlNav(head);
}

std::string HtmlIndexPage(const config::Config& cfg, const config::ChannelConfig& ch,
                          const std::vector<store::IndexEntry>& entries, size_t page, size_t pages,
                          const std::function<std::string(const store::IndexEntry&)>& target_of,
                          const render::PageOptions& head, const AlsoAtMap& also) {
  size_t size = static_cast<size_t>(cfg.site.index_page_size);
  std::string out = HtmlHead(ch.name + " · " + cfg.site.title, head);
  out += "<main>\n<h1>" + Esc(ch.name) + "</h1>\n<ul class=\"index\">\n";
  for (size_t i = std::min(entries.size(), page * size); i-- > (page - 1) * size;) {
    const auto& e = entries[i];
    out +=
        "<li><a href=\"" + EscUrl(target_of(e)) + "\">" + Esc(CollapseWhitespace(e.title)) + "</a>";
    if (auto copies = also.find(e.article); copies != also.end()) {
      out += " <span class=\"meta\">" + Esc(AlsoAtLabel(e.title));
      for (const AlsoAt& a : copies->second)
        out += " <a href=\"" + EscUrl(a.target) + "\">" + Esc(a.host) + "</a>";
      out += "</span>";
    }
    out += "</li>\n";
  }
  out += "</ul>\n</main>\n<nav class=\"pager\" aria-label=\"pages\">";
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

std::string HtmlHome(const config::Config& cfg, const render::PageOptions& head,
                     const std::string& signature_line) {
  std::string out = HtmlHead(cfg.site.title, head);
  out += "<main>\n<h1>" + Esc(cfg.site.title) + "</h1>\n";
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
      "<p><a href=\"search.html\">Search</a> · <a href=\"feed.xml\">Atom</a> · <a "
      "href=\"feed.json\">JSON Feed</a></p>\n</main>\n";
  if (!signature_line.empty()) out += "<footer><p>" + Esc(signature_line) + "</p></footer>\n";
  out += "</body>\n</html>\n";
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
constexpr int kPageFormatVersion = 4;

std::string PageSettingsKey(const config::SiteConfig& s) {
  return json{{"format", kPageFormatVersion},
              {"menu", s.menu},
              {"tag", s.menu_tag_links},
              {"footer", s.footer},
              {"links", std::string(clean::LinkPolicyName(s.link_policy))},
              {"shift", s.heading_shift},
              {"wrapper", s.body_wrapper},
              {"theme", std::string(config::ThemeName(s.theme))},
              {"lang", s.lang},
              {"variants", s.variants},
              {"public_urls", s.public_urls}}
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
  std::vector<std::pair<std::string, std::string>> share_files;  // (relative path, contents)
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
  // Builds trees[tree] into cfg.output_dir; a variant tree reads the images the original
  // tree (at `original_root`) holds and downloads none.
  SiteBuilder(const config::Config& cfg, store::ArticleStore& store, Env& env,
              fetch::HttpClient* http, const std::vector<SiteTree>& trees, size_t tree,
              const std::string& original_root)
      : cfg_(cfg),
        store_(store),
        env_(env),
        out_(env, cfg.output_dir),
        trees_(trees),
        tree_(tree),
        image_tree_(env, original_root),
        images_(tree == 0 ? out_ : image_tree_,
                tree == 0 && cfg.site.rehost_images ? http : nullptr, cfg.site.max_image_bytes),
        http_(tree == 0 ? http : nullptr),
        ext_(cfg.site.theme == config::Theme::kHtml ? ".html" : ".md"),
        html_site_(cfg.site.theme == config::Theme::kHtml) {}

  BuildReport Run();
  // manifest.json and its signature over the whole output (variant trees included) and the
  // archive: called once every tree is built.
  void SignTrees(std::vector<std::string>* errors);

 private:
  void WriteSearch();
  void LoadRevisionsAndDuplicates();
  void WriteHistoryPages();
  void WriteChanges();
  bool Write(OutputTree& tree, const std::string& relative, std::string_view contents,
             const std::string& about = "");
  void PlanArchive();
  bool LoadSigningKey();
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
  render::PageOptions HeadFor(const std::string& relative, const std::string& feed) const;
  void WriteFeeds(const std::string& stem, const std::string& title,
                  const std::vector<store::IndexEntry>& entries);
  bool FeedContent(int64_t article, FeedItem& item);
  const SiteTree& tree() const { return trees_[tree_]; }

  const config::Config& cfg_;
  store::ArticleStore& store_;
  Env& env_;
  BuildReport report_;
  Status store_error_;  // the first failed store read: the build stops before it writes
  OutputTree out_;
  std::unique_ptr<OutputTree> archive_out_;
  const std::vector<SiteTree>& trees_;
  const size_t tree_;      // which of trees_ this build writes
  OutputTree image_tree_;  // the original tree, where a variant's images are read
  ImageStore images_;
  fetch::HttpClient* http_;
  const std::string ext_;
  const bool html_site_;
  // Derived once from the site's settings, used for every page.
  render::PageOptions page_options_;
  clean::CleanOptions clean_options_;
  std::string stamp_, settings_, archive_root_;
  std::optional<trust::SecretKey> signing_key_;
  std::string signature_line_;  // SignatureFooter of the signing key; "" when unsigned
  std::unordered_set<int64_t> archived_;
  // Articles with more than one revision, and those stored as near-duplicates, by article.
  std::unordered_map<int64_t, store::ChangedArticle> changed_;
  std::vector<store::ChangedArticle> changed_order_;  // latest change first
  std::unordered_map<int64_t, store::DuplicateLink> duplicates_;
  // Canonical URL -> the link to its mirror page from a page in pages/<channel>/.
  std::unordered_map<std::string, std::string> mirror_path_;
  std::unordered_map<int64_t, ManifestEntry> pages_;
  std::map<std::string, int64_t> sitemap_;  // html: path -> when it last changed (0: unknown)
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
  Result<std::vector<store::ArticleStore::ArticlePath>> read = store_.ArticlePaths();
  if (!read.ok()) {
    store_error_ = read.status();
    return;
  }
  const std::vector<store::ArticleStore::ArticlePath>& paths = *read;
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
  settings_ = PageSettingsKey(cfg_.site) + signature_line_;
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
  if (tree().converter) ConvertArticle(*tree().converter, a);
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
  // From pages/<channel>/ to the root of the tree that holds the images.
  const std::string up = tree_ == 0 ? "../../" : "../../../";
  for (html::Node* img : j.imgs)
    if (std::string local = images_.LocalPath(std::string(img->Attr("src"))); !local.empty())
      j.a.doc->SetAttr(img, "src", up + local);
  if (j.a.lead_image)
    if (std::string local = images_.LocalPath(j.a.lead_image->src); !local.empty())
      j.a.lead_image->src = up + local;
  render::PageOptions options = page_options_;
  options.counterparts = CounterpartLinks(trees_, tree_, j.relative);
  options.feeds = HeadFor(j.relative, "feed").feeds;
  if (!j.archived) {  // the public URLs name the main tree's hosts
    ShareBlock share = ShareBlockFor(cfg_.site.public_urls, j.relative, html_site_);
    options.share = std::move(share.codes);
    j.share_files = std::move(share.files);
  }
  if (auto changed = changed_.find(j.c.id); changed != changed_.end() && !j.archived)
    options.history = {render::ChangedTimesLabel(j.a.title.value_or(""), changed->second.revisions),
                       j.c.article_id + ".history" + ext_, ""};
  j.page = render::RenderPage(j.a, options, cfg_.site.theme);
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
  for (const auto& [relative, svg] : j.share_files) Write(out_, relative, svg, j.c.canonical_url);
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
        if (html_site_) sitemap_.emplace(relative, 0);
        if (!c.content_loaded) {  // the `want` below found its page up to date
          ++report_.files_unchanged;
          if (archived_.count(c.id)) return;
          out_.Keep(relative);
          if (!html_site_)
            for (const auto& f : ShareFileNames(cfg_.site.public_urls.size(), relative))
              out_.Keep(f);
          return;
        }
        batch_.push_back(Job{c, relative, archived_.count(c.id) > 0, {}, {}, {}, {}, {}});
        if (batch_.size() >= 256) Flush();
      },
      [&](const store::CurrentArticle& light) {
        return !UpToDate(light.id, light.revision_id, relative_of(light));
      });
  Flush();
}

// What the head and nav of the html page at `relative` link to: the stylesheet, home, the
// `feed` ("feeds/<channel>" or "feed": its Atom and JSON Feed), the page in other scripts.
render::PageOptions SiteBuilder::HeadFor(const std::string& relative,
                                         const std::string& feed) const {
  std::string up;
  for (char ch : relative)
    if (ch == '/') up += "../";
  render::PageOptions head = page_options_;
  head.stylesheet = up + "style.css";
  head.home_href = up + "index.html";
  head.feeds = {{"application/atom+xml", up + feed + ".xml", ""},
                {"application/feed+json", up + feed + ".json", ""}};
  head.counterparts = CounterpartLinks(trees_, tree_, relative);
  return head;
}

// Loads the article and fills in what the feed shows of it: its body as its page shows it
// (site policy, script, mirror links, re-hosted images; relative to its page), its byline
// and original URL. False (recorded) when the store cannot be read.
bool SiteBuilder::FeedContent(int64_t article, FeedItem& item) {
  Result<std::optional<store::CurrentArticle>> read = store_.CurrentArticleById(article);
  if (!read.ok()) {
    store_error_ = read.status();
    return false;
  }
  if (!*read) return false;
  Job j{std::move(**read), {}, archived_.count(article) > 0, {}, {}, {}, {}, {}};
  Prepare(j);
  const std::string up = tree_ == 0 ? "../../" : "../../../";
  for (html::Node* img : j.imgs)
    if (std::string local = images_.LocalPath(std::string(img->Attr("src"))); !local.empty())
      j.a.doc->SetAttr(img, "src", up + local);
  html::SerializeOptions so;
  so.xhtml_void = false;
  item.content_html = j.a.body ? html::InnerHtml(j.a.body, so) : "";
  item.author = j.a.byline.value_or("");
  item.original = j.c.canonical_url;
  return true;
}

// <stem>.xml (Atom) and <stem>.json (JSON Feed 1.1): the newest 50 entries by
// publication date, with full content.
void SiteBuilder::WriteFeeds(const std::string& stem, const std::string& title,
                             const std::vector<store::IndexEntry>& entries) {
  const std::string up = stem.find('/') == std::string::npos ? "" : "../";
  const config::SiteConfig& site = cfg_.site;
  // Ids must be absolute: the public address when there is one.
  const std::string root = !site.base_url.empty()      ? site.base_url
                           : !site.public_urls.empty() ? site.public_urls.front()
                                                       : "";
  const std::string links = site.base_url.empty() ? up : site.base_url;
  std::vector<FeedItem> items;
  for (const auto& e : entries) {
    FeedItem f;
    f.id = std::to_string(e.article);  // replaced below, once the article is loaded
    f.title = CollapseWhitespace(e.title);
    f.published = FeedDate(e.published, e.added_at);
    f.updated = std::max(f.published, FeedDate(e.modified, e.updated_at));
    f.url = "pages/" + e.home_channel + "/" + e.article_id + ext_;
    items.push_back(std::move(f));
  }
  std::vector<FeedItem> shown;
  for (auto& f : NewestFirst(std::move(items), 50)) {
    int64_t article = std::strtoll(f.id.c_str(), nullptr, 10);
    if (!FeedContent(article, f)) continue;
    std::string path = PercentEncodePath(f.url);
    f.id = !root.empty() ? root + path : f.original + (tree_ ? "#" + tree().lang : "");
    const std::string& prefix = cfg_.publish.archive.link_prefix;
    bool absolute = prefix.find("://") != std::string::npos;
    f.url = (!archived_.count(article) ? links : absolute ? prefix : links + prefix) + path;
    f.base = f.url;
    shown.push_back(std::move(f));
  }
  FeedInfo info{title,
                site.title,
                site.lang,
                root.empty() ? "urn:samizdat:" + PercentEncodePath(site.lang + "/" + stem)
                             : root + stem + ".xml",
                links + stem + ".xml",
                links + stem + ".json",
                links + "index.html"};
  Write(out_, stem + ".xml", AtomFeed(info, shown));
  Write(out_, stem + ".json", JsonFeed(info, shown));
}

void SiteBuilder::WriteChannel(const config::ChannelConfig& ch,
                               std::vector<store::IndexEntry>* all) {
  Result<std::vector<store::IndexEntry>> read = store_.ChannelIndex(ch.id);
  if (!read.ok()) {
    store_error_ = read.status();
    return;
  }
  std::vector<store::IndexEntry> entries = std::move(*read);
  if (tree().converter) ConvertEntries(*tree().converter, entries);
  const AlsoAtMap also =
      FoldNearDuplicates(&entries, duplicates_, [this](const auto& e) { return TargetOf(e); });
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
    const std::string feed = "feeds/" + ch.id;
    SortByPublication(entries);
    int64_t lastmod = 0;
    for (const auto& e : entries) {
      sitemap_["pages/" + e.home_channel + "/" + e.article_id + ext_] = e.updated_at;
      lastmod = std::max(lastmod, e.updated_at);
    }
    for (size_t n = 1; n <= npages; ++n) {
      std::string rel = dir + std::to_string(n) + ".html";
      Write(out_, rel,
            HtmlIndexPage(cfg_, ch, entries, n, npages, target_of, HeadFor(rel, feed), also));
      sitemap_[rel] = lastmod;
    }
    Write(out_, dir + "index.html",
          HtmlIndexPage(cfg_, ch, entries, npages, npages, target_of,
                        HeadFor(dir + "index.html", feed), also));
    WriteFeeds(feed, ch.name + " · " + cfg_.site.title, entries);
    for (auto& e : entries) all->push_back(std::move(e));
    return;
  }
  for (size_t n = 1; n <= npages; ++n)
    Write(out_, dir + std::to_string(n) + ".md",
          IndexPage(cfg_.site, ch.name, entries, n, npages, stamp_, false, target_of, also));
  Write(out_, dir + "README.md",
        IndexPage(cfg_.site, ch.name, entries, npages, npages, stamp_, true, target_of, also));
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
  render::PageOptions head = HeadFor("index.html", "feed");
  head.home_href.clear();  // the home page itself
  Write(out_, "index.html", HtmlHome(cfg_, head, signature_line_));
  WriteFeeds("feed", cfg_.site.title, unique);
  int64_t newest = 0;
  for (const auto& [path, lastmod] : sitemap_) newest = std::max(newest, lastmod);
  sitemap_["index.html"] = newest;
  Write(out_, "sitemap.xml", Sitemap(cfg_.site.base_url, sitemap_));
}

// A configured key that cannot be read, or that lies inside the site, stops the build
// before it writes anything.
bool SiteBuilder::LoadSigningKey() {
  const config::SignConfig& sign = cfg_.sign;
  if (sign.secret_key.empty()) return true;
  if (IsInsideDirectory(env_, sign.secret_key, cfg_.output_dir) ||
      (cfg_.publish.archive.enabled() &&
       IsInsideDirectory(env_, sign.secret_key, cfg_.publish.archive.output))) {
    report_.error =
        "refusing to sign: the secret key " + sign.secret_key + " lies inside the published tree";
    return false;
  }
  Result<trust::SecretKey> key =
      LoadSecretKey(env_, sign.secret_key, sign.password_env, sign.password_file);
  if (!key.ok()) {
    report_.error = "cannot sign: " + key.status().message();
    return false;
  }
  signing_key_ = *key;
  signature_line_ = SignatureFooter(key->Public());
  return true;
}

// manifest.json and its signature, written once every other file of the tree is final.
void SiteBuilder::SignTrees(std::vector<std::string>* errors) {
  if (!signing_key_) return;
  int64_t now = static_cast<int64_t>(std::time(nullptr));
  if (Status s = WriteSignedManifest(env_, cfg_.output_dir, *signing_key_, now); !s.ok())
    errors->push_back("manifest: " + s.message());
  if (archive_out_)
    if (Status s = WriteSignedManifest(env_, archive_out_->root(), *signing_key_, now); !s.ok())
      errors->push_back("archive manifest: " + s.message());
}

// The static search index and page (publish/search_shards.h), built from the SQLite store's
// full-text index; a PostgreSQL store has none yet, and the build says so.
void SiteBuilder::WriteSearch() {
  auto* sqlite = dynamic_cast<store::Store*>(&store_);
  if (!sqlite) {
    report_.errors.push_back("search index: not built (a PostgreSQL store has no search yet)");
    return;
  }
  SearchIndexReport search;
  TextConvert convert;
  if (tree().converter)
    convert = [this](const std::string& text) { return tree().converter->Convert(text); };
  if (Status st =
          WriteStaticSearch(cfg_.site.title, cfg_.site.lang, *sqlite, out_, &search, convert);
      !st.ok())
    report_.errors.push_back("search index: " + st.message());
}

// Which articles have a history, and which repeat another (store/article_store.h).
void SiteBuilder::LoadRevisionsAndDuplicates() {
  Result<std::vector<store::ChangedArticle>> changed = store_.ChangedArticles(0);
  if (!changed.ok()) {
    store_error_ = changed.status();
    return;
  }
  changed_order_ = std::move(*changed);
  if (tree().converter)
    for (auto& c : changed_order_) c.title = tree().converter->Convert(c.title);
  for (const auto& c : changed_order_) changed_.emplace(c.article, c);
  Result<std::vector<store::DuplicateLink>> duplicates = store_.NearDuplicates();
  if (!duplicates.ok()) {
    store_error_ = duplicates.status();
    return;
  }
  for (auto& d : *duplicates) duplicates_.emplace(d.article, std::move(d));
}

// A history page beside each changed article's page (render/history.h): every revision and
// what changed between consecutive ones. Archived articles keep theirs in the archive only.
void SiteBuilder::WriteHistoryPages() {
  render::PageOptions options = page_options_;
  for (const store::ChangedArticle& c : changed_order_) {
    if (archived_.count(c.article) || c.home_channel.empty()) continue;
    Result<std::vector<store::RevisionRecord>> revisions = store_.Revisions(c.article);
    if (!revisions.ok()) {
      store_error_ = revisions.status();
      return;
    }
    render::HistoryInput in{c.title, c.article_id + ext_, c.canonical_url, {}};
    for (auto& r : *revisions) {
      if (tree().converter) {
        r.title = tree().converter->Convert(r.title);
        r.text = tree().converter->Convert(r.text);
      }
      in.revisions.push_back({r.number, r.created_at, std::move(r.title), std::move(r.text)});
    }
    Write(out_, HistoryPagePath(c.home_channel, c.article_id, ext_),
          render::RenderHistoryPage(in, options, cfg_.site.theme));
  }
}

// The site-wide page of recently changed articles and its Atom feed.
void SiteBuilder::WriteChanges() {
  constexpr size_t kMaxChanges = 200;
  if (changed_order_.empty()) return;  // nothing has changed yet: no page, no feed
  std::vector<store::ChangedArticle> recent;
  for (const auto& c : changed_order_) {
    if (recent.size() == kMaxChanges) break;
    if (!archived_.count(c.article) && !c.home_channel.empty()) recent.push_back(c);
  }
  render::PageOptions head = HeadFor("changes.html", "feed");
  head.stylesheet = html_site_ ? "style.css" : "";
  Write(out_, "changes" + ext_, ChangesPage(cfg_.site.title, recent, ext_, head));
  if (recent.size() > 50) recent.resize(50);
  Write(out_, "changes.xml", ChangesAtom(cfg_.site.title, cfg_.site.base_url, recent, ext_));
}

BuildReport SiteBuilder::Run() {
  if (!LoadSigningKey()) return report_;
  Result<int64_t> latest = store_.LatestUpdate();
  if (!latest.ok()) store_error_ = latest.status();
  stamp_ = cfg_.site.index_stamps && latest.ok() ? Stamp(*latest) : "";
  if (store_error_.ok()) PlanArchive();
  LoadManifest();
  page_options_ = config::PageOptionsOf(cfg_.site);
  clean_options_ = PageCleanOptions(cfg_.site);
  page_options_.lang = cfg_.site.lang;
  if (tree().converter) page_options_.share_label = tree().converter->Convert("分享本页");
  if (!signature_line_.empty())
    page_options_.footer += (page_options_.footer.empty() ? "" : " · ") + signature_line_;
  if (html_site_) {
    page_options_.stylesheet = "../../style.css";
    page_options_.home_href = "../../index.html";
    Write(out_, "style.css", std::string(render::Stylesheet()) + "\n");
  }
  if (store_error_.ok()) LoadRevisionsAndDuplicates();
  if (store_error_.ok()) RenderPages();
  if (store_error_.ok()) WriteHistoryPages();
  if (store_error_.ok()) WriteChanges();
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
    WriteSearch();
  } else {
    Write(out_, "README.md",
          HomePage(cfg_, stamp_) +
              (signature_line_.empty() ? "" : "---\n\n" + signature_line_ + "\n"));
  }
  Write(out_, ".samizdat/build-manifest.tsv", FormatManifest(pages_, settings_));
  std::string err;
  if (tree_ == 0 && !images_.Save(&err)) report_.errors.push_back(err);
  report_.images_downloaded = images_.downloaded();
  report_.images_failed = images_.failed();
  report_.image_failures = images_.failures();
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

// The original tree, then each variant's (publish/variants.h), one report for all.
BuildReport BuildSite(const config::Config& cfg, store::ArticleStore& store, Env& env,
                      fetch::HttpClient* http) {
  Result<std::vector<SiteTree>> trees = OpenSiteTrees(cfg.site);
  if (!trees.ok()) {
    BuildReport failed;
    failed.error = trees.status().message();
    return failed;
  }
  SiteBuilder original(cfg, store, env, http, *trees, 0, cfg.output_dir);
  BuildReport report = original.Run();
  for (size_t i = 1; i < trees->size(); ++i) {
    config::Config variant = VariantConfig(cfg, (*trees)[i]);
    BuildReport r = SiteBuilder(variant, store, env, http, *trees, i, cfg.output_dir).Run();
    report.pages_rendered += r.pages_rendered;
    report.files_written += r.files_written;
    report.files_unchanged += r.files_unchanged;
    report.errors.insert(report.errors.end(), r.errors.begin(), r.errors.end());
    if (!r.error.empty()) report.error += (report.error.empty() ? "" : "\n  ") + r.error;
  }
  size_t errors = report.errors.size();
  RemoveDroppedVariants(cfg, env, &report.errors);
  // Signed last, over every tree: the manifest lists the variant trees' files too.
  if (report.error.empty()) original.SignTrees(&report.errors);
  for (size_t i = errors; i < report.errors.size(); ++i)
    report.error += (report.error.empty() ? "" : "\n  ") + report.errors[i];
  return report;
}

}  // namespace samizdat::publish
