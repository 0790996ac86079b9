#include "render/history.h"

#include <fmt/format.h>

#include "render/diff.h"
#include "render/escape.h"
#include "util/dates.h"
#include "util/strings.h"

namespace samizdat::render {
namespace {

bool WrittenInCjk(std::string_view text) {
  size_t i = 0;
  while (i < text.size())
    if (IsCjk(DecodeUtf8(text, i))) return true;
  return false;
}

struct Wording {
  const char* heading;       // "{title}" placeholder
  const char* revision;      // "{n}" and "{time}"
  const char* change;        // "{from}", "{to}"
  const char* title_change;  // label before a title diff
  const char* unchanged;     // when only formatting changed
  const char* back;
  const char* original;
  const char* counts;  // "{ins}", "{del}"
};

const Wording& WordingFor(std::string_view title) {
  static const Wording kChinese = {"修改记录：{title}",
                                   "第 {n} 版 · {time}",
                                   "第 {from} 版 → 第 {to} 版",
                                   "标题：",
                                   "正文文字没有变化（只改了格式或图片）。",
                                   "返回文章",
                                   "原文",
                                   "增 {ins} · 删 {del}"};
  static const Wording kEnglish = {"Revisions: {title}",
                                   "Version {n} · {time}",
                                   "Version {from} → version {to}",
                                   "Title: ",
                                   "The text did not change (only formatting or images).",
                                   "Back to the article",
                                   "Original",
                                   "+{ins} · −{del}"};
  return WrittenInCjk(title) ? kChinese : kEnglish;
}

std::string SeenAt(int64_t unix_seconds) {
  return FormatUnixUtc(unix_seconds, "%Y-%m-%d %H:%M UTC");
}

std::string Heading(const Wording& w, std::string_view title) {
  return ReplaceAll(w.heading, "{title}", title);
}

std::string RevisionLine(const Wording& w, const RevisionText& r) {
  return ReplaceAll(ReplaceAll(w.revision, "{n}", std::to_string(r.number)), "{time}",
                    SeenAt(r.seen_at));
}

std::string ChangeHeading(const Wording& w, const RevisionText& from, const RevisionText& to) {
  return ReplaceAll(ReplaceAll(w.change, "{from}", std::to_string(from.number)), "{to}",
                    std::to_string(to.number));
}

std::string Counts(const Wording& w, const DiffStats& s) {
  return ReplaceAll(ReplaceAll(w.counts, "{ins}", std::to_string(s.inserted)), "{del}",
                    std::to_string(s.deleted));
}

std::string HtmlHead(std::string_view title, const PageOptions& site) {
  std::string out = "<!DOCTYPE html>\n<html";
  if (!site.lang.empty()) out += " lang=\"" + EscapeHtml(site.lang) + "\"";
  out +=
      ">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">\n";
  out += "<title>" + EscapeHtml(title) + "</title>\n";
  if (!site.stylesheet.empty())
    out += "<link rel=\"stylesheet\" href=\"" + EscapeHtml(site.stylesheet) + "\">\n";
  out += "</head>\n<body>\n";
  if (!site.home_href.empty())
    out += "<nav><a href=\"" + EscapeHtml(SafeUrl(site.home_href)) + "\">" +
           EscapeHtml(site.title) + "</a></nav>\n";
  return out;
}

std::string HtmlChange(const Wording& w, const RevisionText& from, const RevisionText& to) {
  auto runs = DiffTexts(from.text, to.text);
  std::string out = "<section class=\"change\">\n<h2>" + EscapeHtml(ChangeHeading(w, from, to)) +
                    "</h2>\n<p class=\"meta\">" + EscapeHtml(RevisionLine(w, to)) + " · " +
                    EscapeHtml(Counts(w, CountChanges(runs))) + "</p>\n";
  if (from.title != to.title)
    out += "<div class=\"title-change\"><p><strong>" + EscapeHtml(w.title_change) +
           "</strong></p>\n" + DiffToHtml(DiffTexts(from.title, to.title)) + "</div>\n";
  bool text_changed = from.text != to.text;
  out += text_changed ? "<div class=\"diff\">\n" + DiffToHtml(runs) + "</div>\n"
                      : "<p>" + EscapeHtml(w.unchanged) + "</p>\n";
  return out + "</section>\n";
}

std::string HtmlHistory(const HistoryInput& in, const PageOptions& site) {
  const Wording& w = WordingFor(in.article_title);
  std::string heading = Heading(w, CollapseWhitespace(in.article_title));
  std::string out = HtmlHead(heading, site) + "<main>\n<h1>" + EscapeHtml(heading) + "</h1>\n";
  out +=
      "<p><a href=\"" + EscapeHtml(SafeUrl(in.article_href)) + "\">" + EscapeHtml(w.back) + "</a>";
  if (std::string href = SafeUrl(in.original_url); !href.empty())
    out += " · <a href=\"" + EscapeHtml(href) + "\">" + EscapeHtml(w.original) + "</a>";
  out += "</p>\n<ol class=\"revisions\">\n";
  for (const auto& r : in.revisions)
    out += "<li>" + EscapeHtml(RevisionLine(w, r)) + " — " + EscapeHtml(r.title) + "</li>\n";
  out += "</ol>\n";
  for (size_t i = 1; i < in.revisions.size(); ++i)
    out += HtmlChange(w, in.revisions[i - 1], in.revisions[i]);
  return out + "</main>\n</body>\n</html>\n";
}

std::string MarkdownChange(const Wording& w, const RevisionText& from, const RevisionText& to) {
  auto runs = DiffTexts(from.text, to.text);
  std::string out =
      "## " + EscapeMarkdownText(ChangeHeading(w, from, to)) + "\n\n*" +
      EscapeMarkdownText(RevisionLine(w, to) + " · " + Counts(w, CountChanges(runs))) + "*\n\n";
  if (from.title != to.title)
    out += EscapeMarkdownText(w.title_change) + DiffToMarkdown(DiffTexts(from.title, to.title));
  out += from.text != to.text ? DiffToMarkdown(runs) : EscapeMarkdownText(w.unchanged) + "\n\n";
  return out;
}

std::string MarkdownHistory(const HistoryInput& in) {
  const Wording& w = WordingFor(in.article_title);
  std::string out = "# " + EscapeMarkdownText(Heading(w, in.article_title)) + "\n\n";
  out += "[" + EscapeMarkdownText(w.back) + "](" + MarkdownLinkTarget(in.article_href) + ")";
  if (std::string target = MarkdownLinkTarget(in.original_url); !target.empty())
    out += " · [" + EscapeMarkdownText(w.original) + "](" + target + ")";
  out += "\n\n";
  for (const auto& r : in.revisions)
    out += "1. " + EscapeMarkdownText(RevisionLine(w, r) + " — " + r.title) + "\n";
  out += "\n";
  for (size_t i = 1; i < in.revisions.size(); ++i)
    out += MarkdownChange(w, in.revisions[i - 1], in.revisions[i]);
  return out;
}

}  // namespace

std::string ChangedTimesLabel(std::string_view title, int revisions) {
  int changes = revisions > 1 ? revisions - 1 : 0;
  if (WrittenInCjk(title)) return fmt::format("修改过 {} 次", changes);
  return fmt::format("changed {} {}", changes, changes == 1 ? "time" : "times");
}

std::string RenderHistoryPage(const HistoryInput& input, const PageOptions& site, Theme theme) {
  return theme == Theme::kHtml ? HtmlHistory(input, site) : MarkdownHistory(input);
}

}  // namespace samizdat::render
