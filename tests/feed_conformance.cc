// Feed conformance: runs the assertions of ../shared/datasets/feeds/feedparser
// (expectations.jsonl) against samizdat's feed parser and reports pass/fail for each, by
// category. Categories samizdat declares applicable (doc/feed.md) must pass >= 97%.
//   feed_conformance [--verbose] [DATASET_DIR]
// Exit status 0 when the applicable categories reach the threshold (or the dataset is
// absent: then it says so and skips).
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "feed/feed.h"
#include "util/strings.h"

using nlohmann::json;
namespace feed = samizdat::feed;

namespace {

// Categories whose semantics samizdat implements (see doc/feed.md for the others).
const std::set<std::string> kApplicable = {"wellformed/rdf", "entities", "illformed", "json"};

std::string Category(const std::string& file) {
  // data/wellformed/rss/x.xml -> wellformed/rss; data/entities/x.xml -> entities
  std::string rest = file.substr(file.find('/') + 1);
  size_t a = rest.find('/');
  size_t b = rest.find('/', a + 1);
  return b == std::string::npos ? rest.substr(0, a) : rest.substr(0, b);
}

json Detail(const std::string& value, const std::string& type, const std::string& language,
            const std::string& base) {
  return {{"value", value},
          {"type", type},
          {"language", language.empty() ? json(nullptr) : json(language)},
          {"base", base}};
}

// The parsed feed in the feed-parser vocabulary the assertions use.
json View(const feed::Feed& f) {
  json v;
  v["version"] = f.version;
  v["encoding"] = samizdat::AsciiLowerCopy(f.encoding);
  json fd;
  fd["title"] = f.feed.title;
  fd["title_detail"] = Detail(f.feed.title, "text/plain", "", "");
  fd["link"] = f.feed.link;
  if (!f.feed.link.empty())
    fd["links"] = json::array({{{"href", f.feed.link}, {"rel", "alternate"}}});
  fd["subtitle"] = f.feed.subtitle;
  fd["description"] = f.feed.subtitle;
  fd["language"] = f.feed.language;
  fd["id"] = f.feed.id;
  if (!f.feed.image.empty()) fd["image"] = {{"href", f.feed.image}, {"url", f.feed.image}};
  if (f.feed.updated) fd["updated"] = *f.feed.updated;
  v["feed"] = fd;
  json entries = json::array();
  for (const auto& e : f.entries) {
    json x;
    x["title"] = e.title;
    x["title_detail"] = Detail(e.title, "text/plain", "", "");
    x["link"] = e.link;
    x["id"] = e.id;
    x["summary"] = e.summary;
    x["description"] = e.summary;
    x["links"] = json::array();
    for (const auto& l : e.links)
      x["links"].push_back({{"href", l.href}, {"rel", l.rel}, {"type", l.type}});
    if (x["links"].empty() && !e.link.empty())
      x["links"].push_back({{"href", e.link}, {"rel", "alternate"}});
    x["content"] = json::array();
    for (const auto& c : e.content)
      x["content"].push_back(Detail(c.value, c.type, c.language, c.base));
    if (e.published) x["published"] = *e.published;
    if (e.updated) x["updated"] = *e.updated;
    x["author"] = e.author;
    if (!e.authors.empty())
      x["author_detail"] = {
          {"name", e.authors[0].name}, {"email", e.authors[0].email}, {"href", e.authors[0].href}};
    x["authors"] = json::array();
    for (const auto& a : e.authors)
      x["authors"].push_back({{"name", a.name}, {"email", a.email}, {"href", a.href}});
    x["tags"] = json::array();
    for (const auto& t : e.tags) x["tags"].push_back({{"term", t}});
    x["enclosures"] = json::array();
    for (const auto& l : e.enclosures)
      x["enclosures"].push_back(
          {{"href", l.href}, {"type", l.type}, {"length", std::to_string(l.length)}});
    entries.push_back(std::move(x));
  }
  v["entries"] = entries;
  return v;
}

const json* Resolve(const json& root, const json& path) {
  const json* cur = &root;
  for (const auto& p : path) {
    if (p.is_number_integer()) {
      size_t i = p.get<size_t>();
      if (!cur->is_array() || i >= cur->size()) return nullptr;
      cur = &(*cur)[i];
    } else if (p.is_string()) {
      std::string k = p.get<std::string>();
      if (!cur->is_object() || !cur->contains(k)) return nullptr;
      cur = &(*cur)[k];
    } else {
      return nullptr;
    }
  }
  return cur;
}

bool Equal(const json* got, const json& want) {
  if (!got) return want.is_null();
  if (want.is_number() && got->is_string()) return got->get<std::string>() == want.dump();
  return *got == want;
}

}  // namespace

int main(int argc, char** argv) {
  bool verbose = false;
  std::string dir = std::string(SAMIZDAT_SHARED_DIR) + "/datasets/feeds/feedparser";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose")
      verbose = true;
    else
      dir = a;
  }
  std::ifstream in(dir + "/expectations.jsonl");
  if (!in) {
    std::printf("skipped: %s/expectations.jsonl absent\n", dir.c_str());
    return 0;
  }
  std::map<std::string, std::pair<int, int>> by_category;  // pass, total
  std::string line;
  while (std::getline(in, line)) {
    json rec = json::parse(line, nullptr, false);
    if (rec.is_discarded()) continue;
    std::string file = rec["file"];
    std::string category = Category(file);
    std::ifstream f(dir + "/" + file, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    feed::ParseOptions o;
    o.url = rec.value("document_url", std::string("http://127.0.0.1:8097/") + file);
    if (rec.contains("http_headers")) {
      for (const auto& [k, val] : rec["http_headers"].items()) {
        if (samizdat::AsciiLowerCopy(k) != "content-type") continue;
        std::string ct = samizdat::AsciiLowerCopy(val.get<std::string>());
        size_t p = ct.find("charset=");
        if (p != std::string::npos) o.http_charset = ct.substr(p + 8, ct.find(';', p) - p - 8);
      }
    }
    feed::Feed parsed = feed::ParseFeed(ss.str(), o);
    json view = View(parsed);
    for (const auto& a : rec["assertions"]) {
      std::string op = a.value("op", "");
      if (op == "python_only") continue;  // not language-neutral
      bool pass = false;
      if (op == "bozo")
        pass = parsed.bozo == a["value"].get<bool>();
      else if (op == "parses")
        pass = true;
      else if (op == "eq")
        pass = Equal(Resolve(view, a["canonical_path"]), a["value"]);
      else if (op == "ne")
        pass = !Equal(Resolve(view, a["canonical_path"]), a["value"]);
      else if (op == "absent")
        pass = Resolve(view, a["canonical_path"]) == nullptr;
      else if (op == "truthy" || op == "falsy") {
        const json* v = Resolve(view, a["canonical_path"]);
        bool truthy = v && !v->is_null() && !(v->is_string() && v->get<std::string>().empty()) &&
                      !(v->is_array() && v->empty()) && !(v->is_boolean() && !v->get<bool>());
        pass = (op == "truthy") == truthy;
      } else if (op == "len_eq") {
        const json* v = Resolve(view, a["canonical_path"]);
        pass = v && v->size() == a["value"].get<size_t>();
      }
      auto& [p, t] = by_category[category];
      ++t;
      p += pass;
      if (verbose || (!pass && kApplicable.count(category)))
        std::printf("%s %s %s\n", pass ? "PASS" : "FAIL", file.c_str(),
                    a.dump().substr(0, 200).c_str());
    }
  }
  int app_pass = 0, app_total = 0, all_pass = 0, all_total = 0;
  std::printf("\n%-28s %7s %7s %7s  %s\n", "category", "pass", "total", "rate", "applicable");
  for (const auto& [cat, pt] : by_category) {
    bool applicable = kApplicable.count(cat) > 0;
    std::printf("%-28s %7d %7d %6.1f%%  %s\n", cat.c_str(), pt.first, pt.second,
                100.0 * pt.first / pt.second, applicable ? "yes" : "no");
    all_pass += pt.first;
    all_total += pt.second;
    if (applicable) {
      app_pass += pt.first;
      app_total += pt.second;
    }
  }
  double rate = app_total ? 100.0 * app_pass / app_total : 100.0;
  std::printf("\napplicable: %d passed, %d failed (%.1f%%); all categories: %d of %d (%.1f%%)\n",
              app_pass, app_total - app_pass, rate, all_pass, all_total,
              100.0 * all_pass / all_total);
  return rate >= 97.0 ? 0 : 1;
}
