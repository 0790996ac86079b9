// Store::InTransaction: a batch of writes in one commit, each inner transaction kept or
// undone on its own.
#include <gtest/gtest.h>

#include "store/store.h"
#include "test_util.h"

namespace samizdat::store {
namespace {

TEST(StoreTransaction, InnerTransactionsAreKeptOrUndoneOnTheirOwnAndCommittedTogether) {
  testing::TempDir dir;
  std::string error;
  auto store = Store::Open(dir.File("store.db"), &error);
  ASSERT_TRUE(store) << error;
  Status outer = store->InTransaction([&] {
    EXPECT_TRUE(store->InTransaction([&] {
                       return store->PutValidators("https://a/", {"a", ""});
                     })
                    .ok());
    Status undone = store->InTransaction([&] {
      EXPECT_TRUE(store->PutValidators("https://b/", {"b", ""}).ok());
      return Status::IoError("the second write fails");
    });
    EXPECT_FALSE(undone.ok());
    // A store write with its own transaction (SaveArticle's) nests the same way.
    ArticleInput in;
    in.canonical_url = "https://c/";
    in.article_id = "c";
    in.title = "C";
    in.html = "<p>c</p>";
    EXPECT_TRUE(store->SaveArticle(in, 1).ok());
    return Status::Ok();
  });
  ASSERT_TRUE(outer.ok()) << outer.ToString();
  EXPECT_TRUE(store->GetValidators("https://a/").value());
  EXPECT_FALSE(store->GetValidators("https://b/").value());
  EXPECT_EQ(store->CountArticles().value(), 1);

  // When the outer transaction fails, nothing of it is kept, the inner ones included.
  Status failed = store->InTransaction([&] {
    EXPECT_TRUE(store->InTransaction([&] {
                       return store->PutValidators("https://d/", {"d", ""});
                     })
                    .ok());
    return Status::IoError("the batch fails");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_FALSE(store->GetValidators("https://d/").value());
}

}  // namespace
}  // namespace samizdat::store
