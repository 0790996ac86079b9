#include "store/article_store.h"

#include "store/pg_store.h"
#include "store/store.h"

namespace samizdat::store {

bool IsPostgresLocation(std::string_view location) {
  return location.starts_with("postgresql://") || location.starts_with("postgres://");
}

std::unique_ptr<ArticleStore> OpenStore(const std::string& location, std::string* error) {
  if (IsPostgresLocation(location)) return PgStore::Open(location, error);
  return Store::Open(location, error);
}

}  // namespace samizdat::store
