// The SDK's FakeHost validates registrations exactly as admitd does: the same plugin, registering
// the same good and bad things, gets the same answer to each registration from both (both apply
// plugin-api/include/admit/registration_rules.hpp).
#include <gtest/gtest.h>

#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>
#include <chrono>
#include <vector>

#include "host/abi/runtime.hpp"
#include "host/plugins/plugin_record.hpp"

namespace conformance {

using admit::sdk::Host;
using admit::sdk::Request;
using admit::sdk::Response;
using admit::sdk::RouteOptions;
using admit::sdk::Status;

// What each registration answered, in order; reset before each run.
std::vector<admit_status> answers;

class ConformanceProbe final : public admit::sdk::Plugin {
  public:
    Status init(Host& host) override {
        auto ok = [](const Request&) { return Response::json(200, {}); };
        auto record = [](const Status& s) { answers.push_back(s.status()); };
        record(host.route("GET", "/c/public", "public", ok));
        record(host.route("GET", "/c/customer", "customer", ok));
        record(host.route("GET", "/c/two", "customer, seller", ok));
        record(host.route("GET", "/c/undeclared", "superuser", ok));
        record(host.route("GET", "/c/empty", "", ok));
        record(host.route("GET", "/c/booking", "authenticated", ok,
                          RouteOptions{.rate_category = "booking"}));
        record(
            host.route("GET", "/c/nosuch", "public", ok, RouteOptions{.rate_category = "nosuch"}));
        record(host.route("fetch", "/c/method", "public", ok));
        auto echo = [](const boost::json::value& in,
                       const admit::sdk::Principal&) -> admit::sdk::Result<boost::json::value> {
            return in;
        };
        record(host.provide("conf.echo", echo));
        record(host.provide("other.echo", echo));
        record(host.provide("conf.", echo));
        record(host.provide("conf.bad name", echo));
        auto handler = [](admit::sdk::Tx&, const admit::sdk::Event&) { return Status{}; };
        record(host.subscribe("reservation.*", "watcher", handler));
        record(host.subscribe("reservation.confirmed", "watcher", handler));
        record(host.subscribe("res*ervation", "other", handler));
        record(host.subscribe("reservation.held", "bad name", handler));
        auto run = [] { return Status{}; };
        record(host.periodic_job("tick", std::chrono::milliseconds(100), run));
        record(host.periodic_job("tick", std::chrono::milliseconds(100), run));
        record(host.periodic_job("", std::chrono::milliseconds(100), run));
        return {};
    }
};

}  // namespace conformance

ADMIT_PLUGIN_DESCRIPTOR(conf, conformance::ConformanceProbe, "0.0.1");

namespace admit::runtime {
namespace {

const NameSet kRoles{"customer", "seller", "admin"};
const NameSet kCategories{"general", "booking"};

std::vector<admit_status> on_fake_host() {
    conformance::answers.clear();
    admit::testing::FakeHost fake;
    fake.declare_access(kRoles, kCategories);
    EXPECT_TRUE(fake.load(admit_plugin_descriptor_conf()).ok());
    return conformance::answers;
}

std::vector<admit_status> on_admitd() {
    conformance::answers.clear();
    HostClock clock;
    Runtime runtime(RuntimeServices{}, clock, AccessRules{kRoles, kCategories, "admin"});
    PluginRecord record;
    record.name = "conf";
    record.handle.runtime = &runtime;
    record.handle.plugin = &record;
    const admit_plugin_descriptor* d = admit_plugin_descriptor_conf();
    record.registering = true;
    void* instance = nullptr;
    EXPECT_EQ(d->init(&host_api_table(), &record.handle, &instance, nullptr), ADMIT_OK);
    record.registering = false;
    d->destroy(instance);
    return conformance::answers;
}

TEST(FakeHostConformance, EveryRegistrationGetsTheSameAnswerAsOnAdmitd) {
    const auto fake = on_fake_host();
    const auto real = on_admitd();
    ASSERT_EQ(real.size(), 19u);
    EXPECT_EQ(fake, real);
    // And the answers are the intended ones, not merely equal.
    const std::vector<admit_status> expected{ADMIT_OK,
                                             ADMIT_OK,
                                             ADMIT_OK,
                                             ADMIT_E_INVALID_ARGUMENT,
                                             ADMIT_E_INVALID_ARGUMENT,  // roles
                                             ADMIT_OK,
                                             ADMIT_E_INVALID_ARGUMENT,  // rate
                                             ADMIT_E_INVALID_ARGUMENT,  // method
                                             ADMIT_OK,
                                             ADMIT_E_INVALID_ARGUMENT,
                                             ADMIT_E_INVALID_ARGUMENT,
                                             ADMIT_E_INVALID_ARGUMENT,
                                             ADMIT_OK,
                                             ADMIT_E_CONFLICT,
                                             ADMIT_E_INVALID_ARGUMENT,
                                             ADMIT_E_INVALID_ARGUMENT,  // events
                                             ADMIT_OK,
                                             ADMIT_E_CONFLICT,
                                             ADMIT_E_INVALID_ARGUMENT};  // jobs
    EXPECT_EQ(real, expected);
}

}  // namespace
}  // namespace admit::runtime
