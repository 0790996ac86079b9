// EPUB 3 digests (doc/trust.md): articles as XHTML content documents with a navigation
// document (the table of contents), images embedded, and the language, title and dates in
// the package metadata. Pure: the caller gathers the articles and images and writes the file.
#pragma once

#include <string>
#include <vector>

namespace samizdat::publish {

struct EpubArticle {
  std::string title;
  std::string byline;
  std::string published;   // as stored (shown as it is)
  std::string url;         // the original
  std::string body_xhtml;  // well-formed XHTML: the article body's children
};

struct EpubImage {
  std::string href;        // "images/<name>", as the bodies refer to it
  std::string media_type;  // image/jpeg, image/png, image/gif, image/webp
  std::string bytes;
};

struct EpubBook {
  std::string identifier;  // stable for the same selection: "urn:samizdat:<...>"
  std::string title;
  std::string lang;      // BCP 47: "zh-Hans", "zh-Hant", "en"
  std::string modified;  // "YYYY-MM-DDThh:mm:ssZ" (dcterms:modified)
  std::string date;      // "YYYY-MM-DD" (dc:date)
  std::string publisher;
  std::vector<EpubArticle> articles;
  std::vector<EpubImage> images;
};

// The .epub file's bytes (a ZIP with "mimetype" first and stored).
std::string MakeEpub(const EpubBook& book);

}  // namespace samizdat::publish
