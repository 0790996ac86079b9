// Feed conformance: runs the language-neutral assertions of
// ../shared/datasets/feeds/feedparser (expectations.jsonl) against samizdat's feed parser,
// every category, and reports pass/fail for each assertion and a table by category.
//   feed_conformance [--verbose] [--min-rate PERCENT] [--exclusions TSV] [DATASET_DIR]
// The view the assertions read is built only from samizdat's feed model (feed/feed.h): a
// field the model lacks is absent, and its assertions fail. Assertions listed in the
// exclusions file (file, assertion index, path, reason) are not counted; each must still
// name an assertion of the dataset. Exit status 0 when the pass rate over everything not
// excluded reaches --min-rate; 1 below it, on a stale exclusion, or when the dataset is
// absent under CI (CI=true). Elsewhere an absent dataset is skipped with a note.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
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

std::string Category(const std::string& file) {
  // data/wellformed/rss/x.xml -> wellformed/rss; data/entities/x.xml -> entities
  std::string rest = file.substr(file.find('/') + 1);
  size_t a = rest.find('/');
  size_t b = rest.find('/', a + 1);
  return b == std::string::npos ? rest.substr(0, a) : rest.substr(0, b);
}

json ContentDetail(const feed::Content& c) {
  return {{"value", c.value},
          {"type", c.type},
          {"language", c.language.empty() ? json(nullptr) : json(c.language)},
          {"base", c.base}};
}

// A *_detail object when the parser produced one (a detail with no type is absent).
void PutDetail(json& to, const char* key, const feed::Content& c) {
  if (!c.type.empty()) to[key] = ContentDetail(c);
}

// The title as feed parsers give it, the value of its detail: samizdat's title is plain
// text for display, and its title_detail carries the text as the feed gave it (sanitised
// when it is markup).
std::string TitleView(const std::string& title, const feed::Content& detail) {
  return detail.type.empty() ? title : detail.value;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, int64_t m, int64_t d) {
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

// An RFC 3339 time of the model as a UTC time tuple (year, month, day, hour, minute,
// second, weekday with Monday 0, day of the year, 0): the *_parsed form of feed parsers.
json TimeTuple(const std::string& rfc3339) {
  int y, mo, d, h, mi, s;
  if (std::sscanf(rfc3339.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s) != 6)
    return nullptr;
  int64_t offset = 0;  // seconds east of UTC
  size_t zone = rfc3339.find_first_of("Z+-", 19);
  if (zone != std::string::npos && rfc3339[zone] != 'Z') {
    int oh = 0, om = 0;
    std::sscanf(rfc3339.c_str() + zone + 1, "%d:%d", &oh, &om);
    offset = (rfc3339[zone] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  int64_t t = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset;
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t secs = t - days * 86400;
  // Back to a civil date.
  int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  int64_t year = yoe + era * 400 + (month <= 2);
  int64_t weekday = ((days % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday
  int64_t yday = days - DaysFromCivil(year, 1, 1) + 1;
  return json::array({year, month, day, secs / 3600, secs / 60 % 60, secs % 60, weekday, yday, 0});
}

// A date and its *_parsed tuple, when the model has it.
void PutDate(json& to, const std::string& key, const std::optional<std::string>& date) {
  if (!date) return;
  to[key] = *date;
  to[key + "_parsed"] = TimeTuple(*date);
}

// Tags as the assertions read them: a scheme or label the feed did not give is null.
json TagsView(const std::vector<feed::Tag>& tags) {
  json j = json::array();
  for (const auto& t : tags)
    j.push_back({{"term", t.term},
                 {"scheme", t.scheme.empty() ? json(nullptr) : json(t.scheme)},
                 {"label", t.label.empty() ? json(nullptr) : json(t.label)}});
  return j;
}

json PersonDetail(const feed::Person& p) {
  return {{"name", p.name}, {"email", p.email}, {"href", p.href}};
}

// Rights, author, generator and TTL of the feed, where the parser produced them.
void PutFeedExtras(const feed::FeedInfo& i, json& fd) {
  PutDetail(fd, "title_detail", i.title_detail);
  PutDetail(fd, "subtitle_detail", i.subtitle_detail);
  if (!i.rights.empty()) fd["rights"] = i.rights;
  PutDetail(fd, "rights_detail", i.rights_detail);
  if (!i.author.empty()) fd["author"] = i.author;
  if (!i.authors.empty()) fd["author_detail"] = PersonDetail(i.authors[0]);
  if (!i.authors.empty()) fd["authors"] = json::array();
  for (const auto& a : i.authors) fd["authors"].push_back(PersonDetail(a));
  if (!i.tags.empty()) fd["tags"] = TagsView(i.tags);
  if (!i.contributors.empty()) fd["contributors"] = json::array();
  for (const auto& a : i.contributors) fd["contributors"].push_back(PersonDetail(a));
  if (!i.generator.empty()) fd["generator"] = i.generator;
  if (!i.info.empty()) fd["info"] = i.info;
  PutDetail(fd, "info_detail", i.info_detail);
  if (!i.ttl.empty()) fd["ttl"] = i.ttl;
}

json LinksView(const std::vector<feed::Link>& links) {
  json j = json::array();
  for (const auto& l : links) {
    json x{{"href", l.href}, {"rel", l.rel}, {"type", l.type}};
    if (!l.title.empty()) x["title"] = l.title;
    if (l.length) x["length"] = std::to_string(l.length);
    if (!l.hreflang.empty()) x["hreflang"] = l.hreflang;
    j.push_back(std::move(x));
  }
  return j;
}

// Publisher, docs, cloud, text input, image, generator, links and iTunes flags.
void PutFeedObjects(const feed::FeedInfo& i, json& fd) {
  if (!i.publisher.empty()) fd["publisher"] = i.publisher;
  if (!i.publisher.empty()) fd["publisher_detail"] = PersonDetail(i.publisher_detail);
  if (!i.docs.empty()) fd["docs"] = i.docs;
  if (!i.icon.empty()) fd["icon"] = i.icon;
  if (!i.logo.empty()) fd["logo"] = i.logo;
  const feed::Cloud& c = i.cloud;
  if (!c.domain.empty())
    fd["cloud"] = {{"domain", c.domain},
                   {"port", c.port},
                   {"path", c.path},
                   {"registerprocedure", c.register_procedure},
                   {"protocol", c.protocol}};
  const feed::TextInput& t = i.textinput;
  if (!t.name.empty() || !t.title.empty())
    fd["textinput"] = {
        {"title", t.title}, {"link", t.link}, {"name", t.name}, {"description", t.description}};
  const feed::Image& im = i.image_detail;
  if (!im.href.empty()) {
    fd["image"] = {{"href", im.href}, {"url", im.href}};
    if (!im.title.empty()) fd["image"]["title"] = im.title;
    if (!im.link.empty()) fd["image"]["link"] = im.link;
    if (!im.description.empty()) fd["image"]["description"] = im.description;
    if (im.width) fd["image"]["width"] = im.width;
    if (im.height) fd["image"]["height"] = im.height;
  }
  const feed::Generator& g = i.generator_detail;
  if (!g.name.empty() || !g.href.empty()) {
    fd["generator_detail"] = {{"name", g.name}};
    if (!g.href.empty()) fd["generator_detail"]["href"] = g.href;
    if (!g.version.empty()) fd["generator_detail"]["version"] = g.version;
  }
  if (!i.links.empty()) {
    json links = LinksView(i.links);
    bool listed = std::any_of(i.links.begin(), i.links.end(),
                              [&](const feed::Link& l) { return l.href == i.link; });
    if (!listed && !i.link.empty())
      links.insert(links.begin(), {{"href", i.link}, {"rel", "alternate"}});
    fd["links"] = std::move(links);
  }
  fd["itunes_block"] = i.itunes_block ? 1 : 0;
  if (i.itunes_explicit) fd["itunes_explicit"] = *i.itunes_explicit;
}

// A feed's metadata (the feed's own, or an entry's source).
json FeedInfoView(const feed::FeedInfo& i) {
  json fd;
  fd["title"] = TitleView(i.title, i.title_detail);
  fd["link"] = i.link;
  if (!i.link.empty()) fd["links"] = json::array({{{"href", i.link}, {"rel", "alternate"}}});
  fd["subtitle"] = i.subtitle;
  fd["language"] = i.language;
  fd["id"] = i.id;
  if (!i.image.empty()) fd["image"] = {{"href", i.image}, {"url", i.image}};
  PutDate(fd, "updated", i.updated);
  PutDate(fd, "published", i.published);
  PutFeedExtras(i, fd);
  PutFeedObjects(i, fd);
  return fd;
}

// An entry's links as feed parsers list them: its own links, then its enclosures (RSS
// keeps them apart), else its link as the alternate.
json EntryLinksView(const feed::Entry& e) {
  json links = LinksView(e.links);
  for (const auto& l : e.enclosures) {
    bool listed = std::any_of(e.links.begin(), e.links.end(),
                              [&](const feed::Link& x) { return x.href == l.href; });
    if (listed) continue;
    links.push_back({{"href", l.href}, {"rel", "enclosure"}, {"type", l.type}});
    if (l.length) links.back()["length"] = std::to_string(l.length);
  }
  if (links.empty() && !e.link.empty()) links.push_back({{"href", e.link}, {"rel", "alternate"}});
  return links;
}

// Comments, publisher, creation and expiry, guidislink and iTunes fields of an entry.
void PutEntryExtras(const feed::Entry& e, json& x) {
  if (!e.comments.empty()) x["comments"] = e.comments;
  if (!e.publisher.empty()) x["publisher"] = e.publisher;
  if (!e.publisher.empty()) x["publisher_detail"] = PersonDetail(e.publisher_detail);
  PutDate(x, "created", e.created);
  PutDate(x, "expired", e.expired);
  x["guidislink"] = e.guidislink;
  x["itunes_block"] = e.itunes_block ? 1 : 0;
  if (e.itunes_explicit) x["itunes_explicit"] = *e.itunes_explicit;
  if (!e.itunes_duration.empty()) x["itunes_duration"] = e.itunes_duration;
  for (const auto& c : e.media_credit)
    x["media_credit"].push_back({{"role", c.role}, {"scheme", c.scheme}, {"content", c.content}});
  for (const auto& t : e.media_thumbnail) x["media_thumbnail"].push_back({{"url", t.url}});
  if (!e.media_player.empty()) x["media_player"] = {{"url", e.media_player}};
}

json EntryView(const feed::Entry& e) {
  json x;
  x["title"] = TitleView(e.title, e.title_detail);
  if (!e.link.empty()) x["link"] = e.link;
  x["id"] = e.id;
  x["summary"] = e.summary;
  PutDetail(x, "title_detail", e.title_detail);
  PutDetail(x, "summary_detail", e.summary_detail);
  if (!e.rights.empty()) x["rights"] = e.rights;
  PutDetail(x, "rights_detail", e.rights_detail);
  if (!e.image.empty()) x["image"] = {{"href", e.image}};
  if (e.source) x["source"] = FeedInfoView(*e.source);
  if (!e.contributors.empty()) x["contributors"] = json::array();
  for (const auto& a : e.contributors) x["contributors"].push_back(PersonDetail(a));
  x["links"] = EntryLinksView(e);
  x["content"] = json::array();
  for (const auto& c : e.content) x["content"].push_back(ContentDetail(c));
  PutDate(x, "published", e.published);
  PutDate(x, "updated", e.updated);
  x["author"] = e.author;
  if (!e.authors.empty()) x["author_detail"] = PersonDetail(e.authors[0]);
  x["authors"] = json::array();
  for (const auto& a : e.authors) x["authors"].push_back(PersonDetail(a));
  x["tags"] = TagsView(e.tags);
  x["enclosures"] = json::array();
  for (const auto& l : e.enclosures)
    x["enclosures"].push_back(
        {{"href", l.href}, {"type", l.type}, {"length", std::to_string(l.length)}});
  PutEntryExtras(e, x);
  return x;
}

// The parsed feed in the feed-parser vocabulary the assertions use.
json View(const feed::Feed& f) {
  json v;
  v["version"] = f.version;
  v["encoding"] = f.encoding;
  v["feed"] = FeedInfoView(f.feed);
  v["entries"] = json::array();
  for (const auto& e : f.entries) v["entries"].push_back(EntryView(e));
  return v;
}

// The value at `path` (keys and indexes; a negative index counts from the end), or null.
const json* Resolve(const json& root, const json& path) {
  // Filtered arrays a returned pointer may point into; kept for the run (a deque never
  // moves its elements), so two results can be compared.
  static std::deque<json> scratch;
  const json* cur = &root;
  for (const auto& p : path) {
    if (p.is_number_integer()) {
      if (!cur->is_array()) return nullptr;
      int64_t i = p.get<int64_t>();
      if (i < 0) i += static_cast<int64_t>(cur->size());
      if (i < 0 || i >= static_cast<int64_t>(cur->size())) return nullptr;
      cur = &(*cur)[static_cast<size_t>(i)];
    } else if (p.is_object() && p.contains("where")) {
      // {"where": {field: value}}: the array's elements whose fields match, in order.
      if (!cur->is_array()) return nullptr;
      json matched = json::array();
      for (const auto& item : *cur) {
        bool all = item.is_object();
        for (const auto& [k, v] : p["where"].items()) all = all && item.value(k, json()) == v;
        if (all) matched.push_back(item);
      }
      scratch.push_back(std::move(matched));
      cur = &scratch.back();
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
  // The assertions come from Python, where True == 1 and False == 0.
  if (want.is_number() && got->is_boolean()) return (got->get<bool>() ? 1 : 0) == want;
  if (want.is_boolean() && got->is_number()) return got->get<int>() == (want.get<bool>() ? 1 : 0);
  if (want.is_number() && got->is_string()) return got->get<std::string>() == want.dump();
  return *got == want;
}

bool Truthy(const json* v) {
  return v && !v->is_null() && !(v->is_string() && v->get<std::string>().empty()) &&
         !(v->is_array() && v->empty()) && !(v->is_object() && v->empty()) &&
         !(v->is_boolean() && !v->get<bool>());
}

// One assertion of the dataset against the parsed feed and its view. An operation this
// harness does not know fails.
bool Evaluate(const json& a, const feed::Feed& parsed, const json& view) {
  std::string op = a.value("op", "");
  const json path = a.value("canonical_path", json::array());
  if (op == "bozo") return parsed.bozo == a["value"].get<bool>();
  // "parses": the document is read as a feed (feedparser's check is only that it does not
  // crash; every such file is a feed).
  if (op == "parses") return !parsed.not_a_feed && !parsed.version.empty();
  if (op == "eq" && path == json::array({"encoding"}) && a["value"].is_string()) {
    // Charset names are case-insensitive (RFC 2978).
    const json* got = Resolve(view, path);
    return got && got->is_string() &&
           samizdat::EqualsIgnoreCase(got->get<std::string>(), a["value"].get<std::string>());
  }
  if (op == "eq") return Equal(Resolve(view, path), a["value"]);
  if (op == "ne") return !Equal(Resolve(view, path), a["value"]);
  if (op == "absent") return Resolve(view, path) == nullptr;
  if (op == "truthy") return Truthy(Resolve(view, path));
  if (op == "falsy") return !Truthy(Resolve(view, path));
  if (op == "len_eq") {
    const json* v = Resolve(view, path);
    return v && (v->is_array() || v->is_object() || v->is_string()) &&
           (v->is_string() ? v->get<std::string>().size() : v->size()) == a["value"].get<size_t>();
  }
  if (op == "not_contains") {
    const json* v = Resolve(view, path);
    return v && v->is_object() && !v->contains(a["value"].get<std::string>());
  }
  if (op == "paths_equal") {
    const json& paths = a["canonical_paths"];
    const json* first = Resolve(view, paths[0]);
    const json* second = Resolve(view, paths[1]);
    return first && second && *first == *second;
  }
  if (op == "any_of") {
    for (const auto& alternative : a["alternatives"]) {
      bool all = true;
      for (const auto& sub : alternative) all = all && Evaluate(sub, parsed, view);
      if (all) return true;
    }
    return false;
  }
  return false;
}

bool RequireDataset() {
  const char* ci = std::getenv("CI");
  return ci && std::string(ci) == "true";
}

struct Options {
  bool verbose = false;
  double min_rate = 0;  // percent
  std::string dir = std::string(SAMIZDAT_SHARED_DIR) + "/datasets/feeds/feedparser";
  std::string exclusions;
};

// An excluded assertion: its file and index in the dataset, the path it reads (checked,
// so an exclusion cannot silently move to another assertion), and why.
struct Exclusion {
  std::string path;
  std::string reason;
  bool used = false;
};
using Exclusions = std::map<std::pair<std::string, size_t>, Exclusion>;

// Reads the TSV (file, index, canonical path as JSON, reason; '#' starts a comment).
bool LoadExclusions(const std::string& tsv, Exclusions* out) {
  if (tsv.empty()) return true;
  std::ifstream in(tsv);
  if (!in) {
    std::printf("error: cannot read %s\n", tsv.c_str());
    return false;
  }
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    for (std::string col; std::getline(ss, col, '\t');) cols.push_back(col);
    if (cols.size() != 4 || cols[3].empty()) {
      std::printf("error: %s:%d: want file, index, path, reason\n", tsv.c_str(), n);
      return false;
    }
    (*out)[{cols[0], std::stoul(cols[1])}] = {cols[2], cols[3]};
  }
  return true;
}

struct Tally {
  int pass = 0, total = 0, excluded = 0;
};

// Runs every assertion of one dataset record; false on a stale exclusion.
bool RunRecord(const Options& opt, const json& rec, Exclusions& exclusions,
               std::map<std::string, Tally>& by_category) {
  std::string file = rec["file"];
  std::ifstream f(opt.dir + "/" + file, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  feed::ParseOptions o;
  o.url = rec.value("document_url", std::string("http://127.0.0.1:8097/") + file);
  if (rec.contains("http_headers")) {
    for (const auto& [k, val] : rec["http_headers"].items()) {
      if (samizdat::AsciiLowerCopy(k) != "content-type") continue;
      std::string ct = samizdat::AsciiLowerCopy(val.get<std::string>());
      size_t p = ct.find("charset=");
      if (p == std::string::npos) continue;
      std::string value = ct.substr(p + 8, ct.find(';', p) - p - 8);
      std::erase_if(value, [](char ch) { return ch == ' ' || ch == '"' || ch == '\''; });
      o.http_charset = value;
    }
  }
  feed::Feed parsed = feed::ParseFeed(ss.str(), o);
  json view = View(parsed);
  Tally& tally = by_category[Category(file)];
  bool fresh = true;
  const json& assertions = rec["assertions"];
  for (size_t i = 0; i < assertions.size(); ++i) {
    const json& a = assertions[i];
    if (a.value("op", "") == "python_only") continue;  // not language-neutral
    auto ex = exclusions.find({file, i});
    if (ex != exclusions.end()) {
      std::string path = a.value("canonical_path", json::array()).dump();
      if (ex->second.path != path) {
        std::printf("error: exclusion %s #%zu names %s, the assertion reads %s\n", file.c_str(), i,
                    ex->second.path.c_str(), path.c_str());
        fresh = false;
      }
      ex->second.used = true;
      ++tally.excluded;
      continue;
    }
    bool pass = Evaluate(a, parsed, view);
    ++tally.total;
    tally.pass += pass;
    if (opt.verbose || !pass)
      std::printf("%s %s #%zu %s\n", pass ? "PASS" : "FAIL", file.c_str(), i,
                  a.dump().substr(0, 200).c_str());
  }
  return fresh;
}

// The table by category and the overall figure; returns the pass rate in percent.
double Report(const std::map<std::string, Tally>& by_category) {
  Tally all;
  std::printf("\n%-28s %7s %7s %7s %9s\n", "category", "pass", "total", "rate", "excluded");
  for (const auto& [cat, t] : by_category) {
    std::printf("%-28s %7d %7d %6.1f%% %9d\n", cat.c_str(), t.pass, t.total,
                t.total ? 100.0 * t.pass / t.total : 100.0, t.excluded);
    all.pass += t.pass;
    all.total += t.total;
    all.excluded += t.excluded;
  }
  double rate = all.total ? 100.0 * all.pass / all.total : 100.0;
  std::printf("\nall categories: %d of %d passed (%.1f%%), %d excluded\n", all.pass, all.total,
              rate, all.excluded);
  return rate;
}

bool ParseArgs(int argc, char** argv, Options* opt) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--verbose") {
      opt->verbose = true;
    } else if ((a == "--min-rate" || a == "--exclusions") && i + 1 < argc) {
      if (a == "--min-rate")
        opt->min_rate = std::atof(argv[++i]);
      else
        opt->exclusions = argv[++i];
    } else if (!a.empty() && a[0] != '-') {
      opt->dir = a;
    } else {
      std::printf(
          "usage: feed_conformance [--verbose] [--min-rate PERCENT] "
          "[--exclusions TSV] [DATASET_DIR]\n");
      return false;
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!ParseArgs(argc, argv, &opt)) return 2;
  std::ifstream in(opt.dir + "/expectations.jsonl");
  if (!in) {
    bool required = RequireDataset();
    std::printf("%s: %s/expectations.jsonl absent\n", required ? "FAIL (CI=true)" : "skipped",
                opt.dir.c_str());
    return required ? 1 : 0;
  }
  Exclusions exclusions;
  if (!LoadExclusions(opt.exclusions, &exclusions)) return 1;
  std::map<std::string, Tally> by_category;
  bool fresh = true;
  for (std::string line; std::getline(in, line);) {
    json rec = json::parse(line, nullptr, false);
    if (rec.is_discarded()) continue;
    fresh = RunRecord(opt, rec, exclusions, by_category) && fresh;
  }
  for (const auto& [key, ex] : exclusions)
    if (!ex.used) {
      std::printf("error: exclusion %s #%zu names no assertion\n", key.first.c_str(), key.second);
      fresh = false;
    }
  double rate = Report(by_category);
  if (rate + 1e-9 < opt.min_rate)
    std::printf("FAIL: %.1f%% is below the threshold %.1f%%\n", rate, opt.min_rate);
  return fresh && rate + 1e-9 >= opt.min_rate ? 0 : 1;
}
