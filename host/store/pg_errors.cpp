#include "host/store/pg_errors.hpp"

#include <string>

#include <pqxx/pqxx>

namespace admit::store {
namespace {

Error classify_sql_error(const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    std::string message = one_line(e.what());
    if (state == "23505") return Error{ErrorCode::CONFLICT, std::move(message)};
    if (state.rfind("23", 0) == 0) return Error{ErrorCode::CONSTRAINT, std::move(message)};
    if (state == "40001" || state == "40P01") return Error{ErrorCode::CONFLICT, std::move(message)};
    if (state == "57014" || state == "55P03") return Error{ErrorCode::TIMEOUT, std::move(message)};
    if (state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE, "PostgreSQL: " + message};
    }
    return Error{ErrorCode::SQL_ERROR, std::move(message)};
}

}  // namespace

std::string one_line(std::string message) {
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
        message.pop_back();
    return message;
}

Error map_pg_exception(std::exception_ptr exception) {
    try {
        std::rethrow_exception(exception);
    } catch (const pqxx::broken_connection& e) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "PostgreSQL connection lost: " + one_line(e.what())};
    } catch (const pqxx::in_doubt_error& e) {
        return Error{ErrorCode::DEPENDENCY_UNAVAILABLE,
                     "PostgreSQL commit outcome unknown: " + one_line(e.what())};
    } catch (const pqxx::sql_error& e) {
        return classify_sql_error(e);
    } catch (const std::exception& e) {
        return Error{ErrorCode::INTERNAL, one_line(e.what())};
    } catch (...) {
        return Error{ErrorCode::INTERNAL, "unknown exception"};
    }
}

bool is_permanent_connect_failure(std::string_view message) {
    // Server FATALs 28P01/28000 (authentication), 3D000 (no database), and libpq's own refusals.
    static constexpr std::string_view permanent[] = {"authentication failed",
                                                     "no pg_hba.conf entry",
                                                     "does not exist",
                                                     "password is required",
                                                     "permission denied",
                                                     "invalid connection option",
                                                     "certificate"};
    for (const auto& text : permanent)
        if (message.find(text) != std::string_view::npos) return true;
    return false;
}

bool connection_unusable_after(std::exception_ptr exception) {
    try {
        std::rethrow_exception(exception);
    } catch (const pqxx::sql_error& e) {
        const std::string& state = e.sqlstate();
        return state.rfind("08", 0) == 0 || state.rfind("57P0", 0) == 0;
    } catch (...) {
        return true;
    }
}

}  // namespace admit::store
