// Depth cap for XML text, applied before the XML parser so that nothing downstream (text
// collection, namespace lookups, serialisation) ever walks a tree deeper than the cap.
#pragma once

#include <string>
#include <string_view>

namespace samizdat::feed {

// Like libxml2's default limit: real feeds nest a dozen levels at most.
constexpr int kMaxXmlDepth = 256;

// Removes every element nested deeper than `max_depth` (the document element is depth 1)
// together with its content, and returns true when something was removed; `out` then holds
// the capped text. An element still open at the end of the text is cut off there. One
// linear pass; comments, CDATA sections, processing instructions and the DOCTYPE are
// skipped as opaque.
bool CapXmlDepth(std::string_view xml, int max_depth, std::string* out);

}  // namespace samizdat::feed
