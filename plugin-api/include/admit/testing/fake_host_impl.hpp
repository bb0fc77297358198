// Member functions of FakeHost. Internal to admit/testing/fake_host.hpp.
#pragma once

#include <admit/testing/fake_host_api.hpp>
#include <admit/testing/fake_host_class.hpp>

#include <dlfcn.h>
#include <cctype>

namespace admit::testing {

inline FakeHost::FakeHost() : api_(detail::FakeApi::table()) {}

inline void FakeHost::emulate_abi_1_0() {
    api_.size = static_cast<uint32_t>(offsetof(admit_host_api, http_request));
    api_.abi_minor = 0;
    api_.http_request = nullptr;
}

inline FakeHost::~FakeHost() {
    stop_all();
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) destroy(**it);
    slots_.clear();
    for (auto it = libraries_.rbegin(); it != libraries_.rend(); ++it) dlclose(*it);
}

inline sdk::Status FakeHost::load(const admit_plugin_descriptor* d) {
    if (d == nullptr) return sdk::Error::invalid("no plugin descriptor");
    if (d->size < sizeof(admit_plugin_descriptor) || d->name == nullptr || d->init == nullptr ||
        d->destroy == nullptr) {
        return sdk::Error::invalid("malformed plugin descriptor");
    }
    if (d->abi_major != ADMIT_ABI_MAJOR || d->abi_minor > api_.abi_minor) {
        return sdk::Error::unsupported(
            "plugin " + std::string(d->name) + " needs ABI " + std::to_string(d->abi_major) + "." +
            std::to_string(d->abi_minor) + ", host offers " + std::to_string(ADMIT_ABI_MAJOR) +
            "." + std::to_string(api_.abi_minor));
    }
    for (const auto& loaded : slots_) {
        if (loaded->name == d->name)
            return sdk::Error::conflict("plugin " + loaded->name + " is already loaded");
    }
    auto slot = std::make_unique<Slot>();
    slot->fake = this;
    slot->name = d->name;
    slot->descriptor = d;
    slot->initializing = true;
    sdk::StringSink error;
    const admit_status status = d->init(&api_, host_of(slot.get()), &slot->instance, error.get());
    slot->initializing = false;
    if (status != ADMIT_OK) {
        roll_back_registrations(slot.get());
        destroy(*slot);
        return sdk::Status::from(status,
                                 "init of plugin " + slot->name + " failed: " + error.take());
    }
    slots_.push_back(std::move(slot));
    return {};
}

inline sdk::Status FakeHost::load_library(const std::string& path) {
    void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        const char* reason = dlerror();
        return sdk::Error::not_found("cannot load " + path + ": " +
                                     (reason ? reason : "unknown reason"));
    }
    libraries_.push_back(library);
    auto entry = reinterpret_cast<admit_plugin_entry_fn>(dlsym(library, ADMIT_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr)
        return sdk::Error::not_found(path + " has no symbol " ADMIT_PLUGIN_ENTRY_SYMBOL);
    return load(entry);
}

inline sdk::Status FakeHost::start_all() {
    for (auto& slot : slots_) {
        if (slot->started) continue;
        sdk::StringSink error;
        const admit_status status = slot->descriptor->start(slot->instance, error.get());
        if (status != ADMIT_OK)
            return sdk::Status::from(status,
                                     "start of plugin " + slot->name + " failed: " + error.take());
        slot->started = true;
    }
    return {};
}

inline void FakeHost::stop_all() {
    auto open = std::move(open_streams_);
    open_streams_.clear();
    for (const auto& stream : open) report_close(stream);
    for (auto it = slots_.rbegin(); it != slots_.rend(); ++it) {
        if ((*it)->started) {
            (*it)->descriptor->stop((*it)->instance);
            (*it)->started = false;
        }
    }
}

inline sdk::Status FakeHost::health(const std::string& plugin, std::string* detail) {
    for (auto& slot : slots_) {
        if (slot->name != plugin) continue;
        if (slot->descriptor->health == nullptr) return {};
        sdk::StringSink text;
        const admit_status status = slot->descriptor->health(slot->instance, text.get());
        if (detail != nullptr) *detail = text.text();
        return sdk::Status::from(status, text.take());
    }
    return sdk::Error::not_found("no plugin " + plugin);
}

inline void FakeHost::destroy(Slot& slot) {
    slot.descriptor->destroy(slot.instance);
    slot.instance = nullptr;
}

inline void FakeHost::roll_back_registrations(Slot* slot) {
    auto owned = [slot](const auto& item) { return item.slot == slot; };
    std::erase_if(routes_, owned);
    std::erase_if(streams_, owned);
    std::erase_if(open_streams_, owned);
    std::erase_if(subscriptions_, owned);
    std::erase_if(jobs_, owned);
    std::erase_if(scripts_, owned);
    std::erase_if(metrics_, [slot](const auto& m) { return m->slot == slot; });
    std::erase_if(services_, [slot](const auto& entry) { return entry.second.slot == slot; });
    std::erase_if(migrations_,
                  [slot](const RegisteredMigration& m) { return m.plugin == slot->name; });
    if (authenticator_ && authenticator_->slot == slot) authenticator_.reset();
}

inline FakeResponse FakeHost::request(std::string_view method, std::string_view target,
                                      std::string_view body, const TestPrincipal& principal,
                                      const Headers& headers) {
    const auto question = target.find('?');
    const std::string path(target.substr(0, question));
    const std::string query(question == std::string_view::npos ? std::string_view{}
                                                               : target.substr(question + 1));

    auto error_response = [](int status, std::string code, std::string message) {
        FakeResponse r;
        r.status = status;
        r.body = boost::json::serialize(
            boost::json::object{{"code", code}, {"message", message}, {"traceId", "fake-trace"}});
        return r;
    };

    const Route* best = nullptr;
    std::optional<detail::TemplateMatch> best_match;
    bool path_known = false;
    for (const auto& route : routes_) {
        auto match = detail::match_template(route.info.path, path);
        if (!match) continue;
        path_known = true;
        if (route.info.method != method) continue;
        if (!best || match->literal_segments > best_match->literal_segments) {
            best = &route;
            best_match = std::move(match);
        }
    }
    if (best == nullptr) {
        return path_known ? error_response(405, "METHOD_NOT_ALLOWED", "method not allowed")
                          : error_response(404, "NOT_FOUND", "no route for " + path);
    }
    if (int refusal = detail::role_refusal(best->info.roles, principal.subject, principal.role)) {
        return refusal == 401 ? error_response(401, "UNAUTHENTICATED", "authentication required")
                              : error_response(403, "FORBIDDEN", "role not allowed");
    }

    std::vector<admit_kv> params;
    for (const auto& [key, value] : best_match->params)
        params.push_back({sdk::to_abi(key), sdk::to_abi(value)});
    std::vector<std::pair<std::string, std::string>> lowered;
    std::string idempotency_key;
    for (const auto& [key, value] : headers) {
        std::string name = key;
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name == "idempotency-key") idempotency_key = value;
        lowered.emplace_back(std::move(name), value);
    }
    std::vector<admit_kv> header_kvs;
    for (const auto& [key, value] : lowered)
        header_kvs.push_back({sdk::to_abi(key), sdk::to_abi(value)});
    const TestPrincipal::Raw raw_principal(principal);
    const std::string trace_id = next_id("trace");

    admit_request request{};
    request.size = sizeof request;
    request.method = sdk::to_abi(method);
    request.path = sdk::to_abi(path);
    request.query = sdk::to_abi(query);
    request.body = sdk::to_abi(body);
    request.params = params.data();
    request.param_count = static_cast<uint32_t>(params.size());
    request.headers = header_kvs.data();
    request.header_count = static_cast<uint32_t>(header_kvs.size());
    request.trace_id = sdk::to_abi(trace_id);
    request.remote_addr = sdk::to_abi("127.0.0.1");
    request.principal = &raw_principal.principal;
    request.idempotency_key = sdk::to_abi(idempotency_key);

    FakeResponse response;
    const admit_status status =
        best->handler(best->ctx, &request, reinterpret_cast<admit_response*>(&response));
    if (status != ADMIT_OK && response.status == 0) {
        response = error_response(500, "INTERNAL", "internal error");
    }
    response.handler_status = status;
    if (response.status == 0) response.status = 200;
    return response;
}

inline sdk::Result<boost::json::value> FakeHost::call(std::string_view method,
                                                      const boost::json::value& input,
                                                      const TestPrincipal* caller) {
    const auto found = services_.find(std::string(method));
    if (found == services_.end())
        return sdk::Error::not_found("no service method " + std::string(method));
    const std::string text = boost::json::serialize(input);
    std::optional<TestPrincipal::Raw> raw;
    if (caller != nullptr) raw.emplace(*caller);
    sdk::StringSink output;
    sdk::StringSink error;
    const admit_status status = found->second.fn(found->second.ctx, raw ? &raw->principal : nullptr,
                                                 sdk::to_abi(text), output.get(), error.get());
    if (status != ADMIT_OK) return sdk::Status::from(status, error.take()).error();
    if (output.text().empty()) return boost::json::value{};
    return sdk::parse_json(output.text(), "service output");
}

inline sdk::Result<TestPrincipal> FakeHost::authenticate(std::string_view token) {
    if (!authenticator_) return sdk::Error::not_found("no authenticator registered");
    TestPrincipal principal;
    const admit_status status =
        authenticator_->fn(authenticator_->ctx, sdk::to_abi(token),
                           reinterpret_cast<admit_principal_out*>(&principal));
    if (status != ADMIT_OK)
        return sdk::Status::from(status, "authenticator refused the token").error();
    return principal;
}

inline void FakeHost::commit(Tx& tx) {
    for (auto& job : tx.jobs) enqueued_jobs_.push_back(std::move(job));
    for (auto& event : tx.events) {
        committed_events_.push_back(event);
        pending_events_.push_back(std::move(event));
    }
    deliver_pending();
}

inline void FakeHost::deliver_pending() {
    if (delivering_) return;  // the outer delivery loop picks up events committed by subscribers
    delivering_ = true;
    while (!pending_events_.empty()) {
        const PublishedEvent event = std::move(pending_events_.front());
        pending_events_.pop_front();
        const admit_event raw{sizeof(admit_event),
                              sdk::to_abi(event.id),
                              sdk::to_abi(event.topic),
                              sdk::to_abi(event.key),
                              sdk::to_abi(event.payload),
                              event.published_at_us,
                              1};
        const auto subscriptions = subscriptions_;  // a subscriber cannot register, but stay safe
        for (const auto& sub : subscriptions) {
            if (!detail::topic_matches(sub.topic, event.topic)) continue;
            Tx tx{sub.slot, {}, {}};
            sdk::StringSink error;
            admit_status status =
                sub.handler(sub.ctx, reinterpret_cast<admit_tx*>(&tx), &raw, error.get());
            if (status == ADMIT_OK) status = tx.run_before_commit();
            tx.finish(status == ADMIT_OK);
            if (status == ADMIT_OK) {
                for (auto& job : tx.jobs) enqueued_jobs_.push_back(std::move(job));
                for (auto& e : tx.events) {
                    committed_events_.push_back(e);
                    pending_events_.push_back(std::move(e));
                }
            } else {
                failed_deliveries_.push_back(
                    FailedDelivery{sub.slot->name, sub.subscriber, event.id, status, error.take()});
            }
        }
    }
    delivering_ = false;
}

inline void FakeHost::inject_event(std::string topic, std::string key, std::string payload) {
    PublishedEvent event{
        "", next_id("evt"), std::move(topic), std::move(key), std::move(payload), now_us_};
    committed_events_.push_back(event);
    pending_events_.push_back(std::move(event));
    deliver_pending();
}

inline sdk::Status FakeHost::run_job(const std::string& plugin, const std::string& name,
                                     std::string_view payload) {
    for (const auto& job : jobs_) {
        if (job.slot->name != plugin || job.name != name) continue;
        sdk::StringSink error;
        return sdk::status_of(job.run(job.ctx, sdk::to_abi(payload), error.get()), error);
    }
    return sdk::Error::not_found("plugin " + plugin + " has no job " + name);
}

inline std::size_t FakeHost::run_due_jobs() {
    std::size_t ran = 0;
    for (bool progressed = true; progressed;) {
        progressed = false;
        for (std::size_t i = 0; i < enqueued_jobs_.size(); ++i) {
            if (enqueued_jobs_[i].run_at_us > now_us_) continue;
            const EnqueuedJob job = enqueued_jobs_[i];
            enqueued_jobs_.erase(enqueued_jobs_.begin() + static_cast<std::ptrdiff_t>(i));
            auto status = run_job(job.plugin, job.name, job.payload);
            if (!status)
                logs_.push_back(LogLine{job.plugin, ADMIT_LOG_ERROR,
                                        "job " + job.name + " failed: " + status.message()});
            ++ran;
            progressed = true;
            break;  // the job may have enqueued more: rescan
        }
    }
    return ran;
}

inline sdk::Result<std::string> FakeHost::open_stream(std::string_view path,
                                                      const TestPrincipal& principal) {
    for (const auto& stream : streams_) {
        auto match = detail::match_template(stream.path, path);
        if (!match) continue;
        if (detail::role_refusal(stream.roles, principal.subject, principal.role) != 0) {
            return sdk::Error::rejected("role not allowed on stream " + stream.path);
        }
        OpenStream opened{stream.slot, stream.on_close, stream.ctx, std::string(path),
                          {},          principal};
        for (const auto& [key, value] : match->params) opened.params.emplace_back(key, value);
        if (stream.on_open == nullptr) {
            open_streams_.push_back(std::move(opened));
            return std::string{};
        }
        std::vector<admit_kv> params;
        for (const auto& [key, value] : match->params)
            params.push_back({sdk::to_abi(key), sdk::to_abi(value)});
        const TestPrincipal::Raw raw_principal(principal);
        admit_request request{};
        request.size = sizeof request;
        request.method = sdk::to_abi("GET");
        request.path = sdk::to_abi(path);
        request.params = params.data();
        request.param_count = static_cast<uint32_t>(params.size());
        request.principal = &raw_principal.principal;
        sdk::StringSink first_event;
        const admit_status status = stream.on_open(stream.ctx, &request, first_event.get());
        if (status != ADMIT_OK)
            return sdk::Status::from(status, "on_open of stream " + stream.path + " failed")
                .error();
        open_streams_.push_back(std::move(opened));
        return first_event.take();
    }
    return sdk::Error::not_found("no stream for " + std::string(path));
}

inline bool FakeHost::close_stream(std::string_view path, const TestPrincipal& principal) {
    auto it = std::find_if(open_streams_.begin(), open_streams_.end(), [&](const OpenStream& s) {
        return s.path == path && s.principal.subject == principal.subject;
    });
    if (it == open_streams_.end()) return false;
    OpenStream stream = std::move(*it);
    open_streams_.erase(it);
    report_close(stream);
    return true;
}

inline void FakeHost::report_close(const OpenStream& stream) {
    if (stream.on_close == nullptr) return;
    std::vector<admit_kv> params;
    for (const auto& [key, value] : stream.params)
        params.push_back({sdk::to_abi(key), sdk::to_abi(value)});
    const TestPrincipal::Raw raw_principal(stream.principal);
    admit_request request{};
    request.size = sizeof request;
    request.method = sdk::to_abi("GET");
    request.path = sdk::to_abi(stream.path);
    request.params = params.data();
    request.param_count = static_cast<uint32_t>(params.size());
    request.principal = &raw_principal.principal;
    stream.on_close(stream.ctx, &request);
}

}  // namespace admit::testing
