// An event as a subscriber sees it (a view, valid during the subscriber call only).
#pragma once

#include <admit/abi.h>
#include <admit/sdk/abi_support.hpp>
#include <admit/sdk/json_fields.hpp>
#include <admit/sdk/result.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <string_view>

namespace admit::sdk {

class Event {
  public:
    explicit Event(const admit_event* raw) noexcept : raw_(raw) {}

    std::string_view id() const noexcept { return from_abi(raw_->id); }
    std::string_view topic() const noexcept { return from_abi(raw_->topic); }
    std::string_view key() const noexcept { return from_abi(raw_->key); }
    std::string_view payload() const noexcept { return from_abi(raw_->payload); }
    int64_t published_at_us() const noexcept { return raw_->published_at_us; }
    uint32_t attempt() const noexcept { return raw_->attempt; }
    /// The payload parsed as JSON.
    Result<boost::json::value> json() const { return parse_json(payload(), "event payload"); }

    const admit_event* raw() const noexcept { return raw_; }

  private:
    const admit_event* raw_;
};

}  // namespace admit::sdk
