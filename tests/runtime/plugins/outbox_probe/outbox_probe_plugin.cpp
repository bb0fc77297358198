// outbox_probe: a test plugin for end-to-end outbox tests through a real admitd.
//   POST /probe/outbox/items {"id": "...", "rollback": bool} inserts an item and publishes
//        outbox_probe.item in the same transaction; with rollback the transaction is rolled back.
//   GET  /probe/outbox/handled/{id} -> {"count": n}: how many times the subscriber's effect
//        happened for that item (it must be 1 once delivered, never 2).
// The subscriber fails while the file named by env ADMIT_PROBE_FAIL_FILE exists, and appends
// "attempt <id>" to env ADMIT_PROBE_TRACE on every attempt, and "announced <id>" from Tx::on_commit
// (only once its transaction committed). A periodic job appends "tick" every 20 ms, start()
// appends "started" after 300 ms of work and stop() appends "stop", so a test can prove that
// nothing runs in the plugin before its start returned or after its stop.
//   GET  /probe/outbox/announced/{id} -> {"announced": bool}: whether the on_commit work of the
//        item's creating transaction ran.
//   POST /probe/outbox/items {"id": "...", "seal": "ok" | "fail"} also registers Tx::before_commit
//        work that copies the item into outbox_probe.sealed ("fail": the work fails);
//   GET  /probe/outbox/stored/{id} -> {"item": bool, "sealed": bool}. The subscriber's
//        before-commit work appends "sealed <id>" to the trace.
#include <admit/sdk.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

namespace outbox_probe {

using admit::sdk::Error;
using admit::sdk::Host;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::Status;
namespace fields = admit::sdk::fields;

class OutboxProbe final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        host_ = &host;
        if (auto s = host.register_migrations(); !s) return s;
        if (auto s =
                host.route("POST", "/probe/outbox/items", "public", &OutboxProbe::create, this);
            !s)
            return s;
        if (auto s = host.route("GET", "/probe/outbox/handled/{id}", "public",
                                &OutboxProbe::handled, this);
            !s) {
            return s;
        }
        if (auto s = host.route("GET", "/probe/outbox/stored/{id}", "public", &OutboxProbe::stored,
                                this);
            !s) {
            return s;
        }
        if (auto s = host.route("GET", "/probe/outbox/announced/{id}", "public",
                                &OutboxProbe::announced, this);
            !s) {
            return s;
        }
        if (auto s = host.periodic_job("tick", std::chrono::milliseconds(20),
                                       [] {
                                           trace_line("tick");
                                           return Status{};
                                       });
            !s) {
            return s;
        }
        return host.subscribe(
            "outbox_probe.item", "count",
            [](admit::sdk::Tx& tx, const admit::sdk::Event& event) -> Status {
                auto body = event.json();
                if (!body) return std::move(body).error();
                std::string id(body->at("id").as_string());
                if (const char* trace = std::getenv("ADMIT_PROBE_TRACE"))
                    std::ofstream(trace, std::ios::app) << "attempt " << id << "\n";
                // Before-commit work runs after the handler succeeded, never for a failed one.
                if (auto s = tx.before_commit([id](admit::sdk::Tx&) -> Status {
                        trace_line("sealed " + id);
                        return {};
                    });
                    !s) {
                    return s;
                }
                if (auto s = tx.on_commit([id] {
                        if (const char* trace = std::getenv("ADMIT_PROBE_TRACE")) {
                            std::ofstream(trace, std::ios::app) << "announced " << id << "\n";
                        }
                    });
                    !s) {
                    return s;
                }
                if (const char* fail = std::getenv("ADMIT_PROBE_FAIL_FILE");
                    fail != nullptr && std::filesystem::exists(fail)) {
                    return Error::internal("failing on purpose while " + std::string(fail) +
                                           " exists");
                }
                auto r = tx.exec(
                    "INSERT INTO outbox_probe.handled (item_id, count) VALUES ($1, 1) "
                    "ON CONFLICT (item_id) DO UPDATE SET count = outbox_probe.handled.count + 1",
                    id);
                if (!r) return std::move(r).error();
                return {};
            });
    }

    // Starting takes a while (as a plugin loading its keys would): long enough for a waiting
    // delivery or a 20 ms job to run inside it if the host called them before start returned.
    Status start() override {
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        trace_line("started");
        return {};
    }

    // Stopping takes a while (as a plugin flushing its work would): long enough for a 20 ms job or
    // a delivery retry to run inside it if the host had not stopped them first.
    void stop() override {
        trace_line("stop");
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }

  private:
    Response create(const Request& request) {
        auto body = request.json_object();
        if (!body) return Response::from_error(body.error());
        auto id = fields::required_string(*body, "id");
        if (!id) return Response::from_error(id.error());
        bool rollback = body->contains("rollback") && body->at("rollback").is_bool() &&
                        body->at("rollback").as_bool();
        // "seal": "ok" copies the item into outbox_probe.sealed in before-commit work registered
        // before the item is inserted (it finds the row only if it runs after the body); "fail"
        // makes that work fail, which must roll the whole transaction back.
        const std::string seal = body->contains("seal") && body->at("seal").is_string()
                                     ? std::string(body->at("seal").as_string())
                                     : std::string();
        auto status = host_->db().transaction([&](admit::sdk::Tx& tx) -> Status {
            if (!seal.empty()) {
                if (auto s = tx.before_commit([id = *id, seal](admit::sdk::Tx& end) -> Status {
                        if (seal == "fail") return Error::rejected("sealing failed on request");
                        auto r = end.exec(
                            "INSERT INTO outbox_probe.sealed (id) "
                            "SELECT id FROM outbox_probe.items WHERE id = $1",
                            id);
                        if (!r) return std::move(r).error();
                        if (r->affected != 1) return Error::internal("the item was not there");
                        return {};
                    });
                    !s) {
                    return s;
                }
            }
            if (auto r = tx.exec("INSERT INTO outbox_probe.items (id) VALUES ($1)", *id); !r)
                return std::move(r).error();
            if (auto s = tx.on_commit([this, id = *id] {
                    std::lock_guard lock(mutex_);
                    announced_.insert(id);
                });
                !s) {
                return s;
            }
            if (auto s = tx.publish("outbox_probe.item", "items", boost::json::object{{"id", *id}});
                !s)
                return s;
            if (rollback) return Error::rejected("rolled back on request");
            return {};
        });
        if (!status) return Response::error(409, "ROLLED_BACK", status.error().message);
        return Response::json(201, {{"id", *id}});
    }

    Response handled(const Request& request) {
        auto rows = host_->db().exec("SELECT count FROM outbox_probe.handled WHERE item_id = $1",
                                     std::string(request.param("id")));
        if (!rows) return Response::from_error(rows.error());
        int64_t count = rows->empty() ? 0 : (*rows)[0].int64("count").value_or(0);
        return Response::json(200, {{"count", count}});
    }

    Response stored(const Request& request) {
        auto rows = host_->db().exec(
            "SELECT EXISTS (SELECT 1 FROM outbox_probe.items WHERE id = $1) AS item, "
            "EXISTS (SELECT 1 FROM outbox_probe.sealed WHERE id = $1) AS sealed",
            std::string(request.param("id")));
        if (!rows) return Response::from_error(rows.error());
        return Response::json(200, {{"item", rows->front().text("item") == "t"},
                                    {"sealed", rows->front().text("sealed") == "t"}});
    }

    static void trace_line(const std::string& line) {
        if (const char* trace = std::getenv("ADMIT_PROBE_TRACE"))
            std::ofstream(trace, std::ios::app) << line << "\n";
    }

    Response announced(const Request& request) {
        std::lock_guard lock(mutex_);
        return Response::json(
            200, {{"announced", announced_.contains(std::string(request.param("id")))}});
    }

    Host* host_ = nullptr;
    std::mutex mutex_;
    std::set<std::string> announced_;  // ids whose creating transaction's on_commit work ran
};

}  // namespace outbox_probe

ADMIT_PLUGIN(outbox_probe, outbox_probe::OutboxProbe, "0.0.1");
