// admitd with the notification plugin and the demo venue's templates, fast delivery and retries.
#pragma once

#include "events_e2e_fixture.hpp"

namespace admit::testing {

class NotificationEndToEnd : public PluginEndToEnd {
  protected:
    std::vector<std::string> venue_plugins() const override { return {"notification"}; }
    std::string venue_extra_toml() const override {
        return "[plugin.notification]\ntemplates_dir = \"" ADMIT_TEST_SOURCE_DIR
               "/config/venues/demo/notifications\"\n"
               "public_base_url = \"https://tickets.example\"\n"
               "delivery_interval_ms = 50\nbackoff_initial_seconds = 1\n" +
               notification_toml();
    }
    /// More lines of the [plugin.notification] section.
    virtual std::string notification_toml() const { return ""; }

    /// The user's messages (every page), newest first.
    std::vector<boost::json::object> messages_of(const std::string& user,
                                                 const std::string& query = "") {
        return all_pages("/api/v1/notifications" + query, user, "customer");
    }
    /// Waits until `user` has `count` messages, all with status `status`; returns them.
    std::vector<boost::json::object> await_messages(const std::string& user, std::size_t count,
                                                    const std::string& status = "sent") {
        std::vector<boost::json::object> found;
        const bool done = eventually([&] {
            found = messages_of(user);
            if (found.size() != count) return false;
            for (const auto& message : found)
                if (message.at("status") != status.c_str()) return false;
            return true;
        });
        EXPECT_TRUE(done) << user << ": " << found.size() << " messages, wanted " << count << " "
                          << status;
        return found;
    }
};

}  // namespace admit::testing
