// PostgreSQL through the host: parameterized statements, transactions, and the transaction handle
// (Tx) that also publishes outbox events and enqueues jobs atomically with the writes.
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/result.hpp>
#include <admit/sdk/rows.hpp>
#include <admit/sdk/time_text.hpp>

#include <boost/json.hpp>

#include <charconv>
#include <concepts>
#include <cstdint>
#include <functional>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace admit::sdk {

/// A statement parameter in text form; nullopt is SQL NULL.
using SqlParam = std::optional<std::string>;

namespace detail {
inline SqlParam to_param(std::nullptr_t) { return std::nullopt; }
inline SqlParam to_param(std::nullopt_t) { return std::nullopt; }
inline SqlParam to_param(std::string_view text) { return std::string(text); }
inline SqlParam to_param(const std::string& text) { return text; }
inline SqlParam to_param(const char* text) { return text == nullptr ? SqlParam{} : SqlParam{text}; }
inline SqlParam to_param(bool value) { return std::string(value ? "true" : "false"); }
template <std::integral T>
requires(!std::same_as<T, bool> && !std::same_as<T, char>) SqlParam to_param(T value) {
    return std::to_string(value);
}
inline SqlParam to_param(double value) {
    char buffer[64];
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, ec == std::errc{} ? end : buffer);
}
inline SqlParam to_param(const boost::json::value& value) { return boost::json::serialize(value); }
template <class T>
SqlParam to_param(const std::optional<T>& value) {
    return value ? to_param(*value) : SqlParam{};
}
inline SqlParam to_param(const SqlParam& value) { return value; }

/// Collects a result set from the host's row visitor. The SDK's one rule for allocation failure in
/// a collector: the callback (which must not throw into the host) records it in `failed`, and the
/// call then answers an Error; a silently truncated result is never handed out.
struct RowCollector {
    Rows rows;
    bool failed = false;
    admit_row_visitor visitor{sizeof(admit_row_visitor), this, &RowCollector::on_columns,
                              &RowCollector::on_row};

    static void on_columns(void* ctx, const admit_str* names, uint32_t count) noexcept {
        try {
            auto& rows = static_cast<RowCollector*>(ctx)->rows;
            rows.columns.clear();
            for (uint32_t i = 0; i < count; ++i) rows.columns.emplace_back(from_abi(names[i]));
        } catch (...) {  // out of memory: reported by exec, never a truncated result
            static_cast<RowCollector*>(ctx)->failed = true;
        }
    }
    static void on_row(void* ctx, const admit_str* values, uint32_t count) noexcept {
        try {
            auto& row = static_cast<RowCollector*>(ctx)->rows.values.emplace_back();
            row.reserve(count);
            for (uint32_t i = 0; i < count; ++i) {
                if (values[i].ptr == nullptr)
                    row.emplace_back(std::nullopt);
                else
                    row.emplace_back(std::string(values[i].ptr, values[i].len));
            }
        } catch (...) {
            static_cast<RowCollector*>(ctx)->failed = true;
        }
    }
};

inline Result<Rows> exec(HostHandle handle, admit_tx* tx, std::string_view sql,
                         const std::vector<SqlParam>& params) {
    std::vector<admit_str> raw;
    raw.reserve(params.size());
    for (const auto& param : params) raw.push_back(param ? to_abi(*param) : admit_str{nullptr, 0});
    RowCollector collector;
    StringSink error;
    const admit_status status = handle.api->db_exec(
        handle.host, tx, to_abi(sql), raw.data(), static_cast<uint32_t>(raw.size()),
        &collector.visitor, &collector.rows.affected, error.get());
    if (status != ADMIT_OK) return Status::from(status, error.take()).error();
    if (collector.failed)
        return Error::internal("out of memory while collecting the rows of a statement");
    return std::move(collector.rows);
}

inline Status enqueue_job(HostHandle handle, admit_tx* tx, std::string_view job, int64_t run_at_us,
                          std::string_view payload) {
    StringSink error;
    return status_of(handle.api->job_enqueue(handle.host, tx, to_abi(job), run_at_us,
                                             to_abi(payload), error.get()),
                     error);
}
}  // namespace detail

/// An open transaction; valid only inside the transaction (or subscriber) callback that received
/// it, and only on that thread.
class Tx {
  public:
    Tx(HostHandle handle, admit_tx* raw) noexcept : handle_(handle), raw_(raw) {}

    /// Runs one statement with $1, $2 ... bound to `params` (strings, integers, bools, optionals,
    /// nullptr).
    template <class... Params>
    Result<Rows> exec(std::string_view sql, const Params&... params) {
        return detail::exec(handle_, raw_, sql, {detail::to_param(params)...});
    }
    Result<Rows> exec_params(std::string_view sql, const std::vector<SqlParam>& params) {
        return detail::exec(handle_, raw_, sql, params);
    }

    /// Writes an event to the outbox; delivered only if this transaction commits.
    Status publish(std::string_view topic, std::string_view key,
                   const boost::json::value& payload) {
        return publish_raw(topic, key, boost::json::serialize(payload));
    }
    /// A domain event: the SDK stamps the envelope every such event carries, "actor" (who caused
    /// it; "system" when empty) and "at" (the host clock, RFC 3339 UTC with milliseconds), unless
    /// the payload sets them itself. Plugins never build the envelope by hand.
    Status publish(std::string_view topic, std::string_view key, boost::json::object payload,
                   std::string_view actor) {
        if (!payload.contains("actor")) payload["actor"] = actor.empty() ? "system" : actor;
        if (!payload.contains("at")) {
            payload["at"] = format_rfc3339(handle_.api->now_us(handle_.host), /*with_millis=*/true);
        }
        return publish_raw(topic, key, boost::json::serialize(payload));
    }
    Status publish_raw(std::string_view topic, std::string_view key,
                       std::string_view payload_json) {
        admit_event_out event{};
        event.size = sizeof event;
        event.topic = to_abi(topic);
        event.key = to_abi(key);
        event.payload = to_abi(payload_json);
        StringSink error;
        return status_of(handle_.api->event_publish(handle_.host, raw_, &event, error.get()),
                         error);
    }

    /// Runs `work` only after this transaction committed (cache updates, SSE messages): never for a
    /// rolled-back or retried body. `work` runs on the transaction's thread after the commit; an
    /// exception it throws is logged by the SDK and goes no further.
    Status on_commit(std::function<void()> work) {
        if (!ADMIT_HOST_OFFERS(handle_.api, tx_on_commit))
            return Error::unsupported("host offers no tx_on_commit");
        auto* owned = new (std::nothrow) CommitWork{handle_, std::move(work)};
        if (owned == nullptr) return Error::internal("out of memory registering on_commit work");
        StringSink error;
        const admit_status status =
            handle_.api->tx_on_commit(raw_, &CommitWork::run, owned, error.get());
        if (status != ADMIT_OK) {
            delete owned;  // the host did not take it: it will never call run
            return Status::from(status, error.take());
        }
        return {};
    }

    /// Runs `work` inside this transaction once the body, or every handler sharing it (the host
    /// may deliver a subscriber several events in one transaction), returned OK, just before
    /// COMMIT (ABI 1.4): the place to write once what several calls gathered. `work` gets this
    /// transaction; its error rolls the whole transaction back (the message goes to the host's
    /// log). Never run when the transaction rolls back before its end: pair it with on_commit to
    /// learn every end. Work registered by `work` runs after it. Error::unsupported on a host
    /// older than 1.4.
    Status before_commit(std::function<Status(Tx&)> work) {
        if (!ADMIT_HOST_OFFERS(handle_.api, tx_before_commit))
            return Error::unsupported("host offers no tx_before_commit (ABI 1.4)");
        auto* owned = new (std::nothrow) BeforeCommitWork{handle_, std::move(work)};
        if (owned == nullptr)
            return Error::internal("out of memory registering before-commit work");
        // Freed at the end of the transaction, which the host reports whether or not it ran.
        StringSink error;
        admit_status status =
            handle_.api->tx_on_commit(raw_, &BeforeCommitWork::release, owned, error.get());
        if (status != ADMIT_OK) {
            delete owned;
            return Status::from(status, error.take());
        }
        status = handle_.api->tx_before_commit(raw_, &BeforeCommitWork::run, owned, error.get());
        return status == ADMIT_OK ? Status{} : Status::from(status, error.take());
    }

    /// Enqueues a run of this plugin's job `name` at `run_at_us`, durably with this transaction.
    Status enqueue(std::string_view job, int64_t run_at_us, std::string_view payload = {}) {
        return detail::enqueue_job(handle_, raw_, job, run_at_us, payload);
    }

    admit_tx* raw() const noexcept { return raw_; }

  private:
    /// One before_commit registration: the host calls run at most once, then release exactly
    /// once (at the end of the transaction), which frees it.
    struct BeforeCommitWork {
        HostHandle handle;
        std::function<Status(Tx&)> work;
        static admit_status run(void* ctx, admit_tx* raw) noexcept {
            auto* self = static_cast<BeforeCommitWork*>(ctx);
            Status status;
            try {
                Tx tx(self->handle, raw);
                status = self->work(tx);
            } catch (const std::exception& e) {
                status = Error::internal(std::string("before-commit work threw: ") + e.what());
            } catch (...) {
                status = Error::internal("before-commit work threw");
            }
            if (status.ok()) return ADMIT_OK;
            self->handle.api->log(self->handle.host, ADMIT_LOG_WARN,
                                  to_abi("before-commit work failed: " + status.message()));
            return status.status();
        }
        static void release(void* ctx, int32_t) noexcept {
            delete static_cast<BeforeCommitWork*>(ctx);
        }
    };

    /// One on_commit registration; the host calls run exactly once, which frees it.
    struct CommitWork {
        HostHandle handle;
        std::function<void()> work;
        static void run(void* ctx, int32_t committed) noexcept {
            auto* self = static_cast<CommitWork*>(ctx);
            if (committed != 0) {
                try {
                    self->work();
                } catch (const std::exception& e) {
                    self->handle.api->log(self->handle.host, ADMIT_LOG_ERROR, to_abi(e.what()));
                } catch (...) {
                    self->handle.api->log(self->handle.host, ADMIT_LOG_ERROR,
                                          to_abi("on_commit work threw"));
                }
            }
            delete self;
        }
    };

    HostHandle handle_;
    admit_tx* raw_;
};

/// The body of Database::transaction: return ok to commit, an Error to roll back.
using TxBody = std::function<Status(Tx&)>;

namespace detail {
struct TxCall {
    HostHandle handle;
    const TxBody* body;
    Status outcome;  ///< what the body returned or threw; wins over the host's message
};

inline admit_status run_tx_body(void* ctx, admit_tx* tx) noexcept {
    auto* call = static_cast<TxCall*>(ctx);
    try {
        Tx handle(call->handle, tx);
        call->outcome = (*call->body)(handle);
    } catch (const std::exception& e) {
        call->outcome = Status(Error::internal(e.what()));
    } catch (...) {
        call->outcome = Status(Error::internal("unknown exception in transaction"));
    }
    return call->outcome.status();
}
}  // namespace detail

/// PostgreSQL access of one plugin (statements outside a transaction run in autocommit).
class Database {
  public:
    explicit Database(HostHandle handle) noexcept : handle_(handle) {}

    template <class... Params>
    Result<Rows> exec(std::string_view sql, const Params&... params) {
        return detail::exec(handle_, nullptr, sql, {detail::to_param(params)...});
    }
    Result<Rows> exec_params(std::string_view sql, const std::vector<SqlParam>& params) {
        return detail::exec(handle_, nullptr, sql, params);
    }

    /// Runs `body` in one transaction: commit when it returns ok; rollback when it returns an
    /// Error (returned as is) or throws (ADMIT_E_INTERNAL with the exception's message).
    Status transaction(const TxBody& body) {
        detail::TxCall call{handle_, &body, {}};
        StringSink error;
        const admit_status status =
            handle_.api->db_transaction(handle_.host, &detail::run_tx_body, &call, error.get());
        if (!call.outcome.ok()) return call.outcome;
        return Status::from(status, error.take());
    }

    /// Registers migration `version` of this plugin's schema. [init]
    Status migration(uint32_t version, std::string_view name, std::string_view sql) {
        admit_migration_desc desc{};
        desc.size = sizeof desc;
        desc.version = version;
        desc.name = to_abi(name);
        desc.sql = to_abi(sql);
        StringSink error;
        return status_of(handle_.api->db_migration_register(handle_.host, &desc, error.get()),
                         error);
    }

  private:
    HostHandle handle_;
};

}  // namespace admit::sdk
