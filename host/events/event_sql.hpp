// Small SQL helpers shared by the event bus modules (text encodings of parameters).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "host/events/event_types.hpp"

namespace admit::events {

// SQL expression turning a bigint parameter of unix microseconds into timestamptz, exactly.
// Usage: fmt with the parameter number, e.g. micros_to_timestamptz(4) -> "('epoch'...$4...)".
std::string micros_to_timestamptz(int parameter);
// SQL expression turning a timestamptz column into unix microseconds (bigint), exactly.
std::string timestamptz_to_micros(const std::string& column);

std::int64_t to_micros(std::chrono::system_clock::time_point t);

// PostgreSQL array literal of text values ("{"a","b\"c"}"), for $n::text[] parameters.
std::string text_array_literal(const std::vector<std::string>& values);

// PostgreSQL array literal of integers ("{1,2,3}"), for $n::bigint[] parameters.
std::string bigint_array_literal(const std::vector<std::int64_t>& values);

// Backoff before attempt `failed_attempts + 1`: initial * 2^(failed_attempts - 1), capped.
std::chrono::milliseconds backoff_after(const EventOptions& options, std::uint32_t failed_attempts);

// Reads an Event from a row with columns event_id, topic, key, payload, published_us, attempts
// (attempts = failed attempts so far; Event::attempt = attempts + 1).
Event event_from_row(const pqxx::row& row);

}  // namespace admit::events
