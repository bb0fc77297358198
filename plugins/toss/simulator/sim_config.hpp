// Simulator configuration: the startup settings ([server]) and the chaos knobs that may change
// at run time ([latency], [chaos], [webhooks]), loaded from TOML and patched with JSON
// (POST /sim/config). Both sources go through one validator (apply_runtime_patch), so a knob
// means the same thing in either place.
#pragma once

#include <boost/json/fwd.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace admit::paysim {

struct LatencyConfig {
    double fixed_ms = 0;   // added to every confirm/cancel reply
    double median_ms = 0;  // lognormal part; 0 disables it
    double p99_ms = 0;     // must be >= median_ms when median_ms > 0
};

enum class TimeoutMode { hold, close };
enum class DownMode { close, refuse };

struct ChaosConfig {
    double decline_rate = 0;  // confirm answers 403 REJECT_CARD_PAYMENT, payment ABORTED
    double timeout_rate = 0;  // confirm/cancel takes effect but is never answered
    TimeoutMode timeout_mode = TimeoutMode::hold;
    bool down = false;
    DownMode down_mode = DownMode::close;
    int64_t down_for_ms = 0;  // 0: until set back; refuse mode requires > 0
};

struct WebhookConfig {
    std::string url;  // "" disables webhooks; http:// only
    double duplicate_rate = 0;
    int64_t delay_min_ms = 0;
    int64_t delay_max_ms = 0;
    double reorder_rate = 0;  // an event is held back and sent after the next one
    int64_t reorder_hold_max_ms = 1000;
    int max_attempts = 8;
    int64_t retry_base_ms = 200;
    int64_t retry_max_ms = 30000;
    int64_t timeout_ms = 5000;
    int64_t queue_capacity = 100000;
    int64_t concurrency = 32;
};

// Knobs that POST /sim/config may change while running.
struct RuntimeConfig {
    LatencyConfig latency;
    ChaosConfig chaos;
    WebhookConfig webhooks;
};

struct StartupConfig {
    std::string listen = "127.0.0.1";
    uint16_t port = 0;
    int threads = 2;
    std::string journal_path;  // "" disables the journal
    uint64_t seed = 1;
    std::vector<std::string> allowed_redirect_origins;  // empty: any http(s) URL
    int64_t max_body_bytes = 64 * 1024;
    RuntimeConfig runtime;
};

// Parses a TOML file; throws std::runtime_error naming the file, key and problem.
StartupConfig load_config_file(const std::string& path);

// Applies a JSON patch such as {"chaos":{"decline_rate":0.1}} to `config`. Unknown sections or
// keys and wrong types are errors; on error `config` is left unchanged and the message names
// the key.
std::optional<std::string> apply_runtime_patch(RuntimeConfig& config,
                                               const boost::json::object& patch);

boost::json::object runtime_to_json(const RuntimeConfig& config);

// Holds the live RuntimeConfig. Thread-safe: readers get an immutable snapshot.
class ConfigStore {
  public:
    explicit ConfigStore(RuntimeConfig initial);
    std::shared_ptr<const RuntimeConfig> get() const;
    std::optional<std::string> patch(const boost::json::object& patch);

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const RuntimeConfig> current_;
};

}  // namespace admit::paysim
