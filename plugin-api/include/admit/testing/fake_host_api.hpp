// The admit_host_api functions of FakeHost. Internal to admit/testing/fake_host.hpp.
// Every function keeps the ABI's promise: no exception leaves it.
#pragma once

#include <admit/sdk/json_fields.hpp>
#include <admit/testing/fake_host_class.hpp>
#include <admit/testing/fake_storage_api.hpp>

#include <cctype>

namespace admit::testing::detail {

using sdk::from_abi;
using sdk::to_abi;
using sdk::write_to;

struct FakeApi {
    using Slot = FakeHost::Slot;

    static FakeHost& fake(admit_host* host) { return *FakeHost::slot_of(host)->fake; }
    static Slot* slot(admit_host* host) { return FakeHost::slot_of(host); }

    /// [init] functions: ADMIT_E_STATE outside init, like the real host.
    /// The venue's roles and rate categories, as admitd checks them (see FakeHost::declare_access).
    static std::optional<std::string> access_problem(admit_host* host, admit_str roles,
                                                     admit_str rate_category) {
        const auto& access = fake(host).access_;
        if (!access) {  // undeclared: any syntactically valid role list and category
            return rules::roles_problem(from_abi(roles), rules::listed_roles(from_abi(roles)));
        }
        const std::string prefix = "route: ";
        if (auto problem = rules::roles_problem(from_abi(roles), access->roles))
            return prefix + *problem;
        if (auto problem =
                rules::rate_category_problem(from_abi(rate_category), access->rate_categories)) {
            return prefix + *problem;
        }
        return std::nullopt;
    }

    static admit_status not_in_init(admit_host* host, admit_sink* error) {
        if (slot(host)->initializing) return ADMIT_OK;
        write_to(error, "registration is only allowed during init");
        return ADMIT_E_STATE;
    }

    template <class Body>
    static admit_status guarded(admit_sink* error, Body&& body) noexcept {
        return sdk::barrier(error, std::forward<Body>(body));
    }

    static void config_json(admit_host* host, admit_sink* out) {
        try {
            const auto& configs = fake(host).configs_;
            const auto found = configs.find(slot(host)->name);
            write_to(out, found == configs.end() ? std::string("{}")
                                                 : boost::json::serialize(found->second));
        } catch (...) {
        }
    }

    static void log(admit_host* host, int32_t level, admit_str message) {
        try {
            fake(host).logs_.push_back(
                LogLine{slot(host)->name, level, std::string(from_abi(message))});
        } catch (...) {
        }
    }

    static int64_t now_us(admit_host* host) { return fake(host).now_us_; }

    static admit_status route_register(admit_host* host, const admit_route_desc* route,
                                       admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        return guarded(error, [&]() -> admit_status {
            if (route == nullptr || route->handler == nullptr || from_abi(route->path).empty() ||
                !rules::is_route_method(from_abi(route->method))) {
                write_to(error, "route needs a method, a path and a handler");
                return ADMIT_E_INVALID_ARGUMENT;
            }
            if (auto problem = access_problem(host, route->roles, route->rate_category)) {
                write_to(error, *problem);
                return ADMIT_E_INVALID_ARGUMENT;
            }
            RegisteredRoute info{slot(host)->name,
                                 std::string(from_abi(route->method)),
                                 std::string(from_abi(route->path)),
                                 std::string(from_abi(route->roles)),
                                 std::string(from_abi(route->rate_category)),
                                 std::string(from_abi(route->summary))};
            for (const auto& existing : fake(host).routes_) {
                if (existing.info.method == info.method && existing.info.path == info.path) {
                    write_to(error, "route " + info.method + " " + info.path +
                                        " is already registered by " + existing.info.plugin);
                    return ADMIT_E_CONFLICT;
                }
            }
            fake(host).routes_.push_back(
                FakeHost::Route{slot(host), std::move(info), route->handler, route->ctx});
            return ADMIT_OK;
        });
    }

    static admit_status stream_register(admit_host* host, const admit_stream_desc* stream,
                                        admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        return guarded(error, [&]() -> admit_status {
            if (auto problem = access_problem(host, stream->roles, {})) {
                write_to(error, *problem);
                return ADMIT_E_INVALID_ARGUMENT;
            }
            // As admitd: on_close only from a 1.3 descriptor, and only a 1.3 host calls it.
            const admit_stream_close_fn on_close =
                ADMIT_HAS_FIELD(stream, admit_stream_desc, on_close) &&
                        fake(host).api_.abi_minor >= 3
                    ? stream->on_close
                    : nullptr;
            fake(host).streams_.push_back(FakeHost::Stream{
                slot(host), std::string(from_abi(stream->path)),
                std::string(from_abi(stream->roles)), std::string(from_abi(stream->topic_template)),
                stream->on_open, on_close, stream->ctx});
            return ADMIT_OK;
        });
    }

    static void stream_publish(admit_host* host, const admit_stream_event* event) {
        if (event == nullptr) return;
        try {
            fake(host).stream_messages_.push_back(StreamMessage{
                slot(host)->name, std::string(from_abi(event->topic)),
                std::string(from_abi(event->event_name)), std::string(from_abi(event->data)),
                std::string(from_abi(event->id))});
        } catch (...) {
        }
    }

    static FakeResponse& response(admit_response* r) { return *reinterpret_cast<FakeResponse*>(r); }

    static void response_status(admit_response* r, int32_t status) { response(r).status = status; }
    static void response_header(admit_response* r, admit_str name, admit_str value) {
        try {
            response(r).headers.emplace_back(std::string(from_abi(name)),
                                             std::string(from_abi(value)));
        } catch (...) {
        }
    }
    static void response_body(admit_response* r, admit_str body, admit_str content_type) {
        try {
            response(r).body = std::string(from_abi(body));
            response(r).content_type = std::string(from_abi(content_type));
        } catch (...) {
        }
    }
    /// Copies the borrowed bytes and releases them at once (the real host releases after writing).
    static void response_body_borrowed(admit_response* r, admit_str body, admit_str content_type,
                                       void (*release)(void*), void* release_ctx) {
        response_body(r, body, content_type);
        response(r).borrowed = true;
        if (release != nullptr) release(release_ctx);
    }
    static void response_error(admit_response* r, int32_t status, admit_str code,
                               admit_str message) {
        try {
            response(r).status = status;
            response(r).content_type.clear();
            response(r).body =
                boost::json::serialize(boost::json::object{{"code", from_abi(code)},
                                                           {"message", from_abi(message)},
                                                           {"traceId", "fake-trace"}});
        } catch (...) {
        }
    }

    static admit_status authenticator_register(admit_host* host,
                                               const admit_authenticator_desc* desc,
                                               admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (desc == nullptr || desc->authenticate == nullptr) {
            write_to(error, "authenticator_register needs a descriptor with a function");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        admit_authenticate_fn fn = desc->authenticate;
        void* ctx = desc->ctx;
        if (fake(host).authenticator_) {
            write_to(error, "an authenticator is already registered by " +
                                fake(host).authenticator_->slot->name);
            return ADMIT_E_CONFLICT;
        }
        fake(host).authenticator_ = FakeHost::Authenticator{slot(host), fn, ctx};
        return ADMIT_OK;
    }

    /// Keeps the first role and the "tier" claim (what TestPrincipal holds).
    static admit_status principal_set(admit_principal_out* out, const admit_principal* principal) {
        if (out == nullptr || principal == nullptr) return ADMIT_E_INVALID_ARGUMENT;
        try {
            TestPrincipal result{std::string(from_abi(principal->subject)),
                                 {},
                                 "none",
                                 std::string(from_abi(principal->session))};
            if (principal->role_count > 0 && principal->roles != nullptr)
                result.role = from_abi(principal->roles[0]);
            for (uint32_t i = 0; i < principal->claim_count && principal->claims != nullptr; ++i) {
                if (from_abi(principal->claims[i].key) == "tier")
                    result.tier = from_abi(principal->claims[i].value);
            }
            *reinterpret_cast<TestPrincipal*>(out) = std::move(result);
            return ADMIT_OK;
        } catch (...) {
            return ADMIT_E_INTERNAL;
        }
    }

    static admit_status db_migration_register(admit_host* host,
                                              const admit_migration_desc* migration,
                                              admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (migration == nullptr || migration->version == 0) {
            write_to(error, "a migration needs a version >= 1 and SQL");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            fake(host).migrations_.push_back(RegisteredMigration{
                slot(host)->name, migration->version, std::string(from_abi(migration->name)),
                std::string(from_abi(migration->sql))});
            return ADMIT_OK;
        });
    }

    static admit_status event_publish(admit_host* host, admit_tx* tx, const admit_event_out* event,
                                      admit_sink* error) {
        if (event == nullptr) {
            write_to(error, "event_publish needs an event descriptor");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        const admit_str topic = event->topic;
        const admit_str key = event->key;
        const admit_str payload = event->payload;
        if (!rules::is_publish_topic(from_abi(topic))) {
            write_to(error, "event topic must be non-empty and contain no '*'");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        if (tx == nullptr) {
            write_to(error, "event_publish needs a transaction");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            auto& fake_host = fake(host);
            reinterpret_cast<FakeHost::Tx*>(tx)->events.push_back(PublishedEvent{
                slot(host)->name, fake_host.next_id("evt"), std::string(from_abi(topic)),
                std::string(from_abi(key)), std::string(from_abi(payload)), fake_host.now_us_});
            return ADMIT_OK;
        });
    }

    static admit_status event_subscribe(admit_host* host, const admit_subscription_desc* sub,
                                        admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (sub == nullptr || sub->handler == nullptr ||
            !rules::is_subscription_topic(from_abi(sub->topic)) ||
            !rules::is_local_name(from_abi(sub->subscriber))) {
            write_to(error,
                     "a subscription needs a handler, an exact or prefix* topic and a "
                     "subscriber name of [A-Za-z0-9_.-]");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        for (const auto& existing : fake(host).subscriptions_) {
            if (existing.slot == slot(host) && existing.subscriber == from_abi(sub->subscriber)) {
                write_to(error, "subscriber '" + existing.subscriber + "' registered twice");
                return ADMIT_E_CONFLICT;
            }
        }
        return guarded(error, [&]() -> admit_status {
            fake(host).subscriptions_.push_back(FakeHost::Subscription{
                slot(host), std::string(from_abi(sub->topic)),
                std::string(from_abi(sub->subscriber)), sub->handler, sub->ctx,
                ADMIT_HAS_FIELD(sub, admit_subscription_desc, flags) ? sub->flags : 0u});
            return ADMIT_OK;
        });
    }

    static admit_status service_register(admit_host* host, const admit_service_desc* desc,
                                         admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (desc == nullptr || desc->fn == nullptr) {
            write_to(error, "service_register needs a descriptor with a function");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        const admit_str method = desc->method;
        admit_service_fn fn = desc->fn;
        void* ctx = desc->ctx;
        if (auto problem = rules::service_method_problem(slot(host)->name, from_abi(method))) {
            write_to(error, *problem);
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            auto [it, inserted] = fake(host).services_.emplace(
                std::string(from_abi(method)), FakeHost::Service{slot(host), fn, ctx});
            if (!inserted) {
                write_to(error, "service " + it->first + " is already registered by " +
                                    it->second.slot->name);
                return ADMIT_E_CONFLICT;
            }
            return ADMIT_OK;
        });
    }

    static admit_status service_call(admit_host* host, admit_str method,
                                     const admit_principal* caller, admit_str input,
                                     admit_sink* output, admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            const auto& services = fake(host).services_;
            const auto found = services.find(std::string(from_abi(method)));
            if (found == services.end()) {
                // As admitd: a provider that is not loaded fails closed, never "not found".
                write_to(error, "no loaded plugin offers the service method " +
                                    std::string(from_abi(method)));
                return ADMIT_E_UNAVAILABLE;
            }
            return found->second.fn(found->second.ctx, caller, input, output, error);
        });
    }

    static admit_status policy_eval(admit_host* host, admit_str name, admit_str input,
                                    admit_sink* decision, admit_sink* revision, admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            const auto& policies = fake(host).policies_;
            const auto found = policies.find(std::string(from_abi(name)));
            if (found == policies.end()) {
                write_to(error, "no policy named " + std::string(from_abi(name)));
                return ADMIT_E_NOT_FOUND;
            }
            auto parsed = sdk::parse_json(from_abi(input), "policy input");
            if (!parsed) return sdk::report(parsed.error(), error);
            auto answer = found->second.decide(*parsed);
            if (!answer) return sdk::report(answer.error(), error);
            write_to(decision, boost::json::serialize(*answer));
            write_to(revision, found->second.revision);
            return ADMIT_OK;
        });
    }

    static admit_status job_register(admit_host* host, const admit_job_desc* job,
                                     admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (job == nullptr || job->run == nullptr || !rules::is_local_name(from_abi(job->name))) {
            write_to(error, "a job needs a name of [A-Za-z0-9_.-] and a function");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        for (const auto& existing : fake(host).jobs_) {
            if (existing.slot == slot(host) && existing.name == from_abi(job->name)) {
                write_to(error, "job '" + existing.name + "' registered twice");
                return ADMIT_E_CONFLICT;
            }
        }
        return guarded(error, [&]() -> admit_status {
            fake(host).jobs_.push_back(FakeHost::Job{slot(host), std::string(from_abi(job->name)),
                                                     job->interval_ms, job->run, job->ctx});
            return ADMIT_OK;
        });
    }

    static admit_status job_enqueue(admit_host* host, admit_tx* tx, admit_str name,
                                    int64_t run_at_us, admit_str payload, admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            EnqueuedJob job{slot(host)->name, std::string(from_abi(name)), run_at_us,
                            std::string(from_abi(payload)), tx != nullptr};
            if (tx != nullptr)
                reinterpret_cast<FakeHost::Tx*>(tx)->jobs.push_back(std::move(job));
            else
                fake(host).enqueued_jobs_.push_back(std::move(job));
            return ADMIT_OK;
        });
    }

    static admit_status metric_register(admit_host* host, const admit_metric_desc* desc,
                                        admit_metric** out, admit_sink* error) {
        if (auto s = not_in_init(host, error)) return s;
        if (desc == nullptr || out == nullptr || desc->kind > ADMIT_METRIC_HISTOGRAM) {
            write_to(
                error,
                "metric_register needs a metric descriptor of a known kind and an output handle");
            return ADMIT_E_INVALID_ARGUMENT;
        }
        return guarded(error, [&]() -> admit_status {
            auto& metrics = fake(host).metrics_;
            metrics.push_back(std::make_unique<FakeHost::Metric>(
                FakeHost::Metric{slot(host), desc->kind, std::string(from_abi(desc->name)),
                                 std::string(from_abi(desc->labels))}));
            *out = reinterpret_cast<admit_metric*>(metrics.back().get());
            return ADMIT_OK;
        });
    }

    static void metric_record(admit_metric* raw, double value) {
        auto* metric = reinterpret_cast<FakeHost::Metric*>(raw);
        ++metric->observations;
        if (metric->kind == ADMIT_METRIC_GAUGE)
            metric->value = value;
        else
            metric->value += value;
    }

    /// Records the request and answers it with the test's HttpFn (default: not sent).
    static admit_status http_request(admit_host* host, const admit_http_request* request,
                                     admit_http_response_fn on_response, void* response_ctx,
                                     admit_sink* error) {
        return guarded(error, [&]() -> admit_status {
            if (request == nullptr || on_response == nullptr ||
                !ADMIT_HAS_FIELD(request, admit_http_request, max_attempts)) {
                write_to(error, "http_request needs a request and a response callback");
                return ADMIT_E_INVALID_ARGUMENT;
            }
            const std::string url(from_abi(request->url));
            if (!(url.starts_with("http://") || url.starts_with("https://"))) {
                write_to(error, "not an absolute http(s) URL: " + url);
                return ADMIT_E_INVALID_ARGUMENT;
            }
            HttpCall call{slot(host)->name,
                          std::string(from_abi(request->method)),
                          url,
                          {},
                          std::string(from_abi(request->body)),
                          request->connect_timeout_ms,
                          request->read_timeout_ms,
                          request->max_attempts};
            for (uint32_t i = 0; i < request->header_count; ++i) {
                call.headers.emplace_back(from_abi(request->headers[i].key),
                                          from_abi(request->headers[i].value));
            }
            auto& fake = FakeApi::fake(host);
            fake.http_calls_.push_back(call);
            if (!fake.http_) {
                write_to(error, "no upstream answers in this test (FakeHost::set_http)");
                return ADMIT_E_UNAVAILABLE;
            }
            auto answer = fake.http_(call);
            if (!answer) return sdk::report(answer.error(), error);
            std::vector<std::pair<std::string, std::string>> lower = answer->headers;
            std::vector<admit_kv> headers;
            for (auto& [name, value] : lower) {
                for (auto& c : name)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                headers.push_back(admit_kv{to_abi(name), to_abi(value)});
            }
            admit_http_response response{};
            response.size = sizeof response;
            response.status = answer->status;
            response.headers = headers.data();
            response.header_count = static_cast<uint32_t>(headers.size());
            response.body = to_abi(answer->body);
            response.attempts = 1;
            response.latency_ms = 0;
            on_response(response_ctx, &response);
            return ADMIT_OK;
        });
    }

    static admit_host_api table() {
        admit_host_api api{};
        api.size = sizeof api;
        api.abi_major = ADMIT_ABI_MAJOR;
        api.abi_minor = ADMIT_ABI_MINOR;
        api.config_json = &config_json;
        api.log = &log;
        api.now_us = &now_us;
        api.route_register = &route_register;
        api.stream_register = &stream_register;
        api.stream_publish = &stream_publish;
        api.response_status = &response_status;
        api.response_header = &response_header;
        api.response_body = &response_body;
        api.response_body_borrowed = &response_body_borrowed;
        api.response_error = &response_error;
        api.authenticator_register = &authenticator_register;
        api.principal_set = &principal_set;
        api.db_migration_register = &db_migration_register;
        api.db_exec = &FakeStorageApi::db_exec;
        api.db_transaction = &FakeStorageApi::db_transaction;
        api.tx_on_commit = &FakeStorageApi::tx_on_commit;
        api.tx_before_commit = &FakeStorageApi::tx_before_commit;
        api.redis_command = &FakeStorageApi::redis_command;
        api.redis_script_register = &FakeStorageApi::redis_script_register;
        api.redis_script_eval = &FakeStorageApi::redis_script_eval;
        api.event_publish = &event_publish;
        api.event_subscribe = &event_subscribe;
        api.service_register = &service_register;
        api.service_call = &service_call;
        api.policy_eval = &policy_eval;
        api.job_register = &job_register;
        api.job_enqueue = &job_enqueue;
        api.metric_register = &metric_register;
        api.metric_record = &metric_record;
        api.http_request = &http_request;
        return api;
    }
};

}  // namespace admit::testing::detail
