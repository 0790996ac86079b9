// HttpClient::FetchEach on the curl client: responses are handed over as they complete,
// the window holds later requests back, and the sink can stop the fetch.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>

#include "fetch/fetcher.h"
#include "http_server.h"

namespace samizdat::fetch {
namespace {

using testing::HttpRequest;
using testing::HttpResponse;
using testing::HttpServer;

FetchOptions LoopbackOptions() {
  FetchOptions o;
  o.allow_loopback = true;
  o.per_host_delay_ms = 0;
  o.per_host_concurrency = 8;
  o.max_retries = 0;
  return o;
}

// /slow answers only once the client has handed /fast's response over: a client that held
// responses back until all were complete would make it wait for its guard (10 s) instead.
TEST(FetchEach, HandsEachResponseOverAsSoonAsItIsComplete) {
  std::promise<void> fast_handed_over;
  std::shared_future<void> released = fast_handed_over.get_future().share();
  std::atomic<bool> slow_released_by_client{false};
  HttpServer server([&](const HttpRequest& r) {
    HttpResponse resp;
    resp.body = r.path;
    if (r.path == "/slow")
      slow_released_by_client =
          released.wait_for(std::chrono::seconds(10)) == std::future_status::ready;
    return resp;
  });
  auto client = NewCurlHttpClient(LoopbackOptions());
  std::vector<size_t> order;
  client->FetchEach({{server.Url("/slow")}, {server.Url("/fast")}},
                    [&](size_t index, Response response) {
                      EXPECT_TRUE(response.ok) << response.error;
                      order.push_back(index);
                      if (index == 1) fast_handed_over.set_value();
                      return true;
                    });
  EXPECT_EQ(order, (std::vector<size_t>{1, 0}));
  EXPECT_TRUE(slow_released_by_client);
}

// With a window of 1 a request starts only once the one before it is answered, however
// much concurrency the options allow.
TEST(FetchEach, WindowHoldsLaterRequestsUntilTheOlderAreAnswered) {
  std::atomic<int> in_flight{0}, most_in_flight{0};
  HttpServer server([&](const HttpRequest& r) {
    int now = ++in_flight;
    int seen = most_in_flight.load();
    while (now > seen && !most_in_flight.compare_exchange_weak(seen, now)) {
    }
    HttpResponse resp;
    resp.body = r.path;
    --in_flight;
    return resp;
  });
  auto client = NewCurlHttpClient(LoopbackOptions());
  std::vector<Request> requests;
  for (int i = 0; i < 6; ++i) requests.push_back({server.Url("/" + std::to_string(i))});
  std::vector<size_t> order;
  client->FetchEach(
      requests,
      [&](size_t index, Response response) {
        EXPECT_TRUE(response.ok) << response.error;
        order.push_back(index);
        return true;
      },
      1);
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(most_in_flight.load(), 1);
}

// A sink that says stop ends the fetch: nothing more is requested or handed over, and the
// client (its multi handle kept) fetches normally afterwards.
TEST(FetchEach, StopsWhenTheSinkSaysSoAndTheClientFetchesAgainAfterwards) {
  HttpServer server([&](const HttpRequest& r) {
    HttpResponse resp;
    resp.body = r.path;
    return resp;
  });
  auto client = NewCurlHttpClient(LoopbackOptions());
  std::vector<Request> requests;
  for (int i = 0; i < 5; ++i) requests.push_back({server.Url("/" + std::to_string(i))});
  int handed_over = 0;
  client->FetchEach(
      requests,
      [&](size_t, Response) {
        ++handed_over;
        return false;
      },
      1);
  EXPECT_EQ(handed_over, 1);
  EXPECT_EQ(server.requests().size(), 1u);
  std::vector<Response> again = client->FetchAll(requests);
  ASSERT_EQ(again.size(), 5u);
  for (size_t i = 0; i < again.size(); ++i) EXPECT_EQ(again[i].body, "/" + std::to_string(i));
}

}  // namespace
}  // namespace samizdat::fetch
