// History pages: every revision of an article that changed after it was first stored, with
// the time each was seen and what changed between consecutive ones (render/diff.h), so
// readers can see how a story was edited. Pure.
//
// html: a standalone page with <ins>/<del>; markdown and classic: GitHub-flavoured Markdown
// that GitHub renders with the same <ins>/<del> marks. Labels are Chinese when the
// article's title is written in Chinese (or Japanese/Korean script), English otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "render/page_options.h"

namespace samizdat::render {

struct RevisionText {
  int number = 0;       // 1 for the first stored version
  int64_t seen_at = 0;  // unix seconds: when samizdat stored this revision
  std::string title;
  std::string text;  // the body as plain text, paragraphs separated by "\n"
};

struct HistoryInput {
  std::string article_title;  // the current title
  std::string article_href;   // link from the history page to the article page
  std::string original_url;
  std::vector<RevisionText> revisions;  // oldest first
};

// "修改过 2 次" / "changed 2 times": the link text an article page shows for its history.
std::string ChangedTimesLabel(std::string_view title, int revisions);

std::string RenderHistoryPage(const HistoryInput& input, const PageOptions& site, Theme theme);

}  // namespace samizdat::render
