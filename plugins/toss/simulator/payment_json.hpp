// JSON shapes of a Payment: the Toss Payments v1 Payment object (API replies and webhook data),
// the operator's ledger entry (GET /sim/ledger) and the journal record (lossless, for replay).
// Pure functions.
#pragma once

#include <boost/json/fwd.hpp>
#include <optional>
#include <string>

#include "ledger.hpp"

namespace admit::paysim {

boost::json::object toss_payment_json(const Payment& p);
boost::json::object ledger_entry_json(const Payment& p);
boost::json::object payment_record_json(const Payment& p);
// nullopt when a field is missing or has the wrong type.
std::optional<Payment> payment_from_record(const boost::json::object& record);
// {"code": ..., "message": ...}, Toss's error body.
std::string error_body(const std::string& code, const std::string& message);

}  // namespace admit::paysim
