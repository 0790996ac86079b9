// The feed model as JSON (doc/feed.md): what `samizdat feed --json` prints.
#pragma once

#include <nlohmann/json.hpp>

#include "feed/feed.h"

namespace samizdat::feed {

nlohmann::json FeedToJson(const Feed& feed);

}  // namespace samizdat::feed
