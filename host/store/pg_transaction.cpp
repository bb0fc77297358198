#include "host/store/pg_transaction.hpp"

#include "host/store/pg_errors.hpp"

namespace admit::store {

Status run_transaction(PgPool& pool, const std::function<Status(pqxx::work&)>& body) {
    auto lease = pool.acquire();
    if (!lease) return lease.error();
    try {
        pqxx::work work(lease->conn());
        Status status = body(work);
        if (!status) {
            work.abort();
            return status;
        }
        work.commit();
        return {};
    } catch (...) {
        // The pqxx::work is already destroyed here (rolled back if it was still open).
        if (connection_unusable_after(std::current_exception())) lease->discard();
        return map_pg_exception(std::current_exception());
    }
}

}  // namespace admit::store
