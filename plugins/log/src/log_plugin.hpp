// The log plugin: an append-only, hash-chained audit entry for every event (topic "*"), with
// admin routes to query, export and verify the chain, and retention by whole time partitions.
// See plugins/log/README.md for routes, tables and config.
//
// Threading: the subscriber, routes and the maintenance job run concurrently on host threads;
// members are immutable after init() or thread-safe themselves.
#pragma once

#include "audit_query.hpp"
#include "audit_writer.hpp"
#include "chain_verifier.hpp"
#include "partitions.hpp"

#include <admit/sdk.hpp>

#include <memory>

namespace admit::log {

class LogPlugin final : public sdk::Plugin {
  public:
    sdk::Status init(sdk::Host& host) override;
    sdk::Status start() override;

  private:
    /// Uses role admit_log_writer for writes when it exists and this user is a member of it,
    /// granting it INSERT and SELECT only; otherwise warns and writes as the host's user.
    sdk::Status adopt_writer_role();
    sdk::Response list(const sdk::Request& request);
    sdk::Response verify(const sdk::Request& request);
    sdk::Response export_lines(const sdk::Request& request);

    sdk::Host* host_ = nullptr;
    std::unique_ptr<Partitions> partitions_;
    std::unique_ptr<AuditWriter> writer_;
    std::unique_ptr<AuditQuery> query_;
    std::unique_ptr<ChainVerifier> verifier_;
    int64_t export_max_entries_ = 100000;
};

}  // namespace admit::log
