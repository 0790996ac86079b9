#include "publish/bundle.h"

#include <algorithm>
#include <ctime>
#include <set>
#include <unordered_map>

#include <sodium.h>

#include "clean/clean.h"
#include "html/parser.h"
#include "html/serialize.h"
#include "publish/build.h"
#include "publish/epub.h"
#include "publish/images.h"
#include "publish/manifest.h"
#include "publish/output_tree.h"
#include "publish/zip.h"
#include "render/escape.h"
#include "render/page.h"
#include "trust/minisign.h"
#include "util/dates.h"

namespace samizdat::publish {
namespace {

// Elements kept in a bundled body: what XHTML 5 allows and a reader shows. Others are
// replaced by their children.
const std::set<std::string, std::less<>> kKeptElements = {
    "p",     "br",    "h1",  "h2",    "h3",  "h4",         "h5",     "h6",         "a",
    "img",   "ul",    "ol",  "li",    "em",  "strong",     "b",      "i",          "u",
    "s",     "sub",   "sup", "code",  "pre", "blockquote", "figure", "figcaption", "table",
    "thead", "tbody", "tr",  "td",    "th",  "caption",    "hr",     "span",       "div",
    "dl",    "dt",    "dd",  "small", "q",   "cite",       "mark"};

struct Selected {
  store::CurrentArticle article;
  int64_t added_at = 0;
};

// The selected articles, oldest first: members of the channel (or of any configured
// channel) added at or after `since`.
Result<std::vector<Selected>> SelectArticles(const config::Config& cfg, store::ArticleStore& store,
                                             const BundleSelection& sel) {
  std::unordered_map<int64_t, int64_t> added;  // article -> first added_at
  for (const auto& ch : cfg.channels) {
    if (!sel.channel.empty() && ch.id != sel.channel) continue;
    Result<std::vector<store::IndexEntry>> index = store.ChannelIndex(ch.id);
    if (!index.ok()) return index.status();
    for (const auto& e : *index)
      if (e.added_at >= sel.since && (!added.count(e.article) || e.added_at < added[e.article]))
        added[e.article] = e.added_at;
  }
  std::vector<Selected> out;
  Status s = store.ForEachCurrentArticle(
      [&](const store::CurrentArticle& c) {
        out.push_back({c, added[c.id]});
      },
      [&](const store::CurrentArticle& light) { return added.count(light.id) > 0; });
  if (!s.ok()) return s;
  out.erase(std::remove_if(out.begin(), out.end(),
                           [](const Selected& x) { return !x.article.content_loaded; }),
            out.end());
  std::stable_sort(out.begin(), out.end(), [](const Selected& a, const Selected& b) {
    return a.added_at != b.added_at ? a.added_at < b.added_at : a.article.id < b.article.id;
  });
  return out;
}

bool HasCjk(std::string_view s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE3 && c <= 0xE9) return true;  // U+3000..U+9FFF in UTF-8
  }
  return false;
}

std::string MediaType(const std::string& ext) {
  if (ext == "jpg") return "image/jpeg";
  if (ext == "png") return "image/png";
  if (ext == "gif") return "image/gif";
  if (ext == "webp") return "image/webp";
  return "";
}

// Turns an article's stored body into a bundle body: the site's link policy applied,
// only kept elements and attributes, links only to http(s) URLs, and images replaced by
// what `image_src` returns for them ("" drops the image, keeping its alt text).
std::string BundleBody(const config::Config& cfg, const store::CurrentArticle& c,
                       const std::function<std::string(const std::string&)>& image_src) {
  auto doc = html::ParseHtml("<body>" + c.html + "</body>");
  html::Node* body = doc->body();
  clean::ApplySitePolicy(*doc, body, PageCleanOptions(cfg.site));
  std::vector<html::Node*> elements;
  for (html::Node* n = body->first_child; n; n = html::NextInTree(n, body))
    if (n->type == html::NodeType::kElement) elements.push_back(n);
  for (auto it = elements.rbegin(); it != elements.rend(); ++it) {
    html::Node* n = *it;
    std::string name(n->name);
    std::string href(n->Attr("href")), src(n->Attr("src")), alt(n->Attr("alt"));
    doc->ClearAttrs(n);
    if (!kKeptElements.count(name)) {
      doc->Unwrap(n);
    } else if (name == "a") {
      std::string safe = render::SafeUrl(href);
      if (safe.rfind("http://", 0) == 0 || safe.rfind("https://", 0) == 0)
        doc->SetAttr(n, "href", safe);
    } else if (name == "img") {
      std::string local = image_src(src);
      if (local.empty()) {
        if (!alt.empty()) doc->InsertBefore(n->parent, doc->CreateText(alt), n);
        doc->Remove(n);
        continue;
      }
      doc->SetAttr(n, "src", local);
      doc->SetAttr(n, "alt", alt);
    }
  }
  html::SerializeOptions so;
  so.xhtml_void = true;
  return html::InnerHtml(body, so);
}

// The built site's re-hosted images: URL -> bytes and type, read once per image.
class SiteImages {
 public:
  SiteImages(Env& env, const std::string& root)
      : tree_(env, root), store_(tree_, nullptr, int64_t{1} << 30) {}
  // False when the image was not re-hosted (or its file is gone).
  bool Get(const std::string& url, std::string* local, std::string* bytes, std::string* type) {
    *local = store_.LocalPath(url);
    if (local->empty() || !tree_.Read(*local, bytes)) return false;
    *type = MediaType(ImageType(*bytes));
    return !type->empty();
  }

 private:
  OutputTree tree_;
  ImageStore store_;
};

std::string Base64(std::string_view bytes) {
  std::string out(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);
  return out;
}

std::string BookTitle(const config::Config& cfg, const BundleSelection& sel,
                      const std::vector<Selected>& articles) {
  std::string title = cfg.site.title;
  for (const auto& ch : cfg.channels)
    if (ch.id == sel.channel) title += " · " + ch.name;
  if (!articles.empty()) {
    std::string first = FormatUnixUtc(articles.front().added_at, "%Y-%m-%d");
    std::string last = FormatUnixUtc(articles.back().added_at, "%Y-%m-%d");
    title += " · " + (first == last ? first : first + " – " + last);
  }
  return title;
}

}  // namespace

std::optional<int64_t> ParseDay(std::string_view day) {
  std::tm tm{};
  std::string text(day);
  if (text.size() != 10 || !strptime(text.c_str(), "%Y-%m-%d", &tm)) return std::nullopt;
  return static_cast<int64_t>(timegm(&tm));
}

Result<std::string> MakeEpubBundle(const config::Config& cfg, store::ArticleStore& store, Env& env,
                                   const BundleSelection& sel, BundleStats* stats) {
  Result<std::vector<Selected>> articles = SelectArticles(cfg, store, sel);
  if (!articles.ok()) return articles.status();
  if (articles->empty()) return Status::NotFound("no stored article matches the selection");
  SiteImages images(env, cfg.output_dir);
  EpubBook book;
  std::map<std::string, std::string> href_of;  // site image path -> book href
  std::string ids;
  for (const Selected& s : *articles) {
    auto image_src = [&](const std::string& url) -> std::string {
      std::string local, bytes, type;
      if (!images.Get(url, &local, &bytes, &type)) {
        ++stats->images_dropped;
        return "";
      }
      if (!href_of.count(local)) {
        href_of[local] = "images/" + local.substr(local.rfind('/') + 1);
        book.images.push_back({href_of[local], type, bytes});
        ++stats->images_embedded;
      }
      return href_of[local];
    };
    const store::CurrentArticle& c = s.article;
    book.articles.push_back(
        {c.title, c.byline, c.published, c.canonical_url, BundleBody(cfg, c, image_src)});
    ids += c.article_id + "\n";
    ++stats->articles;
  }
  bool cjk = false;
  for (const auto& a : book.articles) cjk |= HasCjk(a.title);
  book.lang = !sel.lang.empty() ? sel.lang : cjk ? "zh" : "en";
  book.title = BookTitle(cfg, sel, *articles);
  book.publisher = cfg.site.title;
  book.identifier = "urn:samizdat:" + trust::Sha256Hex(cfg.site.title + "\n" + ids).substr(0, 32);
  Result<int64_t> latest = store.LatestUpdate();
  int64_t modified = latest.ok() && *latest > 0 ? *latest : articles->back().added_at;
  book.modified = FormatUnixUtc(modified, "%Y-%m-%dT%H:%M:%SZ");
  book.date = FormatUnixUtc(articles->back().added_at, "%Y-%m-%d");
  return MakeEpub(book);
}

Result<std::map<std::string, std::string>> MakeSingleFilePages(const config::Config& cfg,
                                                               store::ArticleStore& store, Env& env,
                                                               const BundleSelection& sel,
                                                               BundleStats* stats) {
  Result<std::vector<Selected>> articles = SelectArticles(cfg, store, sel);
  if (!articles.ok()) return articles.status();
  SiteImages images(env, cfg.output_dir);
  std::map<std::string, std::string> pages;
  for (const Selected& s : *articles) {
    const store::CurrentArticle& c = s.article;
    auto image_src = [&](const std::string& url) -> std::string {
      std::string local, bytes, type;
      if (!images.Get(url, &local, &bytes, &type)) {
        ++stats->images_dropped;
        return "";
      }
      ++stats->images_embedded;
      return "data:" + type + ";base64," + Base64(bytes);
    };
    std::string body = BundleBody(cfg, c, image_src);
    std::string lang = sel.lang.empty() ? (HasCjk(c.title) ? "zh" : "en") : sel.lang;
    // The policy forbids every fetch: the page can only show what it carries inside.
    std::string page =
        "<!DOCTYPE html>\n<html lang=\"" + render::EscapeXml(lang) +
        "\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src "
        "data:; style-src 'unsafe-inline'\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
        render::EscapeXml(c.title) + "</title>\n<style>\n" + std::string(render::Stylesheet()) +
        "\n</style>\n</head>\n<body>\n<article>\n<h1>" + render::EscapeXml(c.title) + "</h1>\n" +
        (c.published.empty() ? "" : "<p>" + render::EscapeXml(c.published) + "</p>\n") + body +
        "\n<p><a href=\"" + render::EscapeXml(render::SafeUrl(c.canonical_url)) + "\">" +
        render::EscapeXml(c.canonical_url) + "</a></p>\n</article>\n</body>\n</html>\n";
    pages[c.home_channel + "-" + c.article_id + ".html"] = std::move(page);
    ++stats->articles;
  }
  return pages;
}

Result<std::string> ZipSite(Env& env, const std::string& root) {
  std::vector<ManifestFile> files;
  if (Status s = ScanSite(env, root, &files); !s.ok()) return s;
  ZipWriter zip;
  for (const char* name : {kManifestName, kManifestSignatureName}) {
    std::string bytes;
    if (env.ReadFileToString(root + "/" + name, &bytes).ok()) zip.Add(name, bytes);
  }
  for (const ManifestFile& f : files) {
    std::string bytes;
    if (Status s = env.ReadFileToString(root + "/" + f.path, &bytes); !s.ok()) return s;
    zip.Add(f.path, bytes);
  }
  return zip.Finish();
}

}  // namespace samizdat::publish
