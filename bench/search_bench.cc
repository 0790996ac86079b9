// Search benchmark driver (bench/SEARCH.md). Subcommands:
//   make-store STORE FROM TO   adds synthetic articles FROM..TO-1 (deterministic per index)
//                              and reports save time, the index's share of it and sizes
//   query STORE                p50/p99 latency of 1-, 2-, 4-character Chinese and English
//                              queries (samizdat search's SearchArticles, limit 20)
//   index STORE OUT            builds the static index alone in a child process: time and
//                              peak memory (ru_maxrss of that child)
//   truth STORE QUERY          page paths of the articles whose title or body contains
//                              QUERY (case-insensitively): the recall/precision key
// Text is sampled from real sentences: the zh-cwced-dev and wcxb-dev datasets in
// ../shared (read, never copied).
#include <sqlite3.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "publish/output_tree.h"
#include "publish/search_shards.h"
#include "search/tokenizer.h"
#include "store/search_index.h"
#include "store/store.h"

namespace fs = std::filesystem;
using namespace samizdat;

namespace {

double CpuSeconds() {
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}
double WallSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Splits text into sentences at 。！？ and ". " (keeping the mark), dropping short ones.
void AddSentences(const std::string& text, std::vector<std::string>* out) {
  std::string current;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\n' || c == '\r') c = ' ';
    current += c;
    bool end = (c == '.' && i + 1 < text.size() && text[i + 1] == ' ') ||
               (current.size() >= 3 &&
                (current.ends_with("。") || current.ends_with("！") || current.ends_with("？")));
    if (end) {
      if (current.size() > 20) out->push_back(current);
      current.clear();
    }
  }
}

struct Corpus {
  std::vector<std::string> zh, en;
};

Corpus LoadCorpus() {
  Corpus c;
  const fs::path shared = fs::path(SAMIZDAT_SHARED_DIR) / "datasets/extraction";
  for (const auto& e : fs::directory_iterator(shared / "zh-cwced-dev/cleaned"))
    AddSentences(ReadAll(e.path()), &c.zh);
  int files = 0;
  for (const auto& e : fs::directory_iterator(shared / "wcxb-dev/ground-truth")) {
    if (++files > 200) break;
    auto j = nlohmann::json::parse(ReadAll(e.path()), nullptr, false);
    if (j.is_discarded() || !j.contains("ground_truth")) continue;
    auto& gt = j["ground_truth"];
    if (gt.contains("main_content") && gt["main_content"].is_string())
      AddSentences(gt["main_content"].get<std::string>(), &c.en);
  }
  std::sort(c.zh.begin(), c.zh.end());
  std::sort(c.en.begin(), c.en.end());
  return c;
}

// Article i: 80 % Chinese (20-40 sentences), 20 % English; same text for the same i.
store::ArticleInput SyntheticArticle(const Corpus& c, int i) {
  std::mt19937 rng(static_cast<unsigned>(i) * 2654435761u + 17);
  const bool zh = rng() % 5 != 0;
  const auto& pool = zh ? c.zh : c.en;
  store::ArticleInput in;
  in.canonical_url = "https://news.example.org/a/" + std::to_string(i) + ".html";
  in.article_id = "n" + std::to_string(i);
  in.memberships = {{i % 3 == 0 ? "china" : "world", "bench"}};
  std::string title = pool[rng() % pool.size()];
  in.title = title.substr(0, zh ? 60 : 80);
  in.byline = zh ? "记者" : "Staff";
  int sentences = 20 + static_cast<int>(rng() % 21);
  for (int s = 0; s < sentences; ++s) {
    const std::string& sentence = pool[rng() % pool.size()];
    in.text += sentence + (s % 5 == 4 ? "\n\n" : "");
  }
  std::string html;
  for (const auto& para : {in.text}) html += "<p>" + para + "</p>";
  in.html = html;
  char date[32];
  snprintf(date, sizeof date, "2026-%02d-%02dT08:00:00Z", 1 + (i / 28) % 12, 1 + i % 28);
  in.published = date;
  in.raw_body = in.html;
  return in;
}

int64_t SqlInt(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

int MakeStore(const std::string& path, int from, int to) {
  Corpus c = LoadCorpus();
  std::string error;
  auto store = store::Store::Open(path, &error);
  if (!store) return fprintf(stderr, "%s\n", error.c_str()), 1;
  double cpu0 = CpuSeconds(), wall0 = WallSeconds();
  sqlite3_exec(store->db(), "PRAGMA synchronous=OFF", nullptr, nullptr, nullptr);
  for (int i = from; i < to; ++i) {
    auto r = store->SaveArticle(SyntheticArticle(c, i), 1700000000 + i);
    if (!r.ok()) return fprintf(stderr, "%s\n", r.status().message().c_str()), 1;
  }
  double save_cpu = CpuSeconds() - cpu0, save_wall = WallSeconds() - wall0;
  // The index's share of saving: rebuilding it from scratch costs what it added.
  double cpu1 = CpuSeconds();
  sqlite3_exec(store->db(), "INSERT INTO article_search(article_search) VALUES('rebuild')", nullptr,
               nullptr, nullptr);
  double rebuild_cpu = CpuSeconds() - cpu1;
  int64_t total = SqlInt(store->db(), "SELECT SUM(pgsize) FROM dbstat");
  int64_t fts =
      SqlInt(store->db(), "SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'article_search%'");
  printf(
      "{\"articles\":%d,\"save_cpu_s\":%.2f,\"save_wall_s\":%.2f,\"index_rebuild_cpu_s\":%.2f,"
      "\"store_bytes\":%lld,\"fts_bytes\":%lld}\n",
      to - from, save_cpu, save_wall, rebuild_cpu, static_cast<long long>(total),
      static_cast<long long>(fts));
  return 0;
}

// A random substring of `length` CJK characters (or an English word) from the corpus.
std::string SampleQuery(const Corpus& c, std::mt19937& rng, int length) {
  for (;;) {
    if (length == 0) {
      const std::string& s = c.en[rng() % c.en.size()];
      auto tokens = search::Tokenize(s, search::TokenizeMode::kQuery);
      if (tokens.empty()) continue;
      const std::string& w = tokens[rng() % tokens.size()].term;
      if (w.size() >= 4) return w;
      continue;
    }
    const std::string& s = c.zh[rng() % c.zh.size()];
    auto tokens = search::Tokenize(s, search::TokenizeMode::kDocument);
    std::vector<std::string> chars;
    for (const auto& t : tokens)
      if (!t.colocated && search::ContainsCjk(t.term))
        chars.push_back(s.substr(t.start, t.end - t.start));
    if (static_cast<int>(chars.size()) < length) continue;
    size_t at = rng() % (chars.size() - static_cast<size_t>(length) + 1);
    std::string q;
    for (int k = 0; k < length; ++k) q += chars[at + static_cast<size_t>(k)];
    if (s.find(q) != std::string::npos) return q;
  }
}

int Query(const std::string& path) {
  Corpus c = LoadCorpus();
  std::string error;
  auto store = store::Store::Open(path, &error);
  if (!store) return fprintf(stderr, "%s\n", error.c_str()), 1;
  std::mt19937 rng(42);
  for (int length : {1, 2, 4, 0}) {
    std::vector<double> wall, cpu;
    for (int q = 0; q < 200; ++q) {
      std::string query = SampleQuery(c, rng, length);
      double c0 = CpuSeconds(), w0 = WallSeconds();
      auto hits = store::SearchArticles(*store, query, {});
      wall.push_back((WallSeconds() - w0) * 1000);
      cpu.push_back((CpuSeconds() - c0) * 1000);
      if (!hits.ok()) return fprintf(stderr, "%s\n", hits.status().message().c_str()), 1;
    }
    std::sort(wall.begin(), wall.end());
    std::sort(cpu.begin(), cpu.end());
    printf(
        "{\"query\":\"%s\",\"p50_wall_ms\":%.2f,\"p99_wall_ms\":%.2f,\"p50_cpu_ms\":%.2f,"
        "\"p99_cpu_ms\":%.2f}\n",
        length ? (std::to_string(length) + "-char zh").c_str() : "en word", wall[100], wall[197],
        cpu[100], cpu[197]);
  }
  return 0;
}

int Index(const std::string& path, const std::string& out_dir) {
  double w0 = WallSeconds();
  pid_t pid = fork();
  if (pid == 0) {
    std::string error;
    auto store = store::Store::Open(path, &error);
    if (!store) _exit(1);
    publish::OutputTree out(*Env::Default(), out_dir);
    publish::SearchIndexReport report;
    Status st = publish::WriteStaticSearch("bench", "zh-Hans", *store, out, &report);
    std::vector<std::string> errors;
    out.Finish(false, &errors);
    fprintf(stderr, "files_written %lld bytes_written %lld files %lld bytes %lld\n",
            static_cast<long long>(report.files_written),
            static_cast<long long>(report.bytes_written),
            static_cast<long long>(report.files_total), static_cast<long long>(report.bytes_total));
    _exit(st.ok() ? 0 : 1);
  }
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
               static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  printf("{\"index_wall_s\":%.2f,\"index_cpu_s\":%.2f,\"peak_rss_mib\":%.1f,\"ok\":%s}\n",
         WallSeconds() - w0, cpu, static_cast<double>(ru.ru_maxrss) / 1024.0,
         WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "true" : "false");
  return 0;
}

int Truth(const std::string& path, const std::string& query) {
  std::string error;
  auto store = store::Store::Open(path, &error);
  if (!store) return fprintf(stderr, "%s\n", error.c_str()), 1;
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(store->db(),
                     "SELECT a.home_channel, a.article_id, r.title, r.text FROM articles a "
                     "JOIN revisions r ON r.id = a.current_revision",
                     -1, &s, nullptr);
  const std::string folded = search::FoldForMatch(query);
  while (sqlite3_step(s) == SQLITE_ROW) {
    auto col = [&](int i) {
      return std::string(reinterpret_cast<const char*>(sqlite3_column_text(s, i)));
    };
    if (search::FoldForMatch(col(2) + "\n" + col(3)).find(folded) != std::string::npos)
      printf("pages/%s/%s.html\n", col(0).c_str(), col(1).c_str());
  }
  sqlite3_finalize(s);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);  // each result line is out before a timeout
  std::vector<std::string> a(argv + 1, argv + argc);
  if (a.size() == 4 && a[0] == "make-store")
    return MakeStore(a[1], std::stoi(a[2]), std::stoi(a[3]));
  if (a.size() == 2 && a[0] == "query") return Query(a[1]);
  if (a.size() == 3 && a[0] == "index") return Index(a[1], a[2]);
  if (a.size() == 3 && a[0] == "truth") return Truth(a[1], a[2]);
  fprintf(stderr,
          "usage: search_bench make-store STORE FROM TO | query STORE | index STORE OUT | truth "
          "STORE QUERY\n");
  return 2;
}
