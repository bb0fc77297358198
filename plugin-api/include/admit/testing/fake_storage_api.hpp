// The PostgreSQL and Redis functions of FakeHost's admit_host_api: answered by the functions the
// test installed (FakeHost::set_db / set_redis), ADMIT_E_UNSUPPORTED otherwise. Transactions are
// real in one respect: events and jobs they publish/enqueue take effect only on commit.
// Internal to admit/testing/fake_host.hpp.
#pragma once

#include <admit/sdk/json_fields.hpp>
#include <admit/testing/fake_host_class.hpp>

#include <deque>
#include <vector>

namespace admit::testing::detail {

struct FakeStorageApi {
    static FakeHost& fake(admit_host* host) { return *FakeHost::slot_of(host)->fake; }
    static FakeHost::Slot* slot(admit_host* host) { return FakeHost::slot_of(host); }

    template <class Body>
    static admit_status guarded(admit_sink* error, Body&& body) noexcept {
        return sdk::barrier(error, std::forward<Body>(body));
    }

    static admit_status not_in_init(admit_host* host, admit_sink* error) {
        if (slot(host)->initializing) return ADMIT_OK;
        sdk::write_to(error, "registration is only allowed during init");
        return ADMIT_E_STATE;
    }

    static admit_status db_exec(admit_host* host, admit_tx* tx, admit_str sql,
                                const admit_str* params, uint32_t param_count,
                                const admit_row_visitor* rows, uint64_t* affected,
                                admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            auto& answer = fake(host).db_;
            if (!answer) {
                sdk::write_to(error, "FakeHost: no database answerer installed (set_db)");
                return ADMIT_E_UNSUPPORTED;
            }
            DbCall call{slot(host)->name, std::string(sdk::from_abi(sql)), {}, tx != nullptr};
            for (uint32_t i = 0; i < param_count; ++i) {
                if (params[i].ptr == nullptr)
                    call.params.emplace_back(std::nullopt);
                else
                    call.params.emplace_back(std::string(sdk::from_abi(params[i])));
            }
            auto result = answer(call);
            if (!result) return sdk::report(result.error(), error);
            if (affected != nullptr) *affected = result->affected;
            if (rows != nullptr) {
                std::vector<admit_str> cells;
                for (const auto& name : result->columns) cells.push_back(sdk::to_abi(name));
                if (rows->on_columns)
                    rows->on_columns(rows->ctx, cells.data(), static_cast<uint32_t>(cells.size()));
                for (const auto& row : result->values) {
                    cells.clear();
                    for (const auto& v : row)
                        cells.push_back(v ? sdk::to_abi(*v) : admit_str{nullptr, 0});
                    if (rows->on_row)
                        rows->on_row(rows->ctx, cells.data(), static_cast<uint32_t>(cells.size()));
                }
            }
            return ADMIT_OK;
        });
    }

    static admit_status db_transaction(admit_host* host, admit_tx_fn fn, void* ctx,
                                       admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            FakeHost::Tx tx{slot(host), {}, {}};
            admit_status status = fn(ctx, reinterpret_cast<admit_tx*>(&tx));
            if (status == ADMIT_OK) status = tx.run_before_commit();
            if (status != ADMIT_OK) {
                tx.finish(false);
                sdk::write_to(error, "transaction rolled back");
                return status;
            }
            fake(host).commit(tx);
            tx.finish(true);
            return ADMIT_OK;
        });
    }

    static admit_status tx_on_commit(admit_tx* tx, admit_commit_fn fn, void* ctx,
                                     admit_sink* error) {
        if (tx == nullptr || fn == nullptr) {
            sdk::write_to(error, "tx_on_commit needs a transaction and a function");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            reinterpret_cast<FakeHost::Tx*>(tx)->on_commit.emplace_back(fn, ctx);
            return ADMIT_OK;
        });
    }

    static admit_status tx_before_commit(admit_tx* tx, admit_tx_fn fn, void* ctx,
                                         admit_sink* error) {
        if (tx == nullptr || fn == nullptr) {
            sdk::write_to(error, "tx_before_commit needs a transaction and a function");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            reinterpret_cast<FakeHost::Tx*>(tx)->before_commit.emplace_back(fn, ctx);
            return ADMIT_OK;
        });
    }

    /// Converts an owned reply into the borrowed tree the ABI hands out (storage kept by `nodes`).
    /// Storage of a borrowed reply tree: nodes and the pointer arrays (deques keep addresses).
    struct RawReplyTree {
        std::deque<admit_redis_reply> nodes;
        std::deque<std::vector<const admit_redis_reply*>> arrays;
    };

    static admit_redis_reply to_raw(const sdk::RedisReply& reply, RawReplyTree& tree) {
        admit_redis_reply raw{sizeof(admit_redis_reply),
                              static_cast<int32_t>(reply.type),
                              reply.integer,
                              sdk::to_abi(reply.str),
                              nullptr,
                              0};
        if (!reply.elements.empty()) {
            std::vector<const admit_redis_reply*> children;
            for (const auto& element : reply.elements) {
                tree.nodes.push_back(to_raw(element, tree));
                children.push_back(&tree.nodes.back());
            }
            auto& stored = tree.arrays.emplace_back(std::move(children));
            raw.elements = stored.data();
            raw.element_count = static_cast<uint32_t>(stored.size());
        }
        return raw;
    }

    static admit_status answer_redis(admit_host* host, const std::vector<std::string>& argv,
                                     admit_redis_reply_fn reply, void* reply_ctx,
                                     admit_sink* error) {
        auto& answer = fake(host).redis_;
        if (!answer) {
            sdk::write_to(error, "FakeHost: no redis answerer installed (set_redis)");
            return ADMIT_E_UNSUPPORTED;
        }
        auto result = answer(argv);
        if (!result) return sdk::report(result.error(), error);
        RawReplyTree tree;
        const admit_redis_reply raw = to_raw(*result, tree);
        if (reply != nullptr) reply(reply_ctx, &raw);
        return ADMIT_OK;
    }

    static admit_status redis_command(admit_host* host, const admit_str* argv, uint32_t argc,
                                      admit_redis_reply_fn reply, void* reply_ctx,
                                      admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            std::vector<std::string> args;
            for (uint32_t i = 0; i < argc; ++i) args.emplace_back(sdk::from_abi(argv[i]));
            return answer_redis(host, args, reply, reply_ctx, error);
        });
    }

    static admit_status redis_script_register(admit_host* host,
                                              const admit_redis_script_desc* script,
                                              admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (script == nullptr || sdk::from_abi(script->name).empty() ||
            sdk::from_abi(script->source).empty()) {
            sdk::write_to(error, "a Redis script needs a name and a source");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            fake(host).scripts_.push_back(
                FakeHost::Script{slot(host), std::string(sdk::from_abi(script->name))});
            return ADMIT_OK;
        });
    }

    static admit_status redis_script_eval(admit_host* host, admit_str name, const admit_str* keys,
                                          uint32_t key_count, const admit_str* args,
                                          uint32_t arg_count, admit_redis_reply_fn reply,
                                          void* reply_ctx, admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            const std::string script(sdk::from_abi(name));
            const auto& scripts = fake(host).scripts_;
            const bool known =
                std::any_of(scripts.begin(), scripts.end(), [&](const FakeHost::Script& s) {
                    return s.slot == slot(host) && s.name == script;
                });
            if (!known) {
                sdk::write_to(error, "no script named " + script);
                return ADMIT_E_NOT_FOUND;
            }
            std::vector<std::string> argv{"EVAL", script, std::to_string(key_count)};
            for (uint32_t i = 0; i < key_count; ++i) argv.emplace_back(sdk::from_abi(keys[i]));
            for (uint32_t i = 0; i < arg_count; ++i) argv.emplace_back(sdk::from_abi(args[i]));
            return answer_redis(host, argv, reply, reply_ctx, error);
        });
    }
};

}  // namespace admit::testing::detail
