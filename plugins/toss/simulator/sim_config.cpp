#include "sim_config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>
#include <boost/json.hpp>
#include <cmath>
#include <stdexcept>

namespace admit::paysim {
namespace json = boost::json;

namespace {

// Reads one typed value out of a JSON patch; every failure names the key.
struct PatchReader {
    const json::object& section;
    std::string section_name;
    std::optional<std::string> error;

    std::string name(std::string_view key) const { return section_name + "." + std::string(key); }

    bool number(std::string_view key, double& out, double lo, double hi) {
        auto* v = section.if_contains(key);
        if (!v || error) return false;
        double d;
        if (v->is_int64()) {
            d = static_cast<double>(v->as_int64());
        } else if (v->is_uint64()) {
            d = static_cast<double>(v->as_uint64());
        } else if (v->is_double()) {
            d = v->as_double();
        } else {
            error = fmt::format("{} must be a number", name(key));
            return false;
        }
        if (!std::isfinite(d) || d < lo || d > hi) {
            error = fmt::format("{} must be between {} and {}", name(key), lo, hi);
            return false;
        }
        out = d;
        return true;
    }

    bool integer(std::string_view key, int64_t& out, int64_t lo, int64_t hi) {
        auto* v = section.if_contains(key);
        if (!v || error) return false;
        if (!v->is_int64() || v->as_int64() < lo || v->as_int64() > hi) {
            error = fmt::format("{} must be an integer between {} and {}", name(key), lo, hi);
            return false;
        }
        out = v->as_int64();
        return true;
    }

    bool boolean(std::string_view key, bool& out) {
        auto* v = section.if_contains(key);
        if (!v || error) return false;
        if (!v->is_bool()) {
            error = fmt::format("{} must be true or false", name(key));
            return false;
        }
        out = v->as_bool();
        return true;
    }

    bool string(std::string_view key, std::string& out) {
        auto* v = section.if_contains(key);
        if (!v || error) return false;
        if (!v->is_string()) {
            error = fmt::format("{} must be a string", name(key));
            return false;
        }
        out = std::string(v->as_string());
        return true;
    }

    void only(std::initializer_list<std::string_view> known) {
        if (error) return;
        for (const auto& kv : section) {
            bool ok = false;
            for (auto k : known) ok = ok || kv.key() == k;
            if (!ok) {
                error = fmt::format("unknown key {}", name(kv.key()));
                return;
            }
        }
    }
};

std::optional<std::string> patch_latency(LatencyConfig& c, const json::object& o) {
    PatchReader r{o, "latency", {}};
    r.only({"fixed_ms", "median_ms", "p99_ms"});
    r.number("fixed_ms", c.fixed_ms, 0, 600000);
    r.number("median_ms", c.median_ms, 0, 600000);
    r.number("p99_ms", c.p99_ms, 0, 600000);
    if (!r.error && c.median_ms > 0 && c.p99_ms < c.median_ms) {
        r.error = "latency.p99_ms must be >= latency.median_ms";
    }
    return r.error;
}

std::optional<std::string> patch_chaos(ChaosConfig& c, const json::object& o) {
    PatchReader r{o, "chaos", {}};
    r.only({"decline_rate", "timeout_rate", "timeout_mode", "down", "down_mode", "down_for_ms"});
    r.number("decline_rate", c.decline_rate, 0, 1);
    r.number("timeout_rate", c.timeout_rate, 0, 1);
    std::string mode;
    if (r.string("timeout_mode", mode)) {
        if (mode == "hold") {
            c.timeout_mode = TimeoutMode::hold;
        } else if (mode == "close") {
            c.timeout_mode = TimeoutMode::close;
        } else {
            r.error = "chaos.timeout_mode must be \"hold\" or \"close\"";
        }
    }
    r.boolean("down", c.down);
    if (r.string("down_mode", mode)) {
        if (mode == "close") {
            c.down_mode = DownMode::close;
        } else if (mode == "refuse") {
            c.down_mode = DownMode::refuse;
        } else {
            r.error = "chaos.down_mode must be \"close\" or \"refuse\"";
        }
    }
    r.integer("down_for_ms", c.down_for_ms, 0, 24LL * 3600 * 1000);
    if (!r.error && c.down && c.down_mode == DownMode::refuse && c.down_for_ms <= 0) {
        r.error =
            "chaos.down_for_ms must be > 0 with down_mode \"refuse\" (nothing could turn it back)";
    }
    return r.error;
}

std::optional<std::string> patch_webhooks(WebhookConfig& c, const json::object& o) {
    PatchReader r{o, "webhooks", {}};
    r.only({"url", "duplicate_rate", "delay_min_ms", "delay_max_ms", "reorder_rate",
            "reorder_hold_max_ms", "max_attempts", "retry_base_ms", "retry_max_ms", "timeout_ms",
            "queue_capacity", "concurrency"});
    if (r.string("url", c.url) && !c.url.empty() && c.url.rfind("http://", 0) != 0) {
        r.error = "webhooks.url must start with http:// (or be empty to disable webhooks)";
    }
    r.number("duplicate_rate", c.duplicate_rate, 0, 1);
    r.integer("delay_min_ms", c.delay_min_ms, 0, 3600000);
    r.integer("delay_max_ms", c.delay_max_ms, 0, 3600000);
    r.number("reorder_rate", c.reorder_rate, 0, 1);
    r.integer("reorder_hold_max_ms", c.reorder_hold_max_ms, 1, 600000);
    int64_t attempts = c.max_attempts;
    if (r.integer("max_attempts", attempts, 1, 100)) c.max_attempts = static_cast<int>(attempts);
    r.integer("retry_base_ms", c.retry_base_ms, 1, 3600000);
    r.integer("retry_max_ms", c.retry_max_ms, 1, 24LL * 3600000);
    r.integer("timeout_ms", c.timeout_ms, 1, 600000);
    r.integer("queue_capacity", c.queue_capacity, 1, 10000000);
    r.integer("concurrency", c.concurrency, 1, 1024);
    if (!r.error && c.delay_max_ms < c.delay_min_ms) {
        r.error = "webhooks.delay_max_ms must be >= webhooks.delay_min_ms";
    }
    return r.error;
}

json::value toml_to_json(const toml::node& node, const std::string& where) {
    if (auto v = node.as_integer()) return json::value(v->get());
    if (auto v = node.as_floating_point()) return json::value(v->get());
    if (auto v = node.as_boolean()) return json::value(v->get());
    if (auto v = node.as_string()) return json::value(v->get());
    if (auto t = node.as_table()) {
        json::object o;
        for (auto&& [k, v] : *t)
            o[std::string(k.str())] = toml_to_json(v, where + "." + std::string(k.str()));
        return o;
    }
    if (auto a = node.as_array()) {
        json::array out;
        for (auto&& v : *a) out.push_back(toml_to_json(v, where));
        return out;
    }
    throw std::runtime_error(fmt::format("{}: unsupported value type", where));
}

}  // namespace

std::optional<std::string> apply_runtime_patch(RuntimeConfig& config, const json::object& patch) {
    RuntimeConfig next = config;
    for (const auto& kv : patch) {
        if (!kv.value().is_object()) {
            return fmt::format("{} must be an object", std::string(kv.key()));
        }
        const auto& section = kv.value().as_object();
        std::optional<std::string> err;
        if (kv.key() == "latency") {
            err = patch_latency(next.latency, section);
        } else if (kv.key() == "chaos") {
            err = patch_chaos(next.chaos, section);
        } else if (kv.key() == "webhooks") {
            err = patch_webhooks(next.webhooks, section);
        } else {
            err = fmt::format("unknown section {}", std::string(kv.key()));
        }
        if (err) return err;
    }
    config = next;
    return std::nullopt;
}

json::object runtime_to_json(const RuntimeConfig& c) {
    json::object latency{{"fixed_ms", c.latency.fixed_ms},
                         {"median_ms", c.latency.median_ms},
                         {"p99_ms", c.latency.p99_ms}};
    json::object chaos{
        {"decline_rate", c.chaos.decline_rate},
        {"timeout_rate", c.chaos.timeout_rate},
        {"timeout_mode", c.chaos.timeout_mode == TimeoutMode::hold ? "hold" : "close"},
        {"down", c.chaos.down},
        {"down_mode", c.chaos.down_mode == DownMode::close ? "close" : "refuse"},
        {"down_for_ms", c.chaos.down_for_ms}};
    const auto& w = c.webhooks;
    json::object webhooks{{"url", w.url},
                          {"duplicate_rate", w.duplicate_rate},
                          {"delay_min_ms", w.delay_min_ms},
                          {"delay_max_ms", w.delay_max_ms},
                          {"reorder_rate", w.reorder_rate},
                          {"reorder_hold_max_ms", w.reorder_hold_max_ms},
                          {"max_attempts", w.max_attempts},
                          {"retry_base_ms", w.retry_base_ms},
                          {"retry_max_ms", w.retry_max_ms},
                          {"timeout_ms", w.timeout_ms},
                          {"queue_capacity", w.queue_capacity},
                          {"concurrency", w.concurrency}};
    return {{"latency", latency}, {"chaos", chaos}, {"webhooks", webhooks}};
}

StartupConfig load_config_file(const std::string& path) {
    toml::table root;
    try {
        root = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
        throw std::runtime_error(fmt::format("{}:{}:{}: {}", path, e.source().begin.line,
                                             e.source().begin.column, e.description()));
    }
    StartupConfig out;
    json::object runtime_patch;
    for (auto&& [key, node] : root) {
        std::string k(key.str());
        if (k == "latency" || k == "chaos" || k == "webhooks") {
            if (!node.is_table())
                throw std::runtime_error(fmt::format("{}: [{}] must be a table", path, k));
            runtime_patch[k] = toml_to_json(node, k);
            continue;
        }
        if (k != "server")
            throw std::runtime_error(fmt::format("{}: unknown section [{}]", path, k));
        auto* server = node.as_table();
        if (!server) throw std::runtime_error(fmt::format("{}: [server] must be a table", path));
        for (auto&& [skey, sval] : *server) {
            std::string sk(skey.str());
            auto fail = [&](const char* what) {
                return std::runtime_error(
                    fmt::format("{}:{}: server.{} {}", path, sval.source().begin.line, sk, what));
            };
            if (sk == "listen") {
                if (!sval.is_string()) throw fail("must be a string");
                out.listen = sval.as_string()->get();
            } else if (sk == "port") {
                auto v = sval.value<int64_t>();
                if (!sval.is_integer() || !v || *v < 0 || *v > 65535)
                    throw fail("must be 0..65535");
                out.port = static_cast<uint16_t>(*v);
            } else if (sk == "threads") {
                auto v = sval.value<int64_t>();
                if (!sval.is_integer() || !v || *v < 1 || *v > 64) throw fail("must be 1..64");
                out.threads = static_cast<int>(*v);
            } else if (sk == "journal") {
                if (!sval.is_string()) throw fail("must be a string");
                out.journal_path = sval.as_string()->get();
            } else if (sk == "seed") {
                auto v = sval.value<int64_t>();
                if (!sval.is_integer() || !v || *v < 0)
                    throw fail("must be a non-negative integer");
                out.seed = static_cast<uint64_t>(*v);
            } else if (sk == "max_body_bytes") {
                auto v = sval.value<int64_t>();
                if (!sval.is_integer() || !v || *v < 1024 || *v > 16 * 1024 * 1024) {
                    throw fail("must be 1024..16777216");
                }
                out.max_body_bytes = *v;
            } else if (sk == "allowed_redirect_origins") {
                auto* arr = sval.as_array();
                if (!arr) throw fail("must be an array of strings");
                for (auto&& item : *arr) {
                    if (!item.is_string()) throw fail("must be an array of strings");
                    out.allowed_redirect_origins.push_back(item.as_string()->get());
                }
            } else {
                throw fail("is not a known key");
            }
        }
    }
    if (auto err = apply_runtime_patch(out.runtime, runtime_patch)) {
        throw std::runtime_error(fmt::format("{}: {}", path, *err));
    }
    return out;
}

ConfigStore::ConfigStore(RuntimeConfig initial)
    : current_(std::make_shared<const RuntimeConfig>(std::move(initial))) {}

std::shared_ptr<const RuntimeConfig> ConfigStore::get() const {
    std::lock_guard lock(mutex_);
    return current_;
}

std::optional<std::string> ConfigStore::patch(const json::object& p) {
    std::lock_guard lock(mutex_);
    RuntimeConfig next = *current_;
    if (auto err = apply_runtime_patch(next, p)) return err;
    current_ = std::make_shared<const RuntimeConfig>(std::move(next));
    return std::nullopt;
}

}  // namespace admit::paysim
