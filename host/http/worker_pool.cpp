#include "host/http/worker_pool.hpp"

#include <algorithm>
#include <exception>

#include <spdlog/spdlog.h>

#include "host/observe/metrics.hpp"

namespace admit::http {

WorkerPool::WorkerPool(std::size_t threads, std::size_t queue_limit,
                       observe::Gauge* queue_depth_gauge, observe::Gauge* busy_gauge)
    : ring_(queue_limit == 0 ? 1 : queue_limit),
      queue_depth_gauge_(queue_depth_gauge),
      busy_gauge_(busy_gauge) {
    if (threads == 0) threads = 1;
    threads_.reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run_worker(); });
}

WorkerPool::~WorkerPool() { stop(); }

bool WorkerPool::enqueue_locked(Task& task) {
    if (stopping_ || size_ == ring_.size()) return false;
    ring_[(head_ + size_) % ring_.size()] = std::move(task);
    ++size_;
    if (queue_depth_gauge_) queue_depth_gauge_->set(static_cast<double>(size_));
    return true;
}

bool WorkerPool::try_submit(Task& task) {
    bool wake_one = false;
    {
        std::lock_guard lock(mutex_);
        if (!enqueue_locked(task)) return false;
        wake_one = idle_waiting_ > 0;
    }
    // Busy workers pick the task up when they finish; waking is only needed for a sleeping one.
    if (wake_one) wake_.notify_one();
    return true;
}

bool WorkerPool::try_submit_deferred(Task& task) {
    std::lock_guard lock(mutex_);
    return enqueue_locked(task);
}

void WorkerPool::wake_for_queued() {
    std::size_t wakes;
    {
        std::lock_guard lock(mutex_);
        wakes = std::min(idle_waiting_, size_);
    }
    if (wakes == 0) return;
    if (wakes >= threads_.size()) {
        wake_.notify_all();
        return;
    }
    for (std::size_t i = 0; i < wakes; ++i) wake_.notify_one();
}

void WorkerPool::run_worker() {
    std::unique_lock lock(mutex_);
    while (true) {
        while (size_ == 0 && !stopping_) {
            ++idle_waiting_;
            wake_.wait(lock);
            --idle_waiting_;
        }
        if (size_ == 0) return;  // stopping and drained
        Task task = std::move(ring_[head_]);
        ring_[head_] = nullptr;
        head_ = (head_ + 1) % ring_.size();
        --size_;
        ++busy_;
        if (queue_depth_gauge_) queue_depth_gauge_->set(static_cast<double>(size_));
        if (busy_gauge_) busy_gauge_->set(static_cast<double>(busy_));
        lock.unlock();
        try {
            task();
        } catch (const std::exception& e) {
            spdlog::error("worker task threw: {}", e.what());
        } catch (...) {
            spdlog::error("worker task threw a non-standard exception");
        }
        task = nullptr;
        lock.lock();
        --busy_;
        if (busy_gauge_) busy_gauge_->set(static_cast<double>(busy_));
    }
}

void WorkerPool::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    for (auto& thread : threads_) {
        if (thread.joinable()) thread.join();
    }
    threads_.clear();
}

std::size_t WorkerPool::queue_depth() const {
    std::lock_guard lock(mutex_);
    return size_;
}

std::size_t WorkerPool::busy_workers() const {
    std::lock_guard lock(mutex_);
    return busy_;
}

}  // namespace admit::http
