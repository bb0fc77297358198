// WorkerPool: a fixed set of threads running tasks from a bounded FIFO queue.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace admit::observe {
class Gauge;
}

namespace admit::http {

// Thread-safe. The queue is a preallocated ring, so submitting allocates nothing beyond what the
// task's std::function needs (nothing for captures of up to two pointers).
class WorkerPool {
  public:
    using Task = std::function<void()>;

    // threads >= 1 and queue_limit >= 1 (smaller values are raised to 1). The gauges, when given,
    // must outlive the pool and track queued tasks and running tasks.
    WorkerPool(std::size_t threads, std::size_t queue_limit,
               observe::Gauge* queue_depth_gauge = nullptr, observe::Gauge* busy_gauge = nullptr);
    // Calls stop().
    ~WorkerPool();
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Queues `task`; false (task untouched) when the queue holds queue_limit tasks or the pool is
    // stopping. A task that throws is logged and swallowed; the worker lives on.
    bool try_submit(Task& task);
    bool try_submit(Task&& task) { return try_submit(task); }

    // Like try_submit, but wakes no sleeping worker: the caller must call wake_for_queued() soon
    // after (an event loop calls it once per round, so a burst of submissions costs one wake-up
    // instead of one per task). Until then the task waits unless a busy worker frees up.
    bool try_submit_deferred(Task& task);
    // Wakes as many sleeping workers as there are queued tasks (at most).
    void wake_for_queued();

    // Refuses new tasks, runs every task already queued, joins the threads. Idempotent; must not be
    // called from a worker thread.
    void stop();

    std::size_t queue_depth() const;
    std::size_t busy_workers() const;

  private:
    void run_worker();
    // Precondition: mutex_ held. Queues the task unless full or stopping.
    bool enqueue_locked(Task& task);

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<Task> ring_;
    std::size_t head_ = 0;
    std::size_t size_ = 0;
    std::size_t busy_ = 0;
    std::size_t idle_waiting_ = 0;
    bool stopping_ = false;
    observe::Gauge* queue_depth_gauge_;
    observe::Gauge* busy_gauge_;
    std::vector<std::thread> threads_;
};

}  // namespace admit::http
