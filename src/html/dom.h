// The project's own compact, mutable DOM. Every node and string lives in the Document's
// arena, so building and discarding a tree costs a few large allocations, and nodes are
// plain pointers that stay valid until the Document dies. Detached nodes are not freed;
// they simply become unreachable.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <string>
#include <string_view>
#include <vector>

namespace samizdat::html {

// clang-format off
#define SAMIZDAT_HTML_TAGS(X) \
  X(a) X(abbr) X(address) X(article) X(aside) X(audio) X(b) X(base) X(bdi) X(bdo) \
  X(blockquote) X(body) X(br) X(button) X(canvas) X(caption) X(center) X(cite) X(code) \
  X(col) X(colgroup) X(dd) X(del) X(details) X(dfn) X(dialog) X(div) X(dl) X(dt) X(em) \
  X(embed) X(fieldset) X(figcaption) X(figure) X(font) X(footer) X(form) X(frame) \
  X(frameset) X(h1) X(h2) X(h3) X(h4) X(h5) X(h6) X(head) X(header) X(hgroup) X(hr) X(html) \
  X(i) X(iframe) X(img) X(input) X(ins) X(kbd) X(label) X(legend) X(li) X(link) X(main) \
  X(map) X(mark) X(math) X(menu) X(meta) X(meter) X(nav) X(noscript) X(object) X(ol) \
  X(optgroup) X(option) X(output) X(p) X(param) X(picture) X(pre) X(progress) X(q) X(rp) \
  X(rt) X(ruby) X(s) X(samp) X(script) X(section) X(select) X(small) X(source) X(span) \
  X(strike) X(strong) X(style) X(sub) X(summary) X(sup) X(svg) X(table) X(tbody) X(td) \
  X(template) X(textarea) X(tfoot) X(th) X(thead) X(time) X(title) X(tr) X(track) X(tt) \
  X(u) X(ul) X(var) X(video) X(wbr)
// clang-format on

enum class Tag : uint16_t {
  kUnknown = 0,
#define SAMIZDAT_TAG_ENUM(name) k_##name,
  SAMIZDAT_HTML_TAGS(SAMIZDAT_TAG_ENUM)
#undef SAMIZDAT_TAG_ENUM
};

// Maps a lower-case element name to its Tag (kUnknown for custom elements).
Tag TagFromName(std::string_view lower_name);

enum class NodeType : uint8_t { kDocument, kElement, kText, kComment };

struct Attribute {
  std::string_view name;  // lower-case
  std::string_view value;
  Attribute* next = nullptr;
};

struct Node {
  NodeType type = NodeType::kElement;
  Tag tag = Tag::kUnknown;
  std::string_view name;  // element local name, lower-case; empty for non-elements
  std::string_view data;  // text or comment content
  Node* parent = nullptr;
  Node* first_child = nullptr;
  Node* last_child = nullptr;
  Node* prev_sibling = nullptr;
  Node* next_sibling = nullptr;
  Attribute* attrs = nullptr;
  // Free for the algorithm currently walking the tree (e.g. an index into its side table).
  uint32_t scratch = 0;

  bool IsElement() const { return type == NodeType::kElement; }
  bool IsText() const { return type == NodeType::kText; }
  bool Is(Tag t) const { return type == NodeType::kElement && tag == t; }
  // The attribute's value, or nullptr-equivalent empty view when absent (see HasAttr).
  std::string_view Attr(std::string_view attr_name) const;
  const Attribute* FindAttr(std::string_view attr_name) const;
  bool HasAttr(std::string_view attr_name) const { return FindAttr(attr_name) != nullptr; }
  bool HasClass(std::string_view cls) const;
  std::string_view Id() const { return Attr("id"); }
};

// Pre-order successor of `node` within the subtree rooted at `scope`; nullptr at the end.
Node* NextInTree(const Node* node, const Node* scope);
// Pre-order successor skipping `node`'s own descendants.
Node* NextSkippingChildren(const Node* node, const Node* scope);

// Concatenated text of all descendant text nodes, without any whitespace normalisation.
std::string TextContent(const Node* node);
void AppendTextContent(const Node* node, std::string& out);

// Element that is displayed as a block (starts a new line) by default.
bool IsBlockTag(Tag tag);
// Void elements have no end tag and no children.
bool IsVoidTag(Tag tag);
// 1..6 for h1..h6, 0 for anything else.
int HeadingLevel(Tag tag);

// Hidden by the page's own markup: the `hidden` attribute, or an inline style with
// display:none or visibility:hidden. React streaming SSR puts the real content in
// <div hidden id="S:0"> for a script to move into place, so that is not hidden.
// With `aria_hidden_counts`, aria-hidden="true" hides too (except Wikipedia-style
// "fallback-image" wrappers).
bool IsHiddenByMarkup(const Node* element, bool aria_hidden_counts = false);

class Document {
 public:
  Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  Node* root() { return root_; }
  const Node* root() const { return root_; }

  // Interns a copy of `s` in the arena.
  std::string_view Intern(std::string_view s);

  Node* CreateElement(std::string_view lower_name);
  Node* CreateElement(Tag tag);
  Node* CreateText(std::string_view text);
  Node* CreateComment(std::string_view text);

  void SetAttr(Node* element, std::string_view name, std::string_view value);
  void RemoveAttr(Node* element, std::string_view name);
  void ClearAttrs(Node* element) { element->attrs = nullptr; }
  void Rename(Node* element, std::string_view lower_name);

  void AppendChild(Node* parent, Node* child);
  void InsertBefore(Node* parent, Node* child, Node* reference);
  // Detaches `node` (and its subtree) from the tree.
  void Remove(Node* node);
  // Replaces `node` by its children, in place.
  void Unwrap(Node* node);
  // Deep copy of `node` into this document (the source may belong to another document).
  Node* Clone(const Node* node);

  // Convenience lookups used by metadata extraction.
  Node* html() const;
  Node* head() const;
  Node* body() const;

  size_t arena_bytes() const { return bytes_; }

  // What the parser changed in the input to stay within its limits (e.g. flattened
  // nesting), for the caller to pass on as warnings.
  const std::vector<std::string>& parse_warnings() const { return parse_warnings_; }
  void AddParseWarning(std::string warning) { parse_warnings_.push_back(std::move(warning)); }

 private:
  void* Allocate(size_t size, size_t align);

  std::pmr::monotonic_buffer_resource arena_;
  Node* root_;
  size_t bytes_ = 0;
  std::vector<std::string> parse_warnings_;
};

// Finds the first element with the given tag in pre-order, or nullptr.
Node* FindFirst(Node* scope, Tag tag);

}  // namespace samizdat::html
