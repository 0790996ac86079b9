// The fetch pipeline hands prepared items over in request order, whatever order the
// responses come in, and stops fetching when the consumer stops.
#include "sync/pipeline.h"

#include <gtest/gtest.h>

#include <string>

namespace samizdat::sync {
namespace {

// Answers every request with its URL as the body, last request first (or in order).
class ScriptedOrderClient final : public fetch::HttpClient {
 public:
  explicit ScriptedOrderClient(bool reverse) : reverse_(reverse) {}
  std::vector<fetch::Response> FetchAll(const std::vector<fetch::Request>& requests) override {
    std::vector<fetch::Response> out;
    for (const auto& r : requests) out.push_back(Answer(r));
    return out;
  }
  void FetchEach(const std::vector<fetch::Request>& requests, const fetch::ResponseSink& sink,
                 size_t /*window*/) override {
    for (size_t k = 0; k < requests.size(); ++k) {
      size_t i = reverse_ ? requests.size() - 1 - k : k;
      ++handed_over;
      if (!sink(i, Answer(requests[i]))) return;
    }
  }
  int handed_over = 0;

 private:
  bool reverse_;
  static fetch::Response Answer(const fetch::Request& r) {
    fetch::Response resp;
    resp.url = r.url;
    resp.ok = true;
    resp.body = r.url;
    return resp;
  }
};

std::vector<fetch::Request> Requests(int n) {
  std::vector<fetch::Request> requests;
  for (int i = 0; i < n; ++i) requests.push_back({"https://x.example/" + std::to_string(i)});
  return requests;
}

TEST(FetchPipeline, HandsItemsOverInRequestOrderWhateverOrderTheyComeIn) {
  ScriptedOrderClient http(/*reverse=*/true);
  PipelineOptions po;
  po.workers = 3;
  po.window = 1000;  // the whole run fits: the client hands everything over
  po.max_group = 4;
  std::vector<std::string> consumed;
  RunFetchPipeline<std::string>(
      http, Requests(50), po,
      [](size_t index, fetch::Response r) { return std::to_string(index) + " " + r.body; },
      [&](size_t first, std::vector<std::string>& group) {
        EXPECT_LE(group.size(), 4u);
        EXPECT_EQ(first, consumed.size());
        for (auto& item : group) consumed.push_back(std::move(item));
        return true;
      });
  ASSERT_EQ(consumed.size(), 50u);
  for (size_t i = 0; i < consumed.size(); ++i)
    EXPECT_EQ(consumed[i], std::to_string(i) + " https://x.example/" + std::to_string(i));
}

// With a window of 2, the fetch thread waits at item 2 until the consumer has taken item 0;
// the consumer stops there, so at most the third answer is handed over (and refused): the
// window bounds what is held, and the stop ends the fetch.
TEST(FetchPipeline, StopsFetchingWhenTheConsumerStopsAndHoldsNoMoreThanTheWindow) {
  ScriptedOrderClient http(/*reverse=*/false);
  PipelineOptions po;
  po.workers = 2;
  po.window = 2;
  int groups = 0;
  RunFetchPipeline<int>(
      http, Requests(20), po, [](size_t index, fetch::Response) { return static_cast<int>(index); },
      [&](size_t first, std::vector<int>& group) {
        EXPECT_EQ(first, 0u);
        EXPECT_EQ(group.front(), 0);
        ++groups;
        return false;
      });
  EXPECT_EQ(groups, 1);
  EXPECT_GE(http.handed_over, 2);
  EXPECT_LE(http.handed_over, 3);
}

}  // namespace
}  // namespace samizdat::sync
