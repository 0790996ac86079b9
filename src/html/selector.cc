#include "html/selector.h"

#include "util/strings.h"

namespace samizdat::html {

enum class AttrOp { kExists, kEquals, kIncludes, kPrefix, kSuffix, kSubstring, kDashMatch };

struct AttrTest {
  std::string name;
  AttrOp op = AttrOp::kExists;
  std::string value;
};

struct Selector::Compound {
  std::string type;  // empty or "*" matches any element
  std::vector<std::string> ids;
  std::vector<std::string> classes;
  std::vector<AttrTest> attrs;
  std::vector<std::vector<Compound>> nots;  // each :not() holds a list of compounds
};

enum class Combinator { kNone, kDescendant, kChild, kAdjacent, kSibling };

struct Selector::Complex {
  // parts[i] is preceded by combinators[i] (combinators[0] is kNone).
  std::vector<Compound> parts;
  std::vector<Combinator> combinators;
};

namespace {

class SelectorParser {
 public:
  explicit SelectorParser(std::string_view s) : s_(s) {}

  bool ParseList(std::vector<std::shared_ptr<const Selector::Complex>>& out) {
    while (true) {
      SkipSpace();
      auto complex = std::make_shared<Selector::Complex>();
      if (!ParseComplex(*complex)) return false;
      out.push_back(std::move(complex));
      SkipSpace();
      if (AtEnd()) return true;
      if (s_[pos_] != ',') return Fail("expected ',' or end");
      ++pos_;
    }
  }

  const std::string& error() const { return error_; }

 private:
  bool AtEnd() const { return pos_ >= s_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsAsciiSpace(s_[pos_])) ++pos_;
  }
  bool Fail(std::string_view what) {
    if (error_.empty()) error_ = std::string(what) + " at offset " + std::to_string(pos_);
    return false;
  }
  static bool IsNameChar(char c) {
    return isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  std::string ParseName() {
    std::string name;
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        name.push_back(s_[pos_ + 1]);
        pos_ += 2;
      } else if (IsNameChar(c)) {
        name.push_back(c);
        ++pos_;
      } else {
        break;
      }
    }
    return name;
  }

  bool ParseComplex(Selector::Complex& complex) {
    Combinator pending = Combinator::kNone;
    while (true) {
      Selector::Compound compound;
      if (!ParseCompound(compound)) return false;
      complex.parts.push_back(std::move(compound));
      complex.combinators.push_back(pending);
      size_t before = pos_;
      SkipSpace();
      if (AtEnd() || s_[pos_] == ',' || s_[pos_] == ')') return true;
      char c = s_[pos_];
      if (c == '>' || c == '+' || c == '~') {
        pending = c == '>' ? Combinator::kChild
                           : (c == '+' ? Combinator::kAdjacent : Combinator::kSibling);
        ++pos_;
        SkipSpace();
      } else if (pos_ > before) {
        pending = Combinator::kDescendant;
      } else {
        return Fail("unexpected character");
      }
    }
  }

  bool ParseCompound(Selector::Compound& c) {
    bool any = false;
    if (!AtEnd() && s_[pos_] == '*') {
      c.type = "*";
      ++pos_;
      any = true;
    } else if (!AtEnd() && IsNameChar(s_[pos_])) {
      c.type = AsciiLowerCopy(ParseName());
      any = true;
    }
    while (!AtEnd()) {
      char ch = s_[pos_];
      if (ch == '#') {
        ++pos_;
        std::string id = ParseName();
        if (id.empty()) return Fail("empty #id");
        c.ids.push_back(std::move(id));
      } else if (ch == '.') {
        ++pos_;
        std::string cls = ParseName();
        if (cls.empty()) return Fail("empty .class");
        c.classes.push_back(std::move(cls));
      } else if (ch == '[') {
        ++pos_;
        if (!ParseAttr(c)) return false;
      } else if (ch == ':') {
        if (s_.substr(pos_, 5) != ":not(") return Fail("unsupported pseudo-class");
        pos_ += 5;
        std::vector<Selector::Compound> inner;
        while (true) {
          SkipSpace();
          Selector::Compound n;
          if (!ParseCompound(n)) return false;
          inner.push_back(std::move(n));
          SkipSpace();
          if (AtEnd()) return Fail("unterminated :not(");
          if (s_[pos_] == ')') break;
          if (s_[pos_] != ',') return Fail("expected ',' or ')' in :not()");
          ++pos_;
        }
        ++pos_;
        c.nots.push_back(std::move(inner));
      } else {
        break;
      }
      any = true;
    }
    if (!any) return Fail("expected a selector");
    return true;
  }

  bool ParseAttr(Selector::Compound& c) {
    SkipSpace();
    AttrTest test;
    test.name = AsciiLowerCopy(ParseName());
    if (test.name.empty()) return Fail("empty attribute name");
    SkipSpace();
    if (AtEnd()) return Fail("unterminated [");
    if (s_[pos_] != ']') {
      char op = s_[pos_];
      if (op == '=') {
        test.op = AttrOp::kEquals;
        ++pos_;
      } else if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '=') {
        switch (op) {
          case '~':
            test.op = AttrOp::kIncludes;
            break;
          case '^':
            test.op = AttrOp::kPrefix;
            break;
          case '$':
            test.op = AttrOp::kSuffix;
            break;
          case '*':
            test.op = AttrOp::kSubstring;
            break;
          case '|':
            test.op = AttrOp::kDashMatch;
            break;
          default:
            return Fail("unknown attribute operator");
        }
        pos_ += 2;
      } else {
        return Fail("unknown attribute operator");
      }
      SkipSpace();
      if (AtEnd()) return Fail("unterminated [");
      if (s_[pos_] == '"' || s_[pos_] == '\'') {
        char quote = s_[pos_++];
        size_t end = s_.find(quote, pos_);
        if (end == std::string_view::npos) return Fail("unterminated string");
        test.value = std::string(s_.substr(pos_, end - pos_));
        pos_ = end + 1;
      } else {
        test.value = ParseName();
      }
      SkipSpace();
      if (AtEnd() || s_[pos_] != ']') return Fail("expected ']'");
    }
    ++pos_;
    c.attrs.push_back(std::move(test));
    return true;
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::string error_;
};

bool MatchAttr(const Node* e, const AttrTest& t) {
  const Attribute* a = e->FindAttr(t.name);
  if (!a) return false;
  std::string_view v = a->value;
  switch (t.op) {
    case AttrOp::kExists:
      return true;
    case AttrOp::kEquals:
      return v == t.value;
    case AttrOp::kIncludes:
      for (std::string_view part : SplitAsciiSpace(v))
        if (part == t.value) return true;
      return false;
    case AttrOp::kPrefix:
      return !t.value.empty() && v.substr(0, t.value.size()) == t.value;
    case AttrOp::kSuffix:
      return !t.value.empty() && v.size() >= t.value.size() &&
             v.substr(v.size() - t.value.size()) == t.value;
    case AttrOp::kSubstring:
      return !t.value.empty() && v.find(t.value) != std::string_view::npos;
    case AttrOp::kDashMatch:
      return v == t.value || (v.size() > t.value.size() && v.substr(0, t.value.size()) == t.value &&
                              v[t.value.size()] == '-');
  }
  return false;
}

bool MatchCompound(const Node* e, const Selector::Compound& c) {
  if (!e || e->type != NodeType::kElement) return false;
  if (!c.type.empty() && c.type != "*" && e->name != c.type) return false;
  for (const auto& id : c.ids)
    if (e->Attr("id") != id) return false;
  for (const auto& cls : c.classes)
    if (!e->HasClass(cls)) return false;
  for (const auto& a : c.attrs)
    if (!MatchAttr(e, a)) return false;
  for (const auto& list : c.nots)
    for (const auto& inner : list)
      if (MatchCompound(e, inner)) return false;
  return true;
}

const Node* PrevElement(const Node* n) {
  for (n = n->prev_sibling; n; n = n->prev_sibling)
    if (n->IsElement()) return n;
  return nullptr;
}

// Matches parts[0..index] ending at element e, right to left, backtracking on
// descendant and sibling combinators.
bool MatchFrom(const Selector::Complex& cx, int index, const Node* e) {
  if (!MatchCompound(e, cx.parts[index])) return false;
  if (index == 0) return true;
  switch (cx.combinators[index]) {
    case Combinator::kChild:
      return MatchFrom(cx, index - 1, e->parent);
    case Combinator::kDescendant:
      for (const Node* p = e->parent; p && p->IsElement(); p = p->parent)
        if (MatchFrom(cx, index - 1, p)) return true;
      return false;
    case Combinator::kAdjacent: {
      const Node* prev = PrevElement(e);
      return prev && MatchFrom(cx, index - 1, prev);
    }
    case Combinator::kSibling:
      for (const Node* p = PrevElement(e); p; p = PrevElement(p))
        if (MatchFrom(cx, index - 1, p)) return true;
      return false;
    case Combinator::kNone:
      return true;
  }
  return false;
}

}  // namespace

std::optional<Selector> Selector::Parse(std::string_view text, std::string* error) {
  Selector sel;
  sel.text_ = std::string(text);
  SelectorParser parser(text);
  if (TrimAscii(text).empty() || !parser.ParseList(sel.alternatives_)) {
    if (error) *error = parser.error().empty() ? "empty selector" : parser.error();
    return std::nullopt;
  }
  return sel;
}

bool Selector::Matches(const Node* element) const {
  if (!element || !element->IsElement()) return false;
  for (const auto& cx : alternatives_)
    if (MatchFrom(*cx, static_cast<int>(cx->parts.size()) - 1, element)) return true;
  return false;
}

std::vector<Node*> SelectAll(Node* scope, const Selector& selector) {
  std::vector<Node*> out;
  for (Node* n = scope->first_child; n; n = NextInTree(n, scope))
    if (n->IsElement() && selector.Matches(n)) out.push_back(n);
  return out;
}

Node* SelectFirst(Node* scope, const Selector& selector) {
  for (Node* n = scope->first_child; n; n = NextInTree(n, scope))
    if (n->IsElement() && selector.Matches(n)) return n;
  return nullptr;
}

}  // namespace samizdat::html
