#include "sync/pipeline.h"

namespace samizdat::sync {

bool PipelineOrder::Deliver(size_t index, size_t window) {
  std::unique_lock<std::mutex> lock(mu_);
  // Waiting is safe only while the consumer can move: the oldest item is delivered, so a
  // worker prepares it. Otherwise it is still being fetched, and this thread must return
  // to the fetch loop to finish it.
  changed_.wait(lock, [&] {
    return stopping_ || index < head_ + window || head_ >= delivered_.size() || !delivered_[head_];
  });
  if (stopping_) return false;
  delivered_[index] = true;
  changed_.notify_all();
  return true;
}

void PipelineOrder::DeliveriesDone() {
  std::lock_guard<std::mutex> lock(mu_);
  deliveries_done_ = true;
  changed_.notify_all();
}

void PipelineOrder::MarkReady(size_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  ready_[index] = true;
  changed_.notify_all();
}

size_t PipelineOrder::WaitForReady(size_t max) {
  std::unique_lock<std::mutex> lock(mu_);
  // Once deliveries are done, an item not delivered never will be.
  changed_.wait(lock, [&] {
    return head_ >= ready_.size() || ready_[head_] || (deliveries_done_ && !delivered_[head_]);
  });
  size_t count = 0;
  while (head_ + count < ready_.size() && count < max && ready_[head_ + count]) ++count;
  return count;
}

void PipelineOrder::Consumed(size_t count) {
  std::lock_guard<std::mutex> lock(mu_);
  head_ += count;
  changed_.notify_all();
}

void PipelineOrder::Stop() {
  std::lock_guard<std::mutex> lock(mu_);
  stopping_ = true;
  changed_.notify_all();
}

}  // namespace samizdat::sync
