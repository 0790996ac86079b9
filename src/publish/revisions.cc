#include "publish/revisions.h"

#include <algorithm>
#include <set>

#include "render/escape.h"
#include "render/history.h"
#include "util/dates.h"
#include "util/strings.h"
#include "util/url.h"

namespace samizdat::publish {
namespace {

std::string Rfc3339(int64_t unix_seconds) {
  return FormatUnixUtc(unix_seconds, "%Y-%m-%dT%H:%M:%SZ");
}

std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find_first_of("/?#", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// The copy's host, or for a URL without one (file://) its last path segment: never empty.
std::string CopyLabel(const std::string& url) {
  std::string host = HostOf(url);
  if (!host.empty()) return host;
  size_t end = url.find_first_of("?#");
  std::string path = url.substr(0, end);
  while (!path.empty() && path.back() == '/') path.pop_back();
  std::string last = path.substr(path.rfind('/') + 1);
  return last.empty() ? url : last;
}

std::string HistoryHref(const store::ChangedArticle& c, const std::string& ext) {
  return HistoryPagePath(c.home_channel, c.article_id, ext);
}

}  // namespace

std::string HistoryPagePath(const std::string& home_channel, const std::string& article_id,
                            const std::string& ext) {
  return "pages/" + home_channel + "/" + article_id + ".history" + ext;
}

std::string AlsoAtLabel(const std::string& title) {
  return render::ChangedTimesLabel(title, 2).rfind("修改", 0) == 0 ? "也见于" : "also at";
}

AlsoAtMap FoldNearDuplicates(std::vector<store::IndexEntry>* entries,
                             const std::unordered_map<int64_t, store::DuplicateLink>& duplicates,
                             const std::function<std::string(const store::IndexEntry&)>& target) {
  AlsoAtMap also;
  if (duplicates.empty()) return also;
  std::set<int64_t> listed;
  for (const auto& e : *entries) listed.insert(e.article);
  std::vector<store::IndexEntry> kept;
  for (auto& e : *entries) {
    auto dup = duplicates.find(e.article);
    if (dup != duplicates.end() && listed.count(dup->second.duplicate_of)) {
      also[dup->second.duplicate_of].push_back({CopyLabel(dup->second.canonical_url), target(e)});
      continue;
    }
    kept.push_back(std::move(e));
  }
  *entries = std::move(kept);
  return also;
}

std::string ChangesPage(const std::string& site_title,
                        const std::vector<store::ChangedArticle>& changed, const std::string& ext,
                        const render::PageOptions& head) {
  const bool html = ext == ".html";
  const bool chinese =
      changed.empty() || render::ChangedTimesLabel(changed[0].title, 2).rfind("修改", 0) == 0;
  const std::string heading = chinese ? "最近修改的文章" : "Recently changed";
  std::string out;
  if (html) {
    out = "<!DOCTYPE html>\n<html lang=\"" + render::EscapeHtml(head.lang) +
          "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
          "content=\"width=device-width, initial-scale=1\">\n<meta "
          "http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">\n<title>" +
          render::EscapeHtml(heading + " · " + site_title) + "</title>\n";
    if (!head.stylesheet.empty())
      out += "<link rel=\"stylesheet\" href=\"" + render::EscapeHtml(head.stylesheet) + "\">\n";
    out +=
        "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"changes.xml\">\n"
        "</head>\n<body>\n<nav><a href=\"index.html\">" +
        render::EscapeHtml(site_title) + "</a></nav>\n<main>\n<h1>" + render::EscapeHtml(heading) +
        "</h1>\n<ul class=\"index\">\n";
    for (const auto& c : changed)
      out += "<li><a href=\"" + render::EscapeHtml(HistoryHref(c, ext)) + "\">" +
             render::EscapeHtml(CollapseWhitespace(c.title)) + "</a> <span class=\"meta\">" +
             render::EscapeHtml(render::ChangedTimesLabel(c.title, c.revisions) + " · " +
                                FormatUnixUtc(c.changed_at, "%Y-%m-%d %H:%M UTC")) +
             "</span></li>\n";
    return out + "</ul>\n</main>\n</body>\n</html>\n";
  }
  out = "### " + render::EscapeMarkdownText(heading) + "\n\n---\n\n";
  for (const auto& c : changed)
    out += "#### [" + render::EscapeMarkdownText(c.title) + "](" +
           render::MarkdownLinkTarget(HistoryHref(c, ext)) + ") " +
           render::EscapeMarkdownText(render::ChangedTimesLabel(c.title, c.revisions) + " · " +
                                      FormatUnixUtc(c.changed_at, "%Y-%m-%d %H:%M UTC")) +
           "\n";
  return out;
}

std::string ChangesAtom(const std::string& site_title, const std::string& base_url,
                        const std::vector<store::ChangedArticle>& changed, const std::string& ext) {
  auto x = [](const std::string& s) { return render::EscapeXml(s); };
  std::string self = base_url + "changes.xml";
  int64_t updated = changed.empty() ? 0 : changed.front().changed_at;
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
      "<title>" +
      x(site_title) + " · changes</title>\n<id>" +
      x(base_url.empty() ? std::string("urn:samizdat:changes") : self) +
      "</id>\n<link rel=\"self\" href=\"" + x(self) + "\"/>\n<updated>" + Rfc3339(updated) +
      "</updated>\n<author><name>" + x(site_title) + "</name></author>\n";
  for (const auto& c : changed) {
    std::string href = base_url + HistoryHref(c, ext);
    out += "<entry>\n<title>" + x(CollapseWhitespace(c.title)) + "</title>\n<link href=\"" +
           x(href) + "\"/>\n<id>" +
           x(base_url.empty() ? c.canonical_url + "#revision-" + std::to_string(c.revisions)
                              : href + "#" + std::to_string(c.revisions)) +
           "</id>\n<updated>" + Rfc3339(c.changed_at) + "</updated>\n<summary>" +
           x(render::ChangedTimesLabel(c.title, c.revisions)) + "</summary>\n</entry>\n";
  }
  return out + "</feed>\n";
}

}  // namespace samizdat::publish
