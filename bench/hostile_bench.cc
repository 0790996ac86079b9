// Time per hostile page for parse + extract + clean + Markdown: deeply nested blocks,
// nested formatting and table elements (the adoption agency and foster parenting paths),
// and a million unclosed paragraphs. Each page is built to the given size (default 10 MB,
// the extract stage's input cap is 16 MB).
//   taskset -c 0 build/hostile_bench [MB] [unit]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "clean/clean.h"
#include "extract/extract.h"
#include "render/markdown.h"

namespace {

std::string RepeatToSize(std::string_view unit, size_t bytes) {
  std::string out;
  out.reserve(bytes + unit.size());
  while (out.size() < bytes) out += unit;
  return out;
}

void TimePage(const char* label, const std::string& html) {
  auto start = std::chrono::steady_clock::now();
  samizdat::extract::ExtractOptions eo;
  eo.url = "https://news.example.org/a/b.html";
  auto article = samizdat::extract::ExtractUtf8(html, eo);
  samizdat::clean::CleanArticle(article, {});
  std::string md = samizdat::render::ToMarkdown(article.body);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%-28s %6.2f MB  %7.3f s  warnings: %zu%s%s\n", label, html.size() / 1e6, s,
              article.warnings.size(), article.warnings.empty() ? "" : ", first: ",
              article.warnings.empty() ? "" : article.warnings.front().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  double mb = argc > 1 ? std::atof(argv[1]) : 10.0;
  size_t bytes = static_cast<size_t>(mb * 1e6);
  if (argc > 2) {  // one page: the unit to repeat
    TimePage(argv[2], RepeatToSize(argv[2], bytes));
    return 0;
  }
  TimePage("nested <div>", RepeatToSize("<div>", bytes));
  TimePage("nested <div>x</div> mixed", RepeatToSize("<div>x<div>y</div>", bytes));
  TimePage("nested <b>", RepeatToSize("<b>", bytes));
  TimePage("nested <a href>", RepeatToSize("<a href=x>", bytes));
  TimePage("nested <b><div>", RepeatToSize("<b><div>", bytes));
  TimePage("misnested <b><i></b></i>", RepeatToSize("<b><i>x</b>y</i><div>", bytes));
  TimePage("nested <table><td>", RepeatToSize("<table><td>", bytes));
  TimePage("nested <table><div>", RepeatToSize("<table><div>", bytes));
  TimePage("nested <ul><li>", RepeatToSize("<ul><li>", bytes));
  TimePage("nested <li><section>", RepeatToSize("<li><section>", bytes));
  TimePage("unclosed <p> (1e6)", RepeatToSize("<p>x", std::min<size_t>(bytes, 4000000)));
  TimePage("<p><b a=N> reconstruct", RepeatToSize("<p><b a=1><b a=2><b a=3><b a=4>x", bytes));
  return 0;
}
