// The log plugin end to end: one entry per event (also when redelivered), the append-only table
// (trigger and writer role), the hash chain and verify, every query filter, export and retention.
#include "events_e2e_fixture.hpp"

#include <pqxx/pqxx>

#include <set>

namespace admit::testing {
namespace {

/// A generated trail: event i has actor, topic, resource and time chosen from i, and carries
/// "n": i so that a test can tell which events a query returned.
struct Trail {
    struct Item {
        int n;
        std::string actor, topic, resource_type, resource_id, at;
        int64_t hour;
    };
    std::vector<Item> items;

    static Trail make(int count) {
        const std::vector<std::string> actors = {"usr_a", "usr_b", "system"};
        const std::vector<std::string> topics = {"reservation.held", "reservation.confirmed",
                                                 "payment.approved", "auth.user_changed"};
        Trail trail;
        for (int i = 0; i < count; ++i) {
            Item item;
            item.n = i;
            item.actor = actors[i % actors.size()];
            item.topic = topics[(i / 2) % topics.size()];
            const std::string prefix = item.topic.substr(0, item.topic.find('.'));
            item.resource_type = prefix == "auth" ? "user" : prefix;
            item.resource_id = item.resource_type.substr(0, 3) + "_" + std::to_string(i % 5);
            item.hour = i;
            item.at =
                "2026-01-01T" + std::string(i < 10 ? "0" : "") + std::to_string(i) + ":00:00Z";
            trail.items.push_back(item);
        }
        return trail;
    }

    std::vector<TestEvent> events() const {
        std::vector<TestEvent> events;
        for (const auto& item : items) {
            const std::string id_field =
                item.resource_type == "user" ? "userId" : item.resource_type + "Id";
            events.push_back({item.topic,
                              item.resource_id,
                              {{"n", item.n},
                               {id_field, item.resource_id},
                               {"actor", item.actor},
                               {"at", item.at}}});
        }
        return events;
    }

    std::set<int64_t> matching(const std::function<bool(const Item&)>& predicate) const {
        std::set<int64_t> found;
        for (const auto& item : items)
            if (predicate(item)) found.insert(item.n);
        return found;
    }
};

std::set<int64_t> numbers_of(const std::vector<boost::json::object>& entries) {
    std::set<int64_t> found;
    for (const auto& entry : entries) found.insert(entry.at("summary").at("n").as_int64());
    return found;
}

class AuditEndToEnd : public LogEndToEnd {
  protected:
    /// Runs `statement` with the append-only trigger off, as the tables' owner could.
    void tamper(const std::string& statement) {
        pg_exec("BEGIN; ALTER TABLE log.entries DISABLE TRIGGER entries_append_only; " + statement +
                "; ALTER TABLE log.entries ENABLE TRIGGER entries_append_only; COMMIT");
    }
};

TEST_F(AuditEndToEnd, RecordsOneEntryPerEventWithWhoWhatAndWhich) {
    publish({{"reservation.cancelled",
              "sch_1",
              {{"reservationId", "rsv_1"},
               {"scheduleId", "sch_1"},
               {"actor", "usr_buyer"},
               {"refundPolicyRevision", "rev_abc"},
               {"traceId", "trace-1"}}}});
    await_entries(1);
    auto entries = all_pages("/api/v1/admin/audit");
    ASSERT_EQ(entries.size(), 1u);
    const auto& entry = entries[0];
    EXPECT_EQ(entry.at("actor"), "usr_buyer");
    EXPECT_EQ(entry.at("action"), "reservation.cancelled");
    EXPECT_EQ(entry.at("resource").at("type"), "reservation");
    EXPECT_EQ(entry.at("resource").at("id"), "rsv_1");
    EXPECT_EQ(entry.at("policyRevision"), "rev_abc");
    EXPECT_EQ(entry.at("traceId"), "trace-1");
    EXPECT_EQ(entry.at("seq"), 1);
    EXPECT_EQ(entry.at("prevHash"), boost::json::value(std::string(64, '0')));
}

TEST_F(AuditEndToEnd, UpdateAndDeleteAreRefusedByTriggerAndWriterRole) {
    publish({{"product.approved", "prd_1", {{"productId", "prd_1"}, {"actor", "usr_admin"}}}});
    await_entries(1);
    pqxx::connection connection(storage_.pg_url());
    for (const std::string statement : {"UPDATE log.entries SET actor = 'usr_mallory'",
                                        "DELETE FROM log.entries", "TRUNCATE log.entries"}) {
        pqxx::nontransaction tx(connection);
        try {
            tx.exec(statement);
            ADD_FAILURE() << statement << " was not refused";
        } catch (const pqxx::sql_error& e) {
            EXPECT_NE(std::string(e.what()).find("append-only"), std::string::npos) << e.what();
        }
    }
    // The role entries are written under has no UPDATE or DELETE privilege at all.
    for (const std::string statement :
         {"UPDATE log.entries SET actor = 'usr_mallory'", "DELETE FROM log.entries"}) {
        pqxx::work tx(connection);
        tx.exec("SET LOCAL ROLE admit_log_writer");
        try {
            tx.exec(statement);
            ADD_FAILURE() << statement << " was not refused to admit_log_writer";
        } catch (const pqxx::insufficient_privilege& e) {
            EXPECT_NE(std::string(e.what()).find("permission denied"), std::string::npos)
                << e.what();
        }
    }
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM log.entries WHERE actor = 'usr_admin'"), 1);
}

TEST_F(AuditEndToEnd, VerifyFindsTheFirstTamperedRow) {
    const auto trail = Trail::make(6);
    publish(trail.events());
    await_entries(6);
    auto clean = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(clean["ok"], true) << clean;
    EXPECT_EQ(clean["checked"], 6);
    EXPECT_TRUE(clean["firstBroken"].is_null());

    // Someone with the table owner's password turns the trigger off and edits entries 4 and 5.
    tamper("UPDATE log.entries SET actor = 'usr_mallory' WHERE seq IN (4, 5)");
    auto tampered = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(tampered["ok"], false) << tampered;
    EXPECT_EQ(tampered["checked"], 3);
    ASSERT_TRUE(tampered["firstBroken"].is_object()) << tampered;
    EXPECT_EQ(tampered["firstBroken"].at("seq"), 4);
    EXPECT_EQ(tampered["firstBroken"].at("reason"), "hash");

    // A removed row is a missing link.
    tamper("DELETE FROM log.entries WHERE seq = 2");
    auto removed = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(removed["firstBroken"].at("seq"), 2) << removed;
    EXPECT_EQ(removed["firstBroken"].at("reason"), "missing");
}

TEST_F(AuditEndToEnd, EachFilterReturnsExactlyTheMatchingEntries) {
    const auto trail = Trail::make(16);
    publish(trail.events());
    await_entries(16);
    using Item = Trail::Item;
    struct Case {
        std::string query;
        std::function<bool(const Item&)> predicate;
    };
    const std::vector<Case> cases = {
        {"actor=usr_a", [](const Item& i) { return i.actor == "usr_a"; }},
        {"actor=system", [](const Item& i) { return i.actor == "system"; }},
        {"resource=reservation", [](const Item& i) { return i.resource_type == "reservation"; }},
        {"resource=user", [](const Item& i) { return i.resource_type == "user"; }},
        {"resource=reservation:res_1",
         [](const Item& i) {
             return i.resource_type == "reservation" && i.resource_id == "res_1";
         }},
        {"action=payment.approved", [](const Item& i) { return i.topic == "payment.approved"; }},
        {"action=reservation.*", [](const Item& i) { return i.topic.starts_with("reservation."); }},
        {"from=2026-01-01T03:00:00Z&to=2026-01-01T09:00:00Z",
         [](const Item& i) { return i.hour >= 3 && i.hour < 9; }},
        {"actor=usr_b&action=reservation.*&from=2026-01-01T02:00:00Z",
         [](const Item& i) {
             return i.actor == "usr_b" && i.topic.starts_with("reservation.") && i.hour >= 2;
         }},
    };
    for (const auto& c : cases) {
        const auto expected = trail.matching(c.predicate);
        ASSERT_FALSE(expected.empty()) << c.query;  // every case must select something...
        ASSERT_LT(expected.size(), trail.items.size()) << c.query;  // ...and leave something out
        const auto served = all_pages("/api/v1/admin/audit?limit=3&" + c.query);
        EXPECT_EQ(served.size(), expected.size()) << c.query;  // no entry twice across pages
        EXPECT_EQ(numbers_of(served), expected) << c.query;
    }
    // Newest first, across pages.
    const auto everything = all_pages("/api/v1/admin/audit?limit=5");
    ASSERT_EQ(everything.size(), trail.items.size());
    for (std::size_t i = 1; i < everything.size(); ++i)
        EXPECT_GT(everything[i - 1].at("seq").as_int64(), everything[i].at("seq").as_int64());
}

TEST_F(AuditEndToEnd, ExportsTheRangeAsJsonLinesInChainOrder) {
    const auto trail = Trail::make(8);
    publish(trail.events());
    await_entries(8);
    auto answer = admin(
        "GET", "/api/v1/admin/audit/export?from=2026-01-01T02:00:00Z&to=2026-01-01T06:00:00Z");
    ASSERT_EQ(answer.status, 200) << answer.body;
    EXPECT_NE(answer.headers["content-type"].find("application/x-ndjson"), std::string::npos);
    std::vector<boost::json::object> lines;
    std::size_t start = 0;
    while (start < answer.body.size()) {
        const auto end = answer.body.find('\n', start);
        ASSERT_NE(end, std::string::npos) << "the last line ends with a newline";
        lines.push_back(boost::json::parse(answer.body.substr(start, end - start)).as_object());
        start = end + 1;
    }
    EXPECT_EQ(numbers_of(lines),
              trail.matching([](const Trail::Item& i) { return i.hour >= 2 && i.hour < 6; }));
    for (std::size_t i = 1; i < lines.size(); ++i)
        EXPECT_LT(lines[i - 1].at("seq").as_int64(), lines[i].at("seq").as_int64());
}

TEST_F(AuditEndToEnd, ARedeliveredEventWritesOnce) {
    publish({{"ticket.issued", "sch_9", {{"ticketId", "tkt_1"}, {"n", 1}}}});
    await_entries(1);
    const int64_t event_id =
        pg_scalar("SELECT id FROM admit.event_outbox WHERE topic = 'ticket.issued'");
    // Redeliver it as a relay would after the host forgot it handled the event (handled-ids
    // retention): the handled record goes and the outbox row is relayed again.
    pg_exec("DELETE FROM admit.event_handled WHERE subscriber LIKE 'log.audit%' AND event_id = " +
            std::to_string(event_id));
    pg_exec("UPDATE admit.event_outbox SET relayed_at = NULL WHERE id = " +
            std::to_string(event_id));
    // The handler ran again (the host recorded it as handled once more), then a later event on the
    // same key is recorded: the redelivery was processed before it.
    ASSERT_TRUE(eventually([&] {
        return pg_scalar(
                   "SELECT count(*) FROM admit.event_handled WHERE subscriber LIKE 'log.audit%' "
                   "AND event_id = " +
                   std::to_string(event_id)) == 1;
    }));
    publish({{"ticket.checked_in", "sch_9", {{"ticketId", "tkt_1"}, {"n", 2}}}});
    await_entries(2);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM log.entries WHERE event_id = '" +
                        std::to_string(event_id) + "'"),
              1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM log.entries"), 2);
    EXPECT_EQ(json_of(admin("GET", "/api/v1/admin/audit/verify"))["ok"], true);
}

TEST_F(AuditEndToEnd, EventsDeliveredInBatchesFormOneGaplessChain) {
    // 240 events on 8 keys in one publishing transaction: the host delivers them to the log in
    // batches (several events per transaction, on several workers), and the log appends each
    // batch after the chain lock, linking entry to entry inside the transaction.
    std::vector<TestEvent> events;
    for (int i = 0; i < 240; ++i) {
        const std::string key = "sch_b" + std::to_string(i % 8);
        events.push_back({"ticket.issued", key, {{"ticketId", "tkt_b" + std::to_string(i)}}});
    }
    publish(events);
    await_entries(240);
    EXPECT_EQ(pg_scalar("SELECT count(DISTINCT event_id) FROM log.entries"), 240);
    EXPECT_EQ(pg_scalar("SELECT min(seq) FROM log.entries"), 1);
    EXPECT_EQ(pg_scalar("SELECT max(seq) FROM log.entries"), 240);
    // Group commit: fewer writing transactions than entries.
    EXPECT_LT(pg_scalar("SELECT count(DISTINCT xmin::text) FROM log.entries"), 240);
    auto report = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(report["ok"], true) << report;
    EXPECT_EQ(report["checked"], 240) << report;
}

TEST_F(AuditEndToEnd, ARolledBackBatchLeavesNoTraceInTheChain) {
    // A trigger refuses the entry of the event marked "refuse": its batch rolls back after some
    // entries were written in it, the host runs the events one by one, and that one is retried,
    // then parked. The entries written in the rolled-back batch must not be what the next
    // transaction links to.
    pg_exec(R"sql(
        CREATE FUNCTION log.audit_test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.summary::jsonb ? 'refuse' THEN RAISE EXCEPTION 'refused by the test'; END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER audit_test_refuse BEFORE INSERT ON log.entries
            FOR EACH ROW EXECUTE FUNCTION log.audit_test_refuse();
    )sql");
    std::vector<TestEvent> events;
    for (int i = 0; i < 10; ++i) {
        boost::json::object payload{{"ticketId", "tkt_r" + std::to_string(i)}, {"n", i}};
        if (i == 5) payload["refuse"] = true;
        events.push_back({"ticket.issued", "sch_r", payload});
    }
    publish(events);
    // Later events of the key wait until the refused one is parked (max_attempts), then follow.
    ASSERT_TRUE(eventually([&] { return pg_scalar("SELECT count(*) FROM log.entries") == 9; },
                           std::chrono::seconds(30)))
        << "audit entries: " << pg_scalar("SELECT count(*) FROM log.entries") << " of 9";
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM admit.event_dead_letters WHERE subscriber LIKE "
                        "'log.audit%'"),
              1);
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM log.entries WHERE summary::jsonb ? 'refuse'"), 0);
    EXPECT_EQ(pg_scalar("SELECT max(seq) FROM log.entries"), 9);
    auto report = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(report["ok"], true) << report;
    EXPECT_EQ(report["checked"], 9) << report;

    pg_exec("DROP TRIGGER audit_test_refuse ON log.entries");
    publish({{"ticket.checked_in", "sch_r", {{"ticketId", "tkt_r0"}, {"n", 10}}}});
    await_entries(10);
    auto after = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(after["ok"], true) << after;
    EXPECT_EQ(after["checked"], 10) << after;
}

TEST_F(AuditEndToEnd, AnswersErrorsWithTheContractBody) {
    struct Case {
        std::string user, role, target;
        int status;
        std::string code;
    };
    const std::vector<Case> cases = {
        {"", "", "/api/v1/admin/audit", 401, "UNAUTHENTICATED"},
        {"usr_c", "customer", "/api/v1/admin/audit", 403, "FORBIDDEN"},
        {"usr_c", "customer", "/api/v1/admin/audit/verify", 403, "FORBIDDEN"},
        {"usr_c", "customer",
         "/api/v1/admin/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z", 403,
         "FORBIDDEN"},
        {"usr_admin", "admin", "/api/v1/admin/audit?limit=0", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit?from=yesterday", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit?cursor=abc", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit?resource=:x", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit?action=a*b", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin",
         "/api/v1/admin/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", 400,
         "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit/verify?to=soon", 400, "INVALID_REQUEST"},
        {"usr_admin", "admin", "/api/v1/admin/audit/export?from=2026-01-01T00:00:00Z", 400,
         "INVALID_REQUEST"},
    };
    for (const auto& c : cases) {
        auto answer = as(c.user, c.role, "GET", c.target);
        EXPECT_EQ(answer.status, c.status) << c.target << " " << answer.body;
        auto body = json_of(answer);
        EXPECT_EQ(body["code"], c.code.c_str()) << c.target << " " << answer.body;
        EXPECT_TRUE(body.contains("message") && body.contains("traceId")) << answer.body;
    }
}

class SmallExports : public LogEndToEnd {
    std::string log_toml() const override { return "export_max_entries = 3\n"; }
};

TEST_F(SmallExports, AnExportOverTheLimitIsRefused) {
    publish(Trail::make(4).events());
    await_entries(4);
    auto answer = admin(
        "GET", "/api/v1/admin/audit/export?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z");
    EXPECT_EQ(answer.status, 422) << answer.body;
    EXPECT_EQ(json_of(answer)["code"], "EXPORT_TOO_LARGE");
}

class ShortRetention : public LogEndToEnd {
    std::string log_toml() const override {
        return "partition_seconds = 1\nretention_seconds = 1\nmaintenance_interval_ms = 100\n";
    }
};

TEST_F(ShortRetention, DropsWholePartitionsAndTheChainStaysVerifiable) {
    publish({{"queue.joined", "sch_r", {{"scheduleId", "sch_r"}, {"n", 1}}},
             {"queue.left", "sch_r", {{"scheduleId", "sch_r"}, {"n", 2}}}});
    await_entries(2);
    // The partition ends within a second and is dropped a second later, leaving its anchor.
    ASSERT_TRUE(eventually([&] {
        return pg_scalar("SELECT count(*) FROM log.anchors WHERE last_seq = 2") == 1;
    })) << admitd_->log();
    EXPECT_EQ(pg_scalar("SELECT count(*) FROM log.entries WHERE seq <= 2"), 0);
    publish({{"queue.admitted", "sch_r", {{"scheduleId", "sch_r"}, {"n", 3}}}});
    ASSERT_TRUE(eventually([&] { return pg_scalar("SELECT count(*) FROM log.entries") == 1; }));
    auto report = json_of(admin("GET", "/api/v1/admin/audit/verify"));
    EXPECT_EQ(report["ok"], true) << report;
    EXPECT_EQ(report["firstSeq"], 3) << report;
    EXPECT_EQ(report["checked"], 1) << report;
}

}  // namespace
}  // namespace admit::testing
