#include "sync/article_input.h"

#include "html/serialize.h"
#include "render/markdown.h"
#include "util/ids.h"

namespace samizdat::sync {

store::ArticleInput ArticleInputFrom(const std::string& canonical_url, const FeedEntryFields& entry,
                                     const extract::Article& a, const fetch::Response& resp) {
  store::ArticleInput in;
  in.canonical_url = canonical_url;
  in.article_id =
      a.id.empty() ? extract::DefaultArticleId(canonical_url) : SafeArticleId(a.id, canonical_url);
  in.feed_published = entry.published;
  in.feed_updated = entry.updated;
  in.title = a.title.value_or(entry.title);
  in.byline = a.byline.value_or("");
  in.published = a.published.value_or(entry.published);
  in.modified = a.modified.value_or("");
  if (a.lead_image)
    in.lead_image_json =
        store::LeadImageToJson({a.lead_image->src, a.lead_image->alt, a.lead_image->caption});
  html::SerializeOptions so;
  so.xhtml_void = false;
  in.html = html::InnerHtml(a.body, so);
  in.text = render::ToText(a.body);
  in.content_type = resp.content_type;
  in.charset = a.charset.charset;
  in.fetched_url = resp.final_url;
  return in;
}

}  // namespace samizdat::sync
