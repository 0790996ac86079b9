#include "publish/epub.h"

#include "publish/zip.h"
#include "render/escape.h"

namespace samizdat::publish {
namespace {

std::string X(std::string_view s) { return render::EscapeXml(s); }

std::string ArticleName(size_t i) { return "a" + std::to_string(i + 1) + ".xhtml"; }

std::string XhtmlHead(const EpubBook& book, const std::string& title) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<!DOCTYPE html>\n"
         "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
         "xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"" +
         X(book.lang) + "\" lang=\"" + X(book.lang) +
         "\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>" + X(title) +
         "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"style.css\"/>\n"
         "</head>\n";
}

std::string ArticleDocument(const EpubBook& book, const EpubArticle& a) {
  std::string out = XhtmlHead(book, a.title) + "<body>\n<article>\n<h1>" + X(a.title) + "</h1>\n";
  if (!a.byline.empty() || !a.published.empty())
    out += "<p class=\"meta\">" + X(a.byline) +
           (a.byline.empty() || a.published.empty() ? "" : " · ") + X(a.published) + "</p>\n";
  out += "<div>" + a.body_xhtml + "</div>\n";
  if (!a.url.empty())
    out += "<p class=\"source\"><a href=\"" + X(render::SafeUrl(a.url)) + "\">" + X(a.url) +
           "</a></p>\n";
  return out + "</article>\n</body>\n</html>\n";
}

std::string NavDocument(const EpubBook& book) {
  std::string out = XhtmlHead(book, book.title) +
                    "<body>\n<nav epub:type=\"toc\" id=\"toc\">\n<h1>" + X(book.title) +
                    "</h1>\n<ol>\n";
  for (size_t i = 0; i < book.articles.size(); ++i)
    out += "<li><a href=\"" + ArticleName(i) + "\">" + X(book.articles[i].title) + "</a></li>\n";
  return out + "</ol>\n</nav>\n</body>\n</html>\n";
}

std::string PackageDocument(const EpubBook& book) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
      "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
      "unique-identifier=\"pub-id\" xml:lang=\"" +
      X(book.lang) +
      "\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
      "<dc:identifier id=\"pub-id\">" +
      X(book.identifier) + "</dc:identifier>\n<dc:title>" + X(book.title) +
      "</dc:title>\n<dc:language>" + X(book.lang) + "</dc:language>\n";
  if (!book.date.empty()) out += "<dc:date>" + X(book.date) + "</dc:date>\n";
  if (!book.publisher.empty()) out += "<dc:publisher>" + X(book.publisher) + "</dc:publisher>\n";
  out += "<meta property=\"dcterms:modified\">" + X(book.modified) +
         "</meta>\n</metadata>\n<manifest>\n";
  out +=
      "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
      "properties=\"nav\"/>\n";
  out += "<item id=\"css\" href=\"style.css\" media-type=\"text/css\"/>\n";
  for (size_t i = 0; i < book.articles.size(); ++i)
    out += "<item id=\"a" + std::to_string(i + 1) + "\" href=\"" + ArticleName(i) +
           "\" media-type=\"application/xhtml+xml\"/>\n";
  for (size_t i = 0; i < book.images.size(); ++i)
    out += "<item id=\"img" + std::to_string(i + 1) + "\" href=\"" + X(book.images[i].href) +
           "\" media-type=\"" + X(book.images[i].media_type) + "\"/>\n";
  out += "</manifest>\n<spine>\n<itemref idref=\"nav\"/>\n";
  for (size_t i = 0; i < book.articles.size(); ++i)
    out += "<itemref idref=\"a" + std::to_string(i + 1) + "\"/>\n";
  return out + "</spine>\n</package>\n";
}

constexpr char kContainer[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
    "<rootfiles>\n<rootfile full-path=\"OEBPS/content.opf\" "
    "media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n</container>\n";

constexpr char kStyle[] =
    "body { line-height: 1.6; }\nimg { max-width: 100%; height: auto; }\n"
    ".meta, .source { color: #555; font-size: 0.9em; }\n";

}  // namespace

std::string MakeEpub(const EpubBook& book) {
  ZipWriter zip;
  zip.Add("mimetype", "application/epub+zip", /*stored=*/true);
  zip.Add("META-INF/container.xml", kContainer);
  zip.Add("OEBPS/content.opf", PackageDocument(book));
  zip.Add("OEBPS/nav.xhtml", NavDocument(book));
  zip.Add("OEBPS/style.css", kStyle);
  for (size_t i = 0; i < book.articles.size(); ++i)
    zip.Add("OEBPS/" + ArticleName(i), ArticleDocument(book, book.articles[i]));
  for (const EpubImage& img : book.images) zip.Add("OEBPS/" + img.href, img.bytes);
  return zip.Finish();
}

}  // namespace samizdat::publish
