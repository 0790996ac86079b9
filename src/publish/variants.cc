#include "publish/variants.h"

#include <opencc/opencc.h>

#include <algorithm>
#include <cstdlib>

#include "html/dom.h"
#include "publish/output_tree.h"

namespace samizdat::publish {
namespace {

constexpr Variant kVariants[] = {
    {"zh-Hant", "s2t.json", "繁體"},
    {"zh-TW", "s2twp.json", "正體（台灣）"},
    {"zh-HK", "s2hk.json", "繁體（香港）"},
};

// OpenCC's data directory: the configurations name their dictionaries relative to it.
std::string ConfigPath(std::string_view file) {
  const char* dir = std::getenv("SAMIZDAT_OPENCC_DIR");
  return std::string(dir && *dir ? dir : "/usr/share/opencc") + "/" + std::string(file);
}

// Converts an attribute of `n` in place when it is there.
void ConvertAttr(const TextConverter& c, html::Document& doc, html::Node* n,
                 std::string_view name) {
  if (!n->HasAttr(name)) return;
  std::string converted = c.Convert(n->Attr(name));
  doc.SetAttr(n, name, converted);
}

void ConvertTree(const TextConverter& c, html::Document& doc, html::Node* root) {
  for (html::Node* n = root->first_child; n; n = html::NextInTree(n, root)) {
    if (n->IsText()) {
      n->data = doc.Intern(c.Convert(n->data));
    } else if (n->IsElement()) {
      ConvertAttr(c, doc, n, "alt");
      ConvertAttr(c, doc, n, "title");
    }
  }
}

// Relative link targets in operator Markdown ("[x](../../y)") one level further up, for a
// tree one directory below the original.
std::string RebaseLinks(std::string_view markdown) {
  std::string out;
  size_t i = 0;
  for (size_t open; (open = markdown.find("](", i)) != std::string_view::npos; i = open + 2) {
    out.append(markdown.substr(i, open + 2 - i));
    std::string_view target = markdown.substr(open + 2);
    bool relative = !target.empty() && target[0] != '/' && target[0] != '#' &&
                    target.substr(0, target.find(')')).find(':') == std::string_view::npos;
    if (relative) out += "../";
  }
  out.append(markdown.substr(i));
  return out;
}

void ConvertOptional(const TextConverter& c, std::optional<std::string>& text) {
  if (text) text = c.Convert(*text);
}

}  // namespace

std::vector<const Variant*> AllVariants() {
  std::vector<const Variant*> all;
  for (const Variant& v : kVariants) all.push_back(&v);
  return all;
}

const Variant* FindVariant(std::string_view tag) {
  for (const Variant& v : kVariants)
    if (v.tag == tag) return &v;
  return nullptr;
}

Result<std::unique_ptr<TextConverter>> TextConverter::Open(const Variant& variant) {
  std::string path = ConfigPath(variant.opencc_config);
  opencc_t handle = opencc_open(path.c_str());
  if (handle == reinterpret_cast<opencc_t>(-1)) {
    const char* why = opencc_error();
    return Status::InvalidArgument("cannot load OpenCC configuration " + path + ": " +
                                   (why ? why : "unknown error"));
  }
  return std::unique_ptr<TextConverter>(new TextConverter(handle));
}

TextConverter::~TextConverter() { opencc_close(static_cast<opencc_t>(handle_)); }

std::string TextConverter::Convert(std::string_view text) const {
  if (text.empty()) return {};
  char* out = opencc_convert_utf8(static_cast<opencc_t>(handle_), text.data(), text.size());
  if (!out) return std::string(text);  // OpenCC refused it: the reader still gets the text
  std::string converted(out);
  opencc_convert_utf8_free(out);
  return converted;
}

Result<std::vector<SiteTree>> OpenSiteTrees(const config::SiteConfig& site) {
  std::vector<SiteTree> trees;
  trees.push_back(SiteTree{site.lang, "", "简体", nullptr});
  for (const std::string& tag : site.variants) {
    const Variant* v = FindVariant(tag);
    if (!v) return Status::InvalidArgument("unknown variant " + tag);
    Result<std::unique_ptr<TextConverter>> c = TextConverter::Open(*v);
    if (!c.ok()) return c.status();
    trees.push_back(SiteTree{tag, tag + "/", std::string(v->label), std::move(*c)});
  }
  return trees;
}

void ConvertArticle(const TextConverter& c, extract::Article& a) {
  ConvertOptional(c, a.title);
  ConvertOptional(c, a.byline);
  if (a.lead_image) {
    a.lead_image->alt = c.Convert(a.lead_image->alt);
    a.lead_image->caption = c.Convert(a.lead_image->caption);
  }
  if (a.doc && a.body) ConvertTree(c, *a.doc, a.body);
}

void ConvertEntries(const TextConverter& c, std::vector<store::IndexEntry>& entries) {
  for (auto& e : entries) e.title = c.Convert(e.title);
}

config::Config VariantConfig(const config::Config& original, const SiteTree& tree) {
  config::Config cfg = original;
  const TextConverter& c = *tree.converter;
  std::string dir = tree.prefix.substr(0, tree.prefix.size() - 1);
  cfg.output_dir += "/" + dir;
  config::SiteConfig& s = cfg.site;
  s.lang = tree.lang;
  if (!s.base_url.empty()) s.base_url += tree.prefix;
  for (auto& u : s.public_urls) u += tree.prefix;
  s.title = c.Convert(s.title);
  s.menu = RebaseLinks(c.Convert(s.menu));
  s.footer = RebaseLinks(c.Convert(s.footer));
  s.promo = RebaseLinks(c.Convert(s.promo));
  for (auto& ch : cfg.channels) {
    ch.name = c.Convert(ch.name);
    ch.group = c.Convert(ch.group);
  }
  // The archive keeps the same shape: its own variant tree, one level further down.
  ArchiveConfig& archive = cfg.publish.archive;
  if (archive.enabled()) {
    archive.output += "/" + dir;
    bool absolute = archive.link_prefix.find("://") != std::string::npos;
    archive.link_prefix = (absolute ? "" : "../") + archive.link_prefix + tree.prefix;
  }
  return cfg;
}

std::vector<render::PageLink> CounterpartLinks(const std::vector<SiteTree>& trees, size_t self,
                                               const std::string& relative) {
  std::string up;
  for (char ch : trees[self].prefix + relative)
    if (ch == '/') up += "../";
  std::vector<render::PageLink> links;
  for (size_t i = 0; i < trees.size(); ++i)
    if (i != self)
      links.push_back(
          render::PageLink{trees[i].label, up + trees[i].prefix + relative, trees[i].lang});
  return links;
}

// A variant tree an earlier build wrote and the configuration no longer names: its files go
// (those its output list names), as any stale output does.
void RemoveDroppedVariants(const config::Config& cfg, Env& env, std::vector<std::string>* errors) {
  for (const Variant* v : AllVariants()) {
    const auto& kept = cfg.site.variants;
    if (std::find(kept.begin(), kept.end(), v->tag) != kept.end()) continue;
    OutputTree dropped(env, cfg.output_dir + "/" + std::string(v->tag));
    if (dropped.Exists(".samizdat/outputs.txt")) dropped.Finish(true, errors);
  }
}

}  // namespace samizdat::publish
