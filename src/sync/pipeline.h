// The fetch pipeline of sync: responses are fetched on a thread of their own (one HttpClient
// FetchEach, so requests stay in flight while earlier pages are processed), each response
// is prepared (extracted, cleaned) on a pool of workers, one per usable CPU, and the
// prepared items are handed to the calling thread in request order, in groups of those
// ready, so it can store them in order with one commit per group.
//
// Memory stays bounded: a request starts only `window` places after the oldest unanswered
// one, and the fetch thread waits while `window` answers are prepared or being prepared
// but not yet consumed.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "fetch/fetcher.h"
#include "util/thread_pool.h"

namespace samizdat::sync {

struct PipelineOptions {
  int workers = 1;        // threads preparing responses
  size_t window = 64;     // answers held at most beyond the oldest one not consumed
  size_t max_group = 64;  // items handed to the consumer at once at most
};

// Which items are delivered, prepared and consumed; shared by the fetch thread, the
// workers and the consumer. Items are consumed strictly in index order.
class PipelineOrder {
 public:
  explicit PipelineOrder(size_t n) : delivered_(n), ready_(n) {}
  // Fetch thread, before handing item `index` on: waits while it is `window` or more past
  // the oldest item not consumed and that item can be consumed (delivered). False once the
  // pipeline is stopping.
  bool Deliver(size_t index, size_t window);
  // Fetch thread: no more deliveries will come.
  void DeliveriesDone();
  // Worker: item `index` is prepared (its slot written).
  void MarkReady(size_t index);
  // Consumer: waits for the oldest item not consumed; returns how many in a row from it
  // are prepared (at most `max`), 0 when no more will come.
  size_t WaitForReady(size_t max);
  size_t head() const { return head_; }
  // Consumer: the `count` items from head() are consumed.
  void Consumed(size_t count);
  // Consumer: stop fetching and delivering.
  void Stop();

 private:
  std::mutex mu_;
  std::condition_variable changed_;
  std::vector<bool> delivered_, ready_;
  size_t head_ = 0;
  bool deliveries_done_ = false;
  bool stopping_ = false;
};

// Fetches `requests`, prepares each response with `prepare` (on a worker: it must touch
// nothing shared but what it is given) and hands the prepared items to `consume` on the
// calling thread, in request order; `consume` gets the index of the first item of its
// group and returns false to stop the run (the requests not yet answered are abandoned).
template <typename Prepared>
void RunFetchPipeline(fetch::HttpClient& http, const std::vector<fetch::Request>& requests,
                      const PipelineOptions& options,
                      const std::function<Prepared(size_t, fetch::Response)>& prepare,
                      const std::function<bool(size_t, std::vector<Prepared>&)>& consume) {
  std::vector<std::optional<Prepared>> slots(requests.size());
  PipelineOrder order(requests.size());
  {
    ThreadPool workers(options.workers);  // declared after slots: joined before they go
    std::thread fetcher([&] {
      http.FetchEach(
          requests,
          [&](size_t index, fetch::Response response) {
            if (!order.Deliver(index, options.window)) return false;
            workers.Submit([&, index, response = std::move(response)]() mutable {
              slots[index].emplace(prepare(index, std::move(response)));
              order.MarkReady(index);
            });
            return true;
          },
          options.window);
      order.DeliveriesDone();
    });
    std::vector<Prepared> group;
    while (size_t count = order.WaitForReady(options.max_group)) {
      size_t first = order.head();
      group.clear();
      for (size_t i = first; i < first + count; ++i) {
        group.push_back(std::move(*slots[i]));
        slots[i].reset();
      }
      if (!consume(first, group)) {
        order.Stop();  // before any room is made: nothing more is handed over
        break;
      }
      order.Consumed(count);
    }
    fetcher.join();
  }
}

}  // namespace samizdat::sync
