// admit_host_api: PostgreSQL (migrations, statements, transactions) and Redis (commands, scripts).
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "host/abi/abi_barrier.hpp"
#include "host/abi/abi_handles.hpp"
#include "host/abi/api_support.hpp"
#include "host/store/pg_transaction.hpp"
#include "host/store/redis_pool.hpp"
#include "host/store/redis_scripts.hpp"
#include "host/store/sql_exec.hpp"

#include <spdlog/spdlog.h>

namespace admit::runtime::api {
namespace {

// Adapts the store's RowSink to the plugin's visitor; reuses its buffers across rows.
class VisitorSink final : public store::RowSink {
  public:
    explicit VisitorSink(const admit_row_visitor* visitor) : visitor_(visitor) {}
    void on_columns(std::span<const std::string_view> names) override {
        buffer_.clear();
        for (auto n : names) buffer_.push_back(to_abi(n));
        if (visitor_->on_columns != nullptr) {
            visitor_->on_columns(visitor_->ctx, buffer_.data(),
                                 static_cast<uint32_t>(buffer_.size()));
        }
    }
    void on_row(std::span<const std::optional<std::string_view>> values) override {
        buffer_.clear();
        for (const auto& v : values) {
            buffer_.push_back(v ? admit_str{v->data() != nullptr ? v->data() : "", v->size()}
                                : admit_str{nullptr, 0});
        }
        if (visitor_->on_row != nullptr) {
            visitor_->on_row(visitor_->ctx, buffer_.data(), static_cast<uint32_t>(buffer_.size()));
        }
    }

  private:
    const admit_row_visitor* visitor_;
    std::vector<admit_str> buffer_;
};

std::vector<std::optional<std::string>> copy_params(const admit_str* params, uint32_t count) {
    std::vector<std::optional<std::string>> out;
    out.reserve(count);
    for (uint32_t i = 0; i < count; ++i) {
        if (params[i].ptr == nullptr) {
            out.emplace_back(std::nullopt);
        } else {
            out.emplace_back(std::string(params[i].ptr, params[i].len));
        }
    }
    return out;
}

// A PostgreSQL failure as a plugin sees it: the kind, never the server's text. Constraint names,
// "Key (email)=(...)" and statement fragments go to the host log (with the request's trace id)
// and stop here, so a plugin that hands an error message to its client cannot leak them.
admit_status fail_database(admit_sink* error, const Error& e) {
    std::string summary;
    switch (e.code) {
        case ErrorCode::CONFLICT:
            summary = "the database refused a conflicting change; retry or re-read";
            spdlog::debug("PostgreSQL refused a statement ({}): {}", name(e.code), e.message);
            break;
        case ErrorCode::CONSTRAINT:
            summary = "the database refused a change that breaks a rule of its data";
            spdlog::info("PostgreSQL refused a statement ({}): {}", name(e.code), e.message);
            break;
        case ErrorCode::TIMEOUT:
            summary = "the database did not answer in time";
            spdlog::warn("PostgreSQL statement timed out: {}", e.message);
            break;
        case ErrorCode::DEPENDENCY_UNAVAILABLE:
        case ErrorCode::POOL_EXHAUSTED:
            summary = "the database is unavailable";
            spdlog::warn("PostgreSQL unavailable: {}", e.message);
            break;
        default:
            summary = "the database refused the statement";
            spdlog::error("PostgreSQL error ({}): {}", name(e.code), e.message);
            break;
    }
    return fail(error, Error{e.code, std::move(summary)});
}

admit_status db_migration_register(admit_host* host, const admit_migration_desc* migration,
                                   admit_sink* error) {
    if (!check_registering(host, error, "db_migration_register")) return ADMIT_E_STATE;
    if (migration == nullptr || !ADMIT_HAS_FIELD(migration, admit_migration_desc, sql) ||
        migration->version == 0 || view(migration->sql).empty()) {
        write_to(error, "a migration needs a version >= 1 and SQL");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.migrations.push_back({migration->version,
                                                 std::string(view(migration->name)),
                                                 std::string(view(migration->sql))});
    return ADMIT_OK;
}

admit_status db_exec(admit_host* host, admit_tx* tx, admit_str sql, const admit_str* params,
                     uint32_t param_count, const admit_row_visitor* rows, uint64_t* affected,
                     admit_sink* error) {
    auto* pool = configured(runtime_of(host).services().pg, error, "PostgreSQL");
    if (pool == nullptr) return ADMIT_E_UNSUPPORTED;
    if (param_count > 0 && params == nullptr) {
        write_to(error, "param_count set without params");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    auto values = copy_params(params, param_count);
    std::optional<VisitorSink> sink;
    if (rows != nullptr) sink.emplace(rows);
    std::string text(view(sql));
    auto result = tx != nullptr ? store::execute(*tx->tx, text, values, sink ? &*sink : nullptr)
                                : store::execute(*pool, text, values, sink ? &*sink : nullptr);
    if (!result) return fail_database(error, result.error());
    if (affected != nullptr) *affected = result->affected_rows;
    return ADMIT_OK;
}

admit_status db_transaction(admit_host* host, admit_tx_fn fn, void* ctx, admit_sink* error) {
    auto* pool = configured(runtime_of(host).services().pg, error, "PostgreSQL");
    if (pool == nullptr) return ADMIT_E_UNSUPPORTED;
    admit_status body_status = ADMIT_OK;
    std::vector<events::EventBus::Outgoing> deferred;
    admit_status before_commit_status = ADMIT_OK;
    std::string before_commit_error;
    store::CommitHooks hooks;
    auto result = store::run_transaction(*pool, [&](pqxx::work& work) -> Status {
        deferred.clear();  // a retried body publishes again
        hooks.reset();
        before_commit_status = ADMIT_OK;
        admit_tx tx{&work, host, &deferred, &hooks, &before_commit_status};
        body_status = fn(ctx, &tx);
        if (body_status != ADMIT_OK)
            return Error{ErrorCode::ABORTED, "the transaction body failed"};
        if (auto s = hooks.before_commit.run(); !s) {
            before_commit_error = s.error().message;
            return s.error();
        }
        if (deferred.empty()) return {};
        // Non-empty only when event_publish found the outbox configured.
        return runtime_of(host).services().events->publish_many(work, deferred);
    });
    // The connection is back in the pool: on_commit work runs outside any transaction.
    hooks.after_commit.run(body_status == ADMIT_OK && result.ok());
    if (body_status != ADMIT_OK) return body_status;  // the body already explained itself
    if (before_commit_status != ADMIT_OK) {           // so did the before-commit work
        write_to(error, before_commit_error);
        return before_commit_status;
    }
    if (!result) return fail_database(error, result.error());
    return ADMIT_OK;
}

admit_status tx_on_commit(admit_tx* tx, admit_commit_fn fn, void* ctx, admit_sink* error) {
    if (tx == nullptr || fn == nullptr) {
        write_to(error, "tx_on_commit needs a transaction and a function");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (tx->hooks == nullptr) {
        write_to(error, "this transaction takes no on_commit work");
        return ADMIT_E_STATE;
    }
    tx->hooks->after_commit.add([fn, ctx](bool committed) { fn(ctx, committed ? 1 : 0); });
    return ADMIT_OK;
}

admit_status tx_before_commit(admit_tx* tx, admit_tx_fn fn, void* ctx, admit_sink* error) {
    if (tx == nullptr || fn == nullptr) {
        write_to(error, "tx_before_commit needs a transaction and a function");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    if (tx->hooks == nullptr) {
        write_to(error, "this transaction takes no before-commit work");
        return ADMIT_E_STATE;
    }
    // The work gets a handle of its own for the same transaction: the registering call's handle
    // is gone by the time it runs.
    tx->hooks->before_commit.add([fn, ctx, handle = *tx]() mutable -> Status {
        const admit_status status = fn(ctx, &handle);
        if (status == ADMIT_OK) return {};
        if (handle.before_commit_status != nullptr) *handle.before_commit_status = status;
        return Error{ErrorCode::HANDLER_FAILED, "before-commit work failed with status " +
                                                    std::to_string(static_cast<int>(status))};
    });
    return ADMIT_OK;
}

// Converts the store's owning reply tree into the ABI view tree (valid during the callback).
void deliver_reply(const store::RedisReply& reply, admit_redis_reply_fn fn, void* ctx) {
    // Elements are arrays of pointers (abi.h: arrays of size-prefixed structs never cross by
    // value); `nodes` owns every element, `arrays` the pointer arrays. std::deque keeps addresses.
    struct Builder {
        std::deque<admit_redis_reply> nodes;
        std::deque<std::vector<const admit_redis_reply*>> arrays;
        admit_redis_reply build(const store::RedisReply& r) {
            admit_redis_reply out{};
            out.size = sizeof(admit_redis_reply);
            switch (r.type) {
                case store::RedisReply::Type::Nil:
                    out.type = ADMIT_REDIS_NIL;
                    break;
                case store::RedisReply::Type::String:
                case store::RedisReply::Type::Status:
                    out.type = ADMIT_REDIS_STRING;
                    out.str = to_abi(r.str);
                    break;
                case store::RedisReply::Type::Integer:
                    out.type = ADMIT_REDIS_INTEGER;
                    out.integer = r.integer;
                    break;
                case store::RedisReply::Type::Error:
                    out.type = ADMIT_REDIS_ERROR;
                    out.str = to_abi(r.str);
                    break;
                case store::RedisReply::Type::Array: {
                    out.type = ADMIT_REDIS_ARRAY;
                    std::vector<const admit_redis_reply*> elements;
                    elements.reserve(r.elements.size());
                    for (const auto& e : r.elements) {
                        nodes.push_back(build(e));
                        elements.push_back(&nodes.back());
                    }
                    arrays.push_back(std::move(elements));
                    out.elements = arrays.back().data();
                    out.element_count = static_cast<uint32_t>(arrays.back().size());
                    break;
                }
            }
            return out;
        }
    } builder;
    admit_redis_reply root = builder.build(reply);
    if (fn != nullptr) fn(ctx, &root);
}

admit_status redis_command(admit_host* host, const admit_str* argv, uint32_t argc,
                           admit_redis_reply_fn reply, void* reply_ctx, admit_sink* error) {
    auto* pool = configured(runtime_of(host).services().redis, error, "Redis");
    if (pool == nullptr) return ADMIT_E_UNSUPPORTED;
    if (argc == 0 || argv == nullptr) {
        write_to(error, "redis_command needs at least one argument");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    std::vector<std::string_view> args;
    args.reserve(argc);
    for (uint32_t i = 0; i < argc; ++i) args.push_back(view(argv[i]));
    auto result = pool->command(args);
    if (!result) return fail(error, result.error());
    deliver_reply(result.value(), reply, reply_ctx);
    return ADMIT_OK;
}

std::string script_name(admit_host* host, admit_str name) {
    return plugin_of(host).name + "/" + std::string(view(name));
}

admit_status redis_script_register(admit_host* host, const admit_redis_script_desc* script,
                                   admit_sink* error) {
    if (!check_registering(host, error, "redis_script_register")) return ADMIT_E_STATE;
    if (script == nullptr || !ADMIT_HAS_FIELD(script, admit_redis_script_desc, source) ||
        view(script->name).empty() || view(script->source).empty()) {
        write_to(error, "a Redis script needs a name and a source");
        return ADMIT_E_INVALID_ARGUMENT;
    }
    plugin_of(host).staged.scripts.push_back(
        {script_name(host, script->name), std::string(view(script->source))});
    return ADMIT_OK;
}

admit_status redis_script_eval(admit_host* host, admit_str name, const admit_str* keys,
                               uint32_t key_count, const admit_str* args, uint32_t arg_count,
                               admit_redis_reply_fn reply, void* reply_ctx, admit_sink* error) {
    auto* scripts = configured(runtime_of(host).services().scripts, error, "Redis");
    if (scripts == nullptr) return ADMIT_E_UNSUPPORTED;
    std::vector<std::string_view> key_views, arg_views;
    key_views.reserve(key_count);
    arg_views.reserve(arg_count);
    for (uint32_t i = 0; i < key_count; ++i) key_views.push_back(view(keys[i]));
    for (uint32_t i = 0; i < arg_count; ++i) arg_views.push_back(view(args[i]));
    auto result = scripts->eval(script_name(host, name), key_views, arg_views);
    if (!result) return fail(error, result.error());
    deliver_reply(result.value(), reply, reply_ctx);
    return ADMIT_OK;
}

}  // namespace

void fill_data(admit_host_api& api) {
    api.db_migration_register = guarded<&db_migration_register>;
    api.db_exec = guarded<&db_exec>;
    api.db_transaction = guarded<&db_transaction>;
    api.tx_on_commit = guarded<&tx_on_commit>;
    api.tx_before_commit = guarded<&tx_before_commit>;
    api.redis_command = guarded<&redis_command>;
    api.redis_script_register = guarded<&redis_script_register>;
    api.redis_script_eval = guarded<&redis_script_eval>;
}

}  // namespace admit::runtime::api
