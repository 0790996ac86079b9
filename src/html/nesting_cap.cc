#include "html/nesting_cap.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace samizdat::html {
namespace {

// What the tree builder does with an element, as far as the depth of its stack goes.
enum NameFlag : uint16_t {
  kVoid = 1,           // never on the stack
  kFormatting = 2,     // reopened by the tree builder until its own end tag
  kScopeBoundary = 4,  // an element "in scope" cannot be found across this one
  kSpecial = 8,        // the HTML5 "special" category
  kClosesP = 16,       // its start tag closes an open <p> in button scope
  kRawText = 32,       // its content is text up to its end tag
  kNotCounted = 64,    // html, head, body: one each, whatever the markup says
  kForeign = 128,      // svg, math: self-closing tags are honoured inside
  kHeading = 256,
  kMarker = 512,  // scopes the list of active formatting elements (td, th, caption, ...)
};

struct KnownName {
  std::string_view name;
  uint16_t flags;
};

constexpr uint16_t kBlock = kSpecial | kClosesP;
constexpr KnownName kKnownNames[] = {
    {"a", kFormatting},
    {"address", kBlock},
    {"annotation-xml", kScopeBoundary},
    {"applet", kSpecial | kScopeBoundary | kMarker},
    {"area", kVoid},
    {"article", kBlock},
    {"aside", kBlock},
    {"b", kFormatting},
    {"base", kVoid},
    {"basefont", kVoid},
    {"bgsound", kVoid},
    {"big", kFormatting},
    {"blockquote", kBlock},
    {"body", kNotCounted},
    {"br", kVoid},
    {"button", kSpecial},
    {"caption", kSpecial | kScopeBoundary | kMarker},
    {"center", kBlock},
    {"code", kFormatting},
    {"col", kVoid},
    {"colgroup", kSpecial},
    {"dd", kBlock},
    {"desc", kScopeBoundary},
    {"details", kBlock},
    {"dialog", kClosesP},
    {"dir", kBlock},
    {"div", kBlock},
    {"dl", kBlock},
    {"dt", kBlock},
    {"em", kFormatting},
    {"embed", kVoid},
    {"fieldset", kBlock},
    {"figcaption", kBlock},
    {"figure", kBlock},
    {"font", kFormatting},
    {"footer", kBlock},
    {"foreignobject", kScopeBoundary},
    {"form", kBlock},
    {"frame", kVoid},
    {"frameset", kSpecial},
    {"h1", kBlock | kHeading},
    {"h2", kBlock | kHeading},
    {"h3", kBlock | kHeading},
    {"h4", kBlock | kHeading},
    {"h5", kBlock | kHeading},
    {"h6", kBlock | kHeading},
    {"head", kNotCounted},
    {"header", kBlock},
    {"hgroup", kBlock},
    {"hr", kVoid},
    {"html", kNotCounted},
    {"i", kFormatting},
    {"iframe", kSpecial | kRawText},
    {"image", kVoid},
    {"img", kVoid},
    {"input", kVoid},
    {"keygen", kVoid},
    {"li", kBlock},
    {"link", kVoid},
    {"listing", kBlock},
    {"main", kBlock},
    {"marquee", kSpecial | kScopeBoundary | kMarker},
    {"math", kForeign},
    {"menu", kBlock},
    {"meta", kVoid},
    {"mi", kScopeBoundary},
    {"mn", kScopeBoundary},
    {"mo", kScopeBoundary},
    {"ms", kScopeBoundary},
    {"mtext", kScopeBoundary},
    {"nav", kBlock},
    {"nobr", kFormatting},
    {"noembed", kSpecial | kRawText},
    {"noframes", kSpecial | kRawText},
    {"object", kSpecial | kScopeBoundary | kMarker},
    {"ol", kBlock},
    {"p", kBlock},
    {"param", kVoid},
    {"plaintext", kBlock},
    {"pre", kBlock},
    {"s", kFormatting},
    {"script", kSpecial | kRawText},
    {"section", kBlock},
    {"select", kSpecial},
    {"small", kFormatting},
    {"source", kVoid},
    {"strike", kFormatting},
    {"strong", kFormatting},
    {"style", kSpecial | kRawText},
    {"summary", kBlock},
    {"svg", kForeign},
    {"table", kSpecial | kScopeBoundary},
    {"tbody", kSpecial},
    {"td", kSpecial | kScopeBoundary | kMarker},
    {"template", kSpecial | kScopeBoundary | kMarker},
    {"textarea", kSpecial | kRawText},
    {"tfoot", kSpecial},
    {"th", kSpecial | kScopeBoundary | kMarker},
    {"thead", kSpecial},
    {"title", kSpecial | kRawText},
    {"tr", kSpecial},
    {"track", kVoid},
    {"tt", kFormatting},
    {"u", kFormatting},
    {"ul", kBlock},
    {"wbr", kVoid},
    {"xmp", kBlock | kRawText},
};

bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsTagSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
char AsciiLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }

// ---- Tokens: just enough of the HTML5 tokenizer to find tags where gumbo finds them.

struct TagToken {
  enum Kind { kStart, kEnd, kComment } kind = kStart;
  std::string_view name;  // as written
  size_t begin = 0;       // the '<'
  size_t end = 0;         // one past the '>'
};

// One past the first '>' at or after `from`, or the end of the input.
size_t PastGt(std::string_view html, size_t from) {
  size_t gt = html.find('>', from);
  return gt == std::string_view::npos ? html.size() : gt + 1;
}

// A comment starting at `lt` ("<!--"): "<!-->" and "<!--->" are complete comments, and
// "--!>" ends one too, as in the HTML5 tokenizer.
size_t CommentEnd(std::string_view html, size_t lt) {
  size_t p = lt + 4;
  if (html.substr(p, 1) == ">") return p + 1;
  if (html.substr(p, 2) == "->") return p + 2;
  for (size_t q = html.find("--", p); q != std::string_view::npos; q = html.find("--", q + 1)) {
    if (html.substr(q + 2, 1) == ">") return q + 3;
    if (html.substr(q + 2, 2) == "!>") return q + 4;
  }
  return html.size();
}

// The end of a tag whose name ends at `p`: the first '>' outside a quoted attribute value
// (a quote only opens a value right after '=').
size_t TagEnd(std::string_view html, size_t p) {
  for (size_t i = p; i < html.size(); ++i) {
    char c = html[i];
    if (c == '>') return i + 1;
    if (c != '=') continue;
    size_t j = i + 1;
    while (j < html.size() && IsTagSpace(html[j])) ++j;
    if (j < html.size() && (html[j] == '"' || html[j] == '\'')) {
      size_t close = html.find(html[j], j + 1);
      if (close == std::string_view::npos) return html.size();
      i = close;
    }
  }
  return html.size();
}

// Finds the next start tag, end tag or comment (doctypes and bogus comments count as
// comments: each builds at most one node) at or after `pos`, skipping text. False at the
// end of the input.
bool NextTag(std::string_view html, size_t pos, TagToken* t) {
  for (size_t lt = html.find('<', pos); lt != std::string_view::npos; lt = html.find('<', pos)) {
    std::string_view rest = html.substr(lt);
    if (rest.size() >= 2 &&
        (IsAsciiAlpha(rest[1]) || (rest[1] == '/' && rest.size() >= 3 && IsAsciiAlpha(rest[2])))) {
      bool is_end = rest[1] == '/';
      t->kind = is_end ? TagToken::kEnd : TagToken::kStart;
      size_t name_begin = lt + (is_end ? 2 : 1), name_end = name_begin;
      while (name_end < html.size() && !IsTagSpace(html[name_end]) && html[name_end] != '/' &&
             html[name_end] != '>')
        ++name_end;
      t->name = html.substr(name_begin, name_end - name_begin);
      t->begin = lt;
      t->end = TagEnd(html, name_end);
      return true;
    }
    bool comment = rest.substr(0, 4) == "<!--";
    if (comment || (rest.size() >= 2 && (rest[1] == '!' || rest[1] == '?' || rest[1] == '/'))) {
      t->kind = TagToken::kComment;
      t->name = {};
      t->begin = lt;
      t->end = comment ? CommentEnd(html, lt) : PastGt(html, lt + 2);
      return true;
    }
    pos = lt + 1;
  }
  return false;
}

// The start of the end tag that closes raw text opened by `name`, or the end of the input.
size_t RawTextEnd(std::string_view html, size_t from, std::string_view name) {
  for (size_t p = html.find("</", from); p != std::string_view::npos; p = html.find("</", p + 2)) {
    size_t after = p + 2 + name.size();
    if (after > html.size()) break;
    bool same = true;
    for (size_t k = 0; k < name.size() && same; ++k) same = AsciiLower(html[p + 2 + k]) == name[k];
    if (same && (after == html.size() || IsTagSpace(html[after]) || html[after] == '/' ||
                 html[after] == '>'))
      return p;
  }
  return html.size();
}

// ---- The model of the tree builder's stack of open elements and of its list of active
// formatting elements.

class NestingModel {
 public:
  explicit NestingModel(const NestingLimits& limits);

  // Name id of a tag name (lower-cased), and its flags.
  int Id(std::string_view name);
  uint16_t Flags(int id) const { return flags_[id]; }
  const std::string& Name(int id) const { return names_[id]; }
  bool InForeignContent() const { return foreign_ > 0; }

  // Applies a start tag; false when it would nest too deep or open too many formatting
  // elements and must be dropped (`report` says which). A self-closing slash is not
  // honoured: HTML ignores it outside SVG and MathML, and the sanitiser drops those anyway,
  // so counting such elements as open only errs high.
  bool Start(int id, NestingReport* report);
  // Applies an end tag; false when it closes a dropped element and must be dropped too.
  bool End(int id);
  // Nodes the tree builder creates for a start tag or for a text run: the element itself,
  // and the formatting elements it re-creates when a closed block left them off the stack.
  int64_t NodesForStart(int id) const;
  int64_t NodesForText() const { return reconstruct_pending_ ? formatting_open_total_ : 0; }
  void Reconstructed() { reconstruct_pending_ = false; }
  int Depth() const { return static_cast<int>(stack_.size()) + formatting_open_total_; }
  int OpenFormatting() const { return formatting_open_total_; }

 private:
  static constexpr int kMarkerEntry = -1;
  int TopBelow(const std::vector<int>& positions, int limit) const;
  int TopOf(int id, int limit) const { return TopBelow(positions_[id], limit); }
  int ImpliedCloseTo(int id) const;
  int ListItemCloseTo(int id, int top) const;
  int FormattingEntry(int id) const;
  void RemoveFormattingEntry(int entry);
  void ClearFormattingToMarker();
  void Push(int id);
  void PopTo(int size);

  NestingLimits limits_;
  std::unordered_map<std::string, int> ids_;
  std::string key_;
  std::vector<std::string> names_;
  std::vector<uint16_t> flags_;
  std::vector<std::vector<int>> positions_;  // per id: its indices on the stack, ascending
  std::vector<int> dropped_open_;            // per id: dropped start tags not yet closed
  std::vector<int> stack_;
  std::vector<int> boundaries_;    // indices of scope boundaries on the stack, ascending
  std::vector<int> specials_;      // indices of special elements on the stack, ascending
  std::vector<int> formatting_;    // active formatting elements: ids and kMarkerEntry
  int formatting_open_total_ = 0;  // ids in `formatting_`
  bool reconstruct_pending_ = false;
  int foreign_ = 0;
  int a_, address_, button_, dd_, div_, dt_, form_, li_, nobr_, ol_, option_, optgroup_, p_, table_,
      td_, th_, tr_, ul_;
};

NestingModel::NestingModel(const NestingLimits& limits) : limits_(limits) {
  a_ = Id("a"), address_ = Id("address"), button_ = Id("button"), dd_ = Id("dd");
  div_ = Id("div"), dt_ = Id("dt"), form_ = Id("form"), li_ = Id("li"), nobr_ = Id("nobr");
  ol_ = Id("ol"), option_ = Id("option"), optgroup_ = Id("optgroup"), p_ = Id("p");
  table_ = Id("table"), td_ = Id("td"), th_ = Id("th"), tr_ = Id("tr"), ul_ = Id("ul");
}

int NestingModel::Id(std::string_view name) {
  key_.assign(name.size(), '\0');
  std::transform(name.begin(), name.end(), key_.begin(), AsciiLower);
  auto [it, inserted] = ids_.try_emplace(key_, static_cast<int>(names_.size()));
  if (inserted) {
    auto known = std::lower_bound(
        std::begin(kKnownNames), std::end(kKnownNames), key_,
        [](const KnownName& k, const std::string& n) { return k.name < std::string_view(n); });
    bool is_known = known != std::end(kKnownNames) && known->name == key_;
    names_.push_back(key_);
    flags_.push_back(is_known ? known->flags : 0);
    positions_.emplace_back();
    dropped_open_.push_back(0);
  }
  return it->second;
}

int NestingModel::TopBelow(const std::vector<int>& positions, int limit) const {
  auto it = std::lower_bound(positions.begin(), positions.end(), limit);
  return it == positions.begin() ? -1 : *(it - 1);
}

// The last entry for `id` after the last marker, or -1. The search is bounded by the cap on
// open formatting elements.
int NestingModel::FormattingEntry(int id) const {
  for (int i = static_cast<int>(formatting_.size()) - 1; i >= 0; --i) {
    if (formatting_[i] == kMarkerEntry) break;
    if (formatting_[i] == id) return i;
  }
  return -1;
}

void NestingModel::RemoveFormattingEntry(int entry) {
  formatting_.erase(formatting_.begin() + entry);
  --formatting_open_total_;
}

// Leaving a td, th, caption, ...: the formatting elements opened inside it are gone.
void NestingModel::ClearFormattingToMarker() {
  while (!formatting_.empty()) {
    int entry = formatting_.back();
    formatting_.pop_back();
    if (entry == kMarkerEntry) break;
    --formatting_open_total_;
  }
}

void NestingModel::Push(int id) {
  int index = static_cast<int>(stack_.size());
  stack_.push_back(id);
  positions_[id].push_back(index);
  if (flags_[id] & kScopeBoundary) boundaries_.push_back(index);
  if (flags_[id] & kSpecial) specials_.push_back(index);
  if (flags_[id] & kForeign) ++foreign_;
  if (flags_[id] & kMarker) formatting_.push_back(kMarkerEntry);
}

void NestingModel::PopTo(int size) {
  // Formatting elements inside the popped ones leave the stack but stay on the list.
  if (static_cast<int>(stack_.size()) > size && formatting_open_total_ > 0)
    reconstruct_pending_ = true;
  while (static_cast<int>(stack_.size()) > size) {
    int id = stack_.back();
    int index = static_cast<int>(stack_.size()) - 1;
    positions_[id].pop_back();
    if (!boundaries_.empty() && boundaries_.back() == index) boundaries_.pop_back();
    if (!specials_.empty() && specials_.back() == index) specials_.pop_back();
    if (flags_[id] & kForeign) --foreign_;
    if (flags_[id] & kMarker) ClearFormattingToMarker();
    stack_.pop_back();
  }
}

// The list item (li, or dd/dt) that a new one closes: the walk down the stack stops at a
// special element other than address, div and p.
int NestingModel::ListItemCloseTo(int id, int top) const {
  for (int i = top - 1; i >= 0; --i) {
    int e = stack_[i];
    if (id == li_ ? e == li_ : (e == dd_ || e == dt_)) return i;
    if ((flags_[e] & kSpecial) && e != address_ && e != div_ && e != p_) break;
  }
  return top;
}

// The stack size after the elements that the start tag `id` closes implicitly are popped.
int NestingModel::ImpliedCloseTo(int id) const {
  int top = static_cast<int>(stack_.size());
  uint16_t f = flags_[id];
  if (id == li_ || id == dd_ || id == dt_) top = ListItemCloseTo(id, top);
  if ((id == option_ || id == optgroup_) && top > 0 && stack_[top - 1] == option_) --top;
  if (id == optgroup_ && top > 0 && stack_[top - 1] == optgroup_) --top;
  if (id == td_ || id == th_ || id == tr_) {
    int open = std::max(TopOf(td_, top), TopOf(th_, top));
    if (id == tr_) open = std::max(open, TopOf(tr_, top));
    if (open >= 0 && open > TopOf(table_, top)) top = open;
  }
  if (id == button_) {
    int open = TopOf(button_, top);
    if (open >= 0 && open > TopBelow(boundaries_, top)) top = open;
  }
  if (f & kClosesP) {
    int open = TopOf(p_, top);
    if (open >= 0 && open > std::max(TopBelow(boundaries_, top), TopOf(button_, top))) top = open;
  }
  if ((f & kHeading) && top > 0 && (flags_[stack_[top - 1]] & kHeading)) --top;
  return top;
}

int64_t NestingModel::NodesForStart(int id) const {
  uint16_t f = flags_[id];
  if (f & kNotCounted) return 0;
  // Block-level ("special") start tags do not re-create formatting elements; others do.
  return 1 + (!(f & kSpecial) ? NodesForText() : 0);
}

bool NestingModel::Start(int id, NestingReport* report) {
  uint16_t f = flags_[id];
  if (f & kNotCounted) return true;
  if (f & kVoid) return true;  // counting its re-created elements again later errs high
  int top = ImpliedCloseTo(id);
  // A new <a> or <nobr> closes the open one (through the adoption agency).
  int same = (id == a_ || id == nobr_) ? FormattingEntry(id) : -1;
  bool formatting = f & kFormatting;
  int open_formatting = formatting_open_total_ - (same >= 0 ? 1 : 0) + (formatting ? 1 : 0);
  int depth = top + open_formatting + (formatting ? 0 : 1);
  bool too_deep = depth > limits_.max_depth;
  bool too_many = formatting && open_formatting > limits_.max_open_formatting;
  if (too_deep || too_many) {
    report->depth_capped |= too_deep;
    report->formatting_capped |= too_many && !too_deep;
    ++dropped_open_[id];
    return false;
  }
  if (!(f & kSpecial)) reconstruct_pending_ = false;  // re-created before this element
  PopTo(top);
  if (same >= 0) RemoveFormattingEntry(same);
  if (formatting) {
    formatting_.push_back(id);
    ++formatting_open_total_;
  } else {
    Push(id);
  }
  return true;
}

bool NestingModel::End(int id) {
  if (dropped_open_[id] > 0) {
    --dropped_open_[id];
    return false;
  }
  uint16_t f = flags_[id];
  if (f & (kVoid | kNotCounted)) return true;
  if (f & kFormatting) {
    int entry = FormattingEntry(id);
    if (entry >= 0) RemoveFormattingEntry(entry);
    return true;
  }
  int size = static_cast<int>(stack_.size());
  int open = TopOf(id, size);
  if (open < 0) return true;
  // Where the search for the element stops: its scope, or for an element that is not
  // special, the first special element (the "any other end tag" rule).
  int barrier = TopBelow(boundaries_, size);
  if (id == p_) barrier = std::max(barrier, TopOf(button_, size));
  if (id == li_) barrier = std::max({barrier, TopOf(ol_, size), TopOf(ul_, size)});
  if (!(f & kSpecial)) barrier = TopBelow(specials_, size);
  if (open < barrier) return true;
  if (id == form_ && open != size - 1) return true;  // only the form itself is removed
  PopTo(open);
  return true;
}

bool HasNonSpace(std::string_view text) {
  for (char c : text)
    if (!IsTagSpace(c)) return true;
  return false;
}

// One pass over the input: copies what is kept into `out` (lazily, from the first change).
class Capper {
 public:
  Capper(std::string_view html, const NestingLimits& limits, std::string* out)
      : html_(html), limits_(limits), model_(limits), out_(out) {}

  NestingReport Run();

 private:
  // Counts the nodes of the text run before `t`; returns the nodes `t` builds if kept.
  int64_t CountText(const TagToken& t, size_t text_begin);
  bool Keep(const TagToken& t);
  void Drop(const TagToken& t);
  void CutAt(size_t pos);
  void Note();

  std::string_view html_;
  NestingLimits limits_;
  NestingModel model_;
  std::string* out_;
  NestingReport report_;
  size_t copied_to_ = 0;  // html_[0, copied_to_) is settled in `out_`
  bool writing_ = false;  // `out_` holds html_[0, copied_to_) minus what was dropped
};

int64_t Capper::CountText(const TagToken& t, size_t text_begin) {
  if (t.begin > text_begin && HasNonSpace(html_.substr(text_begin, t.begin - text_begin))) {
    report_.nodes += model_.NodesForText();
    model_.Reconstructed();
  }
  if (t.kind == TagToken::kComment) return 1;
  return t.kind == TagToken::kStart ? model_.NodesForStart(model_.Id(t.name)) : 0;
}

// Applies a tag to the model; false when it must be dropped.
bool Capper::Keep(const TagToken& t) {
  if (t.kind == TagToken::kComment) return true;
  int id = model_.Id(t.name);
  return t.kind == TagToken::kEnd ? model_.End(id) : model_.Start(id, &report_);
}

void Capper::Drop(const TagToken& t) {
  if (!writing_) out_->clear();
  writing_ = true;
  out_->append(html_.substr(copied_to_, t.begin - copied_to_));
  copied_to_ = t.end;
}

void Capper::CutAt(size_t pos) {
  if (!writing_) out_->clear();
  writing_ = true;
  report_.truncated = true;
  out_->append(html_.substr(copied_to_, pos - copied_to_));
  copied_to_ = html_.size();
}

void Capper::Note() {
  report_.max_depth_seen = std::max(report_.max_depth_seen, model_.Depth());
  report_.max_open_formatting_seen =
      std::max(report_.max_open_formatting_seen, model_.OpenFormatting());
}

NestingReport Capper::Run() {
  TagToken t;
  for (size_t pos = 0; NextTag(html_, pos, &t);) {
    int64_t nodes = CountText(t, pos);
    if (report_.nodes + nodes > limits_.max_nodes) {
      CutAt(t.begin);
      return report_;
    }
    pos = t.end;
    if (!Keep(t)) {
      Drop(t);
      continue;
    }
    report_.nodes += nodes;
    Note();
    if (t.kind != TagToken::kStart) continue;
    int id = model_.Id(t.name);
    if (model_.Name(id) == "plaintext") break;  // the rest is text
    // A kept raw-text element's content is not markup (a dropped one's is, to the parser).
    if ((model_.Flags(id) & kRawText) && !model_.InForeignContent())
      pos = RawTextEnd(html_, pos, model_.Name(id));
  }
  if (writing_) out_->append(html_.substr(copied_to_));
  return report_;
}

}  // namespace

NestingReport CapNesting(std::string_view html, const NestingLimits& limits, std::string* out) {
  return Capper(html, limits, out).Run();
}

}  // namespace samizdat::html
