#include "render/page.h"

#include "html/serialize.h"
#include "render/escape.h"
#include "render/markdown.h"
#include "util/strings.h"

namespace samizdat::render {
namespace {

// The footer with "{url}" replaced by the original URL as Markdown text (the footer
// itself is the operator's Markdown and stays as written).
std::string MarkdownFooter(const PageOptions& site, std::string_view url) {
  return ReplaceAll(site.footer, "{url}", MarkdownUrlText(url));
}

// Markdown lines after the footer: the page in the site's other scripts, and the share
// block (each public URL, its QR code as a sibling .svg GitHub shows as an image).
std::string MarkdownExtras(const PageOptions& site) {
  std::string out;
  if (!site.history.href.empty())
    out += "\n[" + EscapeMarkdownText(site.history.label) + "](" +
           MarkdownLinkTarget(site.history.href) + ")\n";
  if (!site.counterparts.empty()) {
    out += "\n";
    for (size_t i = 0; i < site.counterparts.size(); ++i) {
      const PageLink& l = site.counterparts[i];
      out += (i ? " | " : "") + std::string("[") + EscapeMarkdownText(l.label) + "](" +
             MarkdownLinkTarget(l.href) + ")";
    }
    out += "\n";
  }
  if (site.share.empty()) return out;
  out += "\n" + EscapeMarkdownText(site.share_label) + "\n";
  for (const ShareCode& code : site.share) {
    std::string target = MarkdownLinkTarget(code.url);
    out += "\n[" + MarkdownUrlText(code.url) + "](" + target + ")\n";
    if (!code.svg_href.empty())
      out +=
          "\n![QR: " + MarkdownUrlText(code.url) + "](" + MarkdownLinkTarget(code.svg_href) + ")\n";
  }
  return out;
}

// "### title" and the raw HTML lead image block of the seed's format. The image block is
// raw HTML inside Markdown, so every value in it is HTML-escaped (never a line break,
// which would end the block); a lead image whose URL is refused is left out.
std::string ClassicPage(const extract::Article& a, const PageOptions& site) {
  std::string out;
  out += "### " + EscapeMarkdownText(a.title.value_or("")) + "\n\n---\n\n";
  if (!site.menu.empty()) {
    out += site.menu_tag_links ? TagMenuLinks(site.menu, a.id) : site.menu;
    out += "\n";
  }
  out += "\n\n";
  std::string image_src = a.lead_image ? SafeUrl(a.lead_image->src) : "";
  if (!image_src.empty()) {
    out += "<div><img alt=\"" + EscapeHtml(a.lead_image->alt) + "\" src=\"" +
           EscapeHtml(image_src) + "\"/>\n";
    if (!a.lead_image->caption.empty())
      out += "<div class=\"caption\">" + EscapeHtml(a.lead_image->caption) + "</div>";
    out += "</div><hr/>";
  }
  out += site.body_wrapper + "\n";
  std::string body = BodyHtmlBlock(a.body);
  if (!body.empty()) out += body + "\n";
  out += "</div>\n\n\n---\n\n";
  out += MarkdownFooter(site, a.url.value_or("")) + "\n";
  out += MarkdownExtras(site);
  return out;
}

std::string MarkdownPage(const extract::Article& a, const PageOptions& site) {
  std::string out = "# " + EscapeMarkdownText(a.title.value_or("")) + "\n\n";
  std::string meta;
  if (a.byline) meta += EscapeMarkdownText(*a.byline);
  if (a.published)
    meta += (meta.empty() ? "" : " · ") + EscapeMarkdownText(a.published->substr(0, 10));
  if (!meta.empty()) out += "*" + meta + "*\n\n";
  if (!site.menu.empty())
    out += (site.menu_tag_links ? TagMenuLinks(site.menu, a.id) : site.menu) + "\n\n";
  std::string image_target = a.lead_image ? MarkdownLinkTarget(a.lead_image->src) : "";
  if (!image_target.empty()) {
    out += "![" + EscapeMarkdownText(a.lead_image->alt) + "](" + image_target + ")\n\n";
    if (!a.lead_image->caption.empty())
      out += "*" + EscapeMarkdownText(a.lead_image->caption) + "*\n\n";
  }
  std::string body = ToMarkdown(a.body);
  if (!body.empty()) out += body + "\n\n";
  out += "---\n\n" + MarkdownFooter(site, a.url.value_or("")) + "\n";
  out += MarkdownExtras(site);
  return out;
}

// Light and dark (every surface and its text switch together, so <pre> and quotes stay
// readable), and a print stylesheet without navigation and share blocks, with link
// targets written out.
constexpr std::string_view kStyle =
    "body{margin:0 auto;max-width:42rem;padding:1rem;font:1.05rem/1.7 "
    "system-ui,-apple-system,\"PingFang SC\",\"Noto Sans CJK SC\",\"Microsoft YaHei\",\"WenQuanYi "
    "Zen Hei\",sans-serif;color:#222;background:#fff}img{max-width:100%;height:auto}"
    "figure{margin:1rem 0}figcaption,.caption,.meta{color:#595959;font-size:.9rem}"
    "pre,code{background:#f3f3f3;color:#1a1a1a}pre{overflow-x:auto;padding:.6rem}"
    "blockquote{margin:1rem 0;padding-left:1rem;border-left:3px solid #ccc;color:#444}"
    "table{border-collapse:collapse;display:block;overflow-x:auto}td,th{border:1px solid #ddd;"
    "padding:.3rem .5rem}a{color:#0645ad}nav{margin:.5rem 0}nav a{margin-right:.8rem}"
    ".share{margin-top:2rem;border-top:1px solid #ddd;font-size:.9rem;overflow-wrap:anywhere}"
    ".share svg{display:block;margin:.4rem 0 1rem}"
    "@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}a{color:#8ab4f8}"
    "figcaption,.caption,.meta{color:#aaa}pre,code{background:#1e1e1e;color:#e6e6e6}"
    "blockquote{color:#bbb;border-color:#555}td,th{border-color:#444}}"
    "@media print{nav,.share,.variants{display:none}body{max-width:none;color:#000;"
    "background:#fff;font-size:11pt}a{color:#000}article a[href^=\"http\"]::after{content:\" (\" "
    "attr(href) \")\";font-size:.8em}pre,code{background:none;color:#000;white-space:pre-wrap}"
    "pre,blockquote,figure,img{break-inside:avoid}}";

// The share block: each public URL as a link, its QR code under it.
std::string HtmlShare(const PageOptions& site) {
  if (site.share.empty()) return {};
  std::string out = "<section class=\"share\" aria-label=\"" + EscapeHtml(site.share_label) +
                    "\">\n<h2>" + EscapeHtml(site.share_label) + "</h2>\n";
  for (const ShareCode& code : site.share) {
    std::string href = EscapeHtml(SafeUrl(code.url));
    out += "<p><a href=\"" + href + "\">" + EscapeHtml(code.url) + "</a></p>\n" + code.svg + "\n";
  }
  return out + "</section>\n";
}

std::string HtmlPage(const extract::Article& a, const PageOptions& site) {
  std::string title = CollapseWhitespace(a.title.value_or(""));
  std::string lang = !site.lang.empty() ? site.lang : a.lang.value_or("");
  std::string out = HtmlHead(title, site, a.url.value_or(""), lang);
  out += HtmlNav(site);
  out += "<main>\n<article>\n<h1>" + EscapeHtml(title) + "</h1>\n";
  std::string meta;
  if (a.byline) meta += EscapeHtml(*a.byline);
  if (a.published) {
    if (!meta.empty()) meta += " · ";
    meta += "<time datetime=\"" + EscapeHtml(*a.published) + "\">" +
            EscapeHtml(a.published->substr(0, 10)) + "</time>";
  }
  if (!meta.empty()) out += "<p class=\"meta\">" + meta + "</p>\n";
  std::string image_src = a.lead_image ? SafeUrl(a.lead_image->src) : "";
  if (!image_src.empty()) {
    out += "<figure><img alt=\"" + EscapeHtml(a.lead_image->alt) + "\" src=\"" +
           EscapeHtml(image_src) + "\">";
    if (!a.lead_image->caption.empty())
      out += "<figcaption>" + EscapeHtml(a.lead_image->caption) + "</figcaption>";
    out += "</figure>\n";
  }
  if (a.body) {
    html::SerializeOptions so;
    so.xhtml_void = false;
    out += html::InnerHtml(a.body, so) + "\n";
  }
  // The original URL is a link only when it is http(s) (or relative); otherwise text.
  std::string url = a.url.value_or("");
  std::string href = SafeUrl(url);
  std::string footer = EscapeHtml(site.footer);
  std::string link = href.empty()
                         ? EscapeHtml(url)
                         : "<a href=\"" + EscapeHtml(href) + "\">" + EscapeHtml(url) + "</a>";
  if (!site.history.href.empty())
    out += "<p class=\"history\"><a href=\"" + EscapeHtml(SafeUrl(site.history.href)) + "\">" +
           EscapeHtml(site.history.label) + "</a></p>\n";
  out += "</article>\n" + HtmlShare(site) + "</main>\n<footer><p>" +
         ReplaceAll(footer, "{url}", link) + "</p></footer>\n</body>\n</html>\n";
  return out;
}

}  // namespace

std::string_view Stylesheet() { return kStyle; }

std::string HtmlHead(std::string_view title, const PageOptions& site, std::string_view canonical,
                     std::string_view lang) {
  std::string out = "<!DOCTYPE html>\n<html";
  if (!lang.empty()) out += " lang=\"" + EscapeHtml(lang) + "\"";
  out +=
      ">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">\n";
  out += "<title>" + EscapeHtml(title) + "</title>\n";
  if (site.stylesheet.empty())
    out += "<style>" + std::string(kStyle) + "</style>\n";
  else
    out += "<link rel=\"stylesheet\" href=\"" + EscapeHtml(site.stylesheet) + "\">\n";
  if (std::string href = SafeUrl(canonical); !href.empty())
    out += "<link rel=\"canonical\" href=\"" + EscapeHtml(href) + "\">\n";
  for (const PageLink& f : site.feeds)
    out += "<link rel=\"alternate\" type=\"" + EscapeHtml(f.label) + "\" href=\"" +
           EscapeHtml(SafeUrl(f.href)) + "\">\n";
  for (const PageLink& c : site.counterparts)
    out += "<link rel=\"alternate\" hreflang=\"" + EscapeHtml(c.lang) + "\" href=\"" +
           EscapeHtml(SafeUrl(c.href)) + "\">\n";
  return out + "</head>\n<body>\n";
}

std::string HtmlNav(const PageOptions& site) {
  std::string out;
  if (!site.home_href.empty())
    out += "<a href=\"" + EscapeHtml(SafeUrl(site.home_href)) + "\">" + EscapeHtml(site.title) +
           "</a>";
  for (const PageLink& c : site.counterparts)
    out += "<a class=\"variants\" href=\"" + EscapeHtml(SafeUrl(c.href)) + "\" hreflang=\"" +
           EscapeHtml(c.lang) + "\" lang=\"" + EscapeHtml(c.lang) + "\">" + EscapeHtml(c.label) +
           "</a>";
  return out.empty() ? out : "<nav>" + out + "</nav>\n";
}

std::string TagMenuLinks(std::string_view menu, std::string_view id) {
  std::string out;
  size_t i = 0;
  while (i < menu.size()) {
    size_t open = menu.find("](", i);
    if (open == std::string_view::npos) break;
    size_t close = menu.find(')', open + 2);
    if (close == std::string_view::npos) break;
    std::string_view target = menu.substr(open + 2, close - open - 2);
    out.append(menu.substr(i, close - i));
    if (!id.empty()) {
      out.push_back(target.find('?') == std::string_view::npos ? '?' : '&');
      out.append(id);
    }
    i = close;
  }
  out.append(menu.substr(i));
  return out;
}

std::string BodyHtmlBlock(const html::Node* body) {
  if (!body) return {};
  html::SerializeOptions so;
  so.encode_pre_newlines = true;
  std::string out;
  bool line_has_content = false;
  for (const html::Node* c = body->first_child; c; c = c->next_sibling) {
    bool block = c->IsElement() && html::IsBlockTag(c->tag) && !c->Is(html::Tag::k_br);
    if (block && line_has_content) out += "\n";
    std::string piece = html::OuterHtml(c, so);
    // Text is whitespace-collapsed by the clean stage; guard anyway against blank lines.
    for (char ch : piece) {
      if (ch == '\n' && !out.empty() && out.back() == '\n') continue;
      if (ch == '\r') continue;
      out.push_back(ch);
    }
    line_has_content = true;
    if (block) {
      out += "\n";
      line_has_content = false;
    }
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  // A line of only spaces would also end the HTML block.
  std::string cleaned;
  size_t i = 0;
  while (i < out.size()) {
    size_t nl = out.find('\n', i);
    if (nl == std::string::npos) nl = out.size();
    std::string_view line = std::string_view(out).substr(i, nl - i);
    if (!TrimAscii(line).empty()) {
      if (!cleaned.empty()) cleaned += "\n";
      cleaned.append(line);
    }
    i = nl + 1;
  }
  return cleaned;
}

std::string RenderPage(const extract::Article& article, const PageOptions& site, Theme theme) {
  switch (theme) {
    case Theme::kClassic:
      return ClassicPage(article, site);
    case Theme::kMarkdown:
      return MarkdownPage(article, site);
    case Theme::kHtml:
      return HtmlPage(article, site);
  }
  return {};
}

bool ParseTheme(std::string_view text, Theme* out) {
  if (text == "classic")
    *out = Theme::kClassic;
  else if (text == "markdown")
    *out = Theme::kMarkdown;
  else if (text == "html")
    *out = Theme::kHtml;
  else
    return false;
  return true;
}

std::string_view ThemeName(Theme theme) {
  switch (theme) {
    case Theme::kClassic:
      return "classic";
    case Theme::kMarkdown:
      return "markdown";
    case Theme::kHtml:
      return "html";
  }
  return "markdown";
}

}  // namespace samizdat::render
