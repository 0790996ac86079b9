#include "html/dom.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <new>
#include <utility>
#include <vector>

namespace samizdat::html {
namespace {

struct TagEntry {
  std::string_view name;
  Tag tag;
};

constexpr auto kTagTable = [] {
  std::array<TagEntry, 0
#define SAMIZDAT_TAG_COUNT(name) +1
             SAMIZDAT_HTML_TAGS(SAMIZDAT_TAG_COUNT)
#undef SAMIZDAT_TAG_COUNT
             >
      table{{
#define SAMIZDAT_TAG_ENTRY(name) {#name, Tag::k_##name},
          SAMIZDAT_HTML_TAGS(SAMIZDAT_TAG_ENTRY)
#undef SAMIZDAT_TAG_ENTRY
      }};
  std::sort(table.begin(), table.end(),
            [](const TagEntry& a, const TagEntry& b) { return a.name < b.name; });
  return table;
}();

std::string_view NameOfTag(Tag tag) {
  for (const auto& e : kTagTable)
    if (e.tag == tag) return e.name;
  return {};
}

}  // namespace

Tag TagFromName(std::string_view lower_name) {
  auto it = std::lower_bound(kTagTable.begin(), kTagTable.end(), lower_name,
                             [](const TagEntry& e, std::string_view n) { return e.name < n; });
  if (it != kTagTable.end() && it->name == lower_name) return it->tag;
  return Tag::kUnknown;
}

const Attribute* Node::FindAttr(std::string_view attr_name) const {
  for (const Attribute* a = attrs; a; a = a->next)
    if (a->name == attr_name) return a;
  return nullptr;
}

std::string_view Node::Attr(std::string_view attr_name) const {
  const Attribute* a = FindAttr(attr_name);
  return a ? a->value : std::string_view();
}

bool Node::HasClass(std::string_view cls) const {
  std::string_view classes = Attr("class");
  size_t i = 0;
  while (i < classes.size()) {
    while (i < classes.size() && (classes[i] == ' ' || classes[i] == '\t' || classes[i] == '\n' ||
                                  classes[i] == '\r' || classes[i] == '\f'))
      ++i;
    size_t start = i;
    while (i < classes.size() && !(classes[i] == ' ' || classes[i] == '\t' || classes[i] == '\n' ||
                                   classes[i] == '\r' || classes[i] == '\f'))
      ++i;
    if (classes.substr(start, i - start) == cls) return true;
  }
  return false;
}

Node* NextInTree(const Node* node, const Node* scope) {
  if (node->first_child) return node->first_child;
  return NextSkippingChildren(node, scope);
}

Node* NextSkippingChildren(const Node* node, const Node* scope) {
  while (node && node != scope) {
    if (node->next_sibling) return node->next_sibling;
    node = node->parent;
  }
  return nullptr;
}

void AppendTextContent(const Node* node, std::string& out) {
  if (node->type == NodeType::kText) {
    out.append(node->data);
    return;
  }
  for (const Node* n = node->first_child; n; n = NextInTree(n, node))
    if (n->type == NodeType::kText) out.append(n->data);
}

std::string TextContent(const Node* node) {
  std::string out;
  AppendTextContent(node, out);
  return out;
}

bool IsBlockTag(Tag tag) {
  switch (tag) {
    case Tag::k_address:
    case Tag::k_article:
    case Tag::k_aside:
    case Tag::k_blockquote:
    case Tag::k_body:
    case Tag::k_center:
    case Tag::k_dd:
    case Tag::k_details:
    case Tag::k_dialog:
    case Tag::k_div:
    case Tag::k_dl:
    case Tag::k_dt:
    case Tag::k_fieldset:
    case Tag::k_figcaption:
    case Tag::k_figure:
    case Tag::k_footer:
    case Tag::k_form:
    case Tag::k_h1:
    case Tag::k_h2:
    case Tag::k_h3:
    case Tag::k_h4:
    case Tag::k_h5:
    case Tag::k_h6:
    case Tag::k_header:
    case Tag::k_hgroup:
    case Tag::k_hr:
    case Tag::k_html:
    case Tag::k_li:
    case Tag::k_main:
    case Tag::k_menu:
    case Tag::k_nav:
    case Tag::k_ol:
    case Tag::k_p:
    case Tag::k_pre:
    case Tag::k_section:
    case Tag::k_summary:
    case Tag::k_table:
    case Tag::k_tbody:
    case Tag::k_td:
    case Tag::k_tfoot:
    case Tag::k_th:
    case Tag::k_thead:
    case Tag::k_tr:
    case Tag::k_ul:
    case Tag::k_caption:
    case Tag::k_legend:
    case Tag::k_br:
    case Tag::k_option:
    case Tag::k_select:
    case Tag::k_textarea:
    case Tag::k_video:
    case Tag::k_audio:
    case Tag::k_iframe:
    case Tag::k_object:
    case Tag::k_canvas:
    case Tag::k_picture:
      return true;
    default:
      return false;
  }
}

bool IsVoidTag(Tag tag) {
  switch (tag) {
    case Tag::k_base:
    case Tag::k_br:
    case Tag::k_col:
    case Tag::k_embed:
    case Tag::k_hr:
    case Tag::k_img:
    case Tag::k_input:
    case Tag::k_link:
    case Tag::k_meta:
    case Tag::k_param:
    case Tag::k_source:
    case Tag::k_track:
    case Tag::k_wbr:
    case Tag::k_frame:
      return true;
    default:
      return false;
  }
}

int HeadingLevel(Tag tag) {
  switch (tag) {
    case Tag::k_h1:
      return 1;
    case Tag::k_h2:
      return 2;
    case Tag::k_h3:
      return 3;
    case Tag::k_h4:
      return 4;
    case Tag::k_h5:
      return 5;
    case Tag::k_h6:
      return 6;
    default:
      return 0;
  }
}

bool IsHiddenByMarkup(const Node* e, bool aria_hidden_counts) {
  std::string_view id = e->Attr("id");
  if (id.size() > 2 && id[0] == 'S' && id[1] == ':') return false;
  if (e->HasAttr("hidden")) return true;
  if (aria_hidden_counts && e->Attr("aria-hidden") == "true" && !e->HasClass("fallback-image"))
    return true;
  std::string_view style = e->Attr("style");
  if (style.empty()) return false;
  std::string s;
  for (char c : style)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f')
      s.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  return s.find("display:none") != std::string::npos ||
         s.find("visibility:hidden") != std::string::npos;
}

Document::Document() : arena_(64 * 1024) {
  root_ = new (Allocate(sizeof(Node), alignof(Node))) Node();
  root_->type = NodeType::kDocument;
}

void* Document::Allocate(size_t size, size_t align) {
  bytes_ += size;
  return arena_.allocate(size, align);
}

std::string_view Document::Intern(std::string_view s) {
  if (s.empty()) return {};
  char* p = static_cast<char*>(Allocate(s.size(), 1));
  std::memcpy(p, s.data(), s.size());
  return {p, s.size()};
}

Node* Document::CreateElement(std::string_view lower_name) {
  Node* n = new (Allocate(sizeof(Node), alignof(Node))) Node();
  n->type = NodeType::kElement;
  n->tag = TagFromName(lower_name);
  std::string_view known = n->tag == Tag::kUnknown ? std::string_view() : NameOfTag(n->tag);
  n->name = known.empty() ? Intern(lower_name) : known;
  return n;
}

Node* Document::CreateElement(Tag tag) { return CreateElement(NameOfTag(tag)); }

Node* Document::CreateText(std::string_view text) {
  Node* n = new (Allocate(sizeof(Node), alignof(Node))) Node();
  n->type = NodeType::kText;
  n->data = Intern(text);
  return n;
}

Node* Document::CreateComment(std::string_view text) {
  Node* n = CreateText(text);
  n->type = NodeType::kComment;
  return n;
}

void Document::SetAttr(Node* element, std::string_view name, std::string_view value) {
  for (Attribute* a = element->attrs; a; a = a->next) {
    if (a->name == name) {
      a->value = Intern(value);
      return;
    }
  }
  Attribute* a = new (Allocate(sizeof(Attribute), alignof(Attribute))) Attribute();
  a->name = Intern(name);
  a->value = Intern(value);
  // Append to keep source order, which keeps serialisation faithful.
  if (!element->attrs) {
    element->attrs = a;
  } else {
    Attribute* last = element->attrs;
    while (last->next) last = last->next;
    last->next = a;
  }
}

void Document::RemoveAttr(Node* element, std::string_view name) {
  Attribute** link = &element->attrs;
  while (*link) {
    if ((*link)->name == name) {
      *link = (*link)->next;
    } else {
      link = &(*link)->next;
    }
  }
}

void Document::Rename(Node* element, std::string_view lower_name) {
  element->tag = TagFromName(lower_name);
  std::string_view known =
      element->tag == Tag::kUnknown ? std::string_view() : NameOfTag(element->tag);
  element->name = known.empty() ? Intern(lower_name) : known;
}

void Document::AppendChild(Node* parent, Node* child) {
  if (child->parent) Remove(child);
  child->parent = parent;
  child->prev_sibling = parent->last_child;
  child->next_sibling = nullptr;
  if (parent->last_child) {
    parent->last_child->next_sibling = child;
  } else {
    parent->first_child = child;
  }
  parent->last_child = child;
}

void Document::InsertBefore(Node* parent, Node* child, Node* reference) {
  if (!reference) {
    AppendChild(parent, child);
    return;
  }
  if (child->parent) Remove(child);
  child->parent = parent;
  child->next_sibling = reference;
  child->prev_sibling = reference->prev_sibling;
  if (reference->prev_sibling) {
    reference->prev_sibling->next_sibling = child;
  } else {
    parent->first_child = child;
  }
  reference->prev_sibling = child;
}

void Document::Remove(Node* node) {
  Node* parent = node->parent;
  if (!parent) return;
  if (node->prev_sibling) {
    node->prev_sibling->next_sibling = node->next_sibling;
  } else {
    parent->first_child = node->next_sibling;
  }
  if (node->next_sibling) {
    node->next_sibling->prev_sibling = node->prev_sibling;
  } else {
    parent->last_child = node->prev_sibling;
  }
  node->parent = node->prev_sibling = node->next_sibling = nullptr;
}

void Document::Unwrap(Node* node) {
  Node* parent = node->parent;
  if (!parent) return;
  while (Node* child = node->first_child) InsertBefore(parent, child, node);
  Remove(node);
}

Node* Document::Clone(const Node* source) {
  // Iterative deep copy: pages may nest 100,000 levels deep.
  auto copy_one = [this](const Node* s) {
    Node* n = new (Allocate(sizeof(Node), alignof(Node))) Node();
    n->type = s->type;
    n->tag = s->tag;
    n->name = s->name.empty() ? std::string_view() : Intern(s->name);
    n->data = Intern(s->data);
    for (const Attribute* a = s->attrs; a; a = a->next) SetAttr(n, a->name, a->value);
    return n;
  };
  Node* top = copy_one(source);
  std::vector<std::pair<const Node*, Node*>> stack{{source, top}};
  while (!stack.empty()) {
    auto [src, dst] = stack.back();
    stack.pop_back();
    for (const Node* c = src->first_child; c; c = c->next_sibling) {
      Node* copy = copy_one(c);
      AppendChild(dst, copy);
      if (c->first_child) stack.emplace_back(c, copy);
    }
  }
  return top;
}

Node* FindFirst(Node* scope, Tag tag) {
  for (Node* n = scope; n; n = NextInTree(n, scope))
    if (n->Is(tag)) return n;
  return nullptr;
}

Node* Document::html() const {
  for (Node* n = root_->first_child; n; n = n->next_sibling)
    if (n->Is(Tag::k_html)) return n;
  return nullptr;
}

Node* Document::head() const {
  Node* h = html();
  if (!h) return nullptr;
  for (Node* n = h->first_child; n; n = n->next_sibling)
    if (n->Is(Tag::k_head)) return n;
  return nullptr;
}

Node* Document::body() const {
  Node* h = html();
  if (!h) return nullptr;
  for (Node* n = h->first_child; n; n = n->next_sibling)
    if (n->Is(Tag::k_body)) return n;
  return nullptr;
}

}  // namespace samizdat::html
