// What ADMIT_PLUGIN puts into the descriptor, and the version checks of the loader.
#include <admit/sdk.hpp>
#include <admit/testing/fake_host.hpp>

#include <gtest/gtest.h>

#include <cstring>

ADMIT_DECLARE_PLUGIN(hello);
extern "C" const admit_plugin_descriptor* admit_plugin_entry(void);  // linked in from hello_objects

namespace {

class Tagged final : public admit::sdk::Plugin {
  public:
    admit::sdk::Status init(admit::sdk::Host&) override { return {}; }
};

}  // namespace

ADMIT_PLUGIN_DESCRIPTOR(tagged, Tagged, "3.1.4", ADMIT_DEPENDS("auth", "product"),
                        ADMIT_CAPABILITIES("authenticator"));

namespace {

TEST(Descriptor, CarriesNameVersionAndAbi) {
    const admit_plugin_descriptor* d = admit_plugin_descriptor_hello();
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->size, sizeof(admit_plugin_descriptor));
    EXPECT_EQ(d->abi_major, ADMIT_ABI_MAJOR);
    EXPECT_EQ(d->abi_minor, ADMIT_ABI_MINOR);
    EXPECT_STREQ(d->name, "hello");
    EXPECT_STREQ(d->version, "1.0.0");
    EXPECT_EQ(d->dependency_count, 0u);
    EXPECT_EQ(d->capability_count, 0u);
    EXPECT_NE(d->init, nullptr);
    EXPECT_NE(d->start, nullptr);
    EXPECT_NE(d->stop, nullptr);
    EXPECT_NE(d->destroy, nullptr);
    EXPECT_NE(d->health, nullptr);
    EXPECT_EQ(admit_plugin_entry(), d) << "the exported entry returns the same static descriptor";
}

TEST(Descriptor, DependenciesAndCapabilities) {
    const admit_plugin_descriptor* d = admit_plugin_descriptor_tagged();
    EXPECT_STREQ(d->version, "3.1.4");
    ASSERT_EQ(d->dependency_count, 2u);
    EXPECT_STREQ(d->dependencies[0], "auth");
    EXPECT_STREQ(d->dependencies[1], "product");
    ASSERT_EQ(d->capability_count, 1u);
    EXPECT_STREQ(d->capabilities[0], "authenticator");
}

TEST(Descriptor, LoaderRefusesIncompatibleVersionsNamingBoth) {
    admit_plugin_descriptor newer = *admit_plugin_descriptor_tagged();
    newer.abi_minor = ADMIT_ABI_MINOR + 1;
    admit::testing::FakeHost fake;
    auto status = fake.load(&newer);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.status(), ADMIT_E_UNSUPPORTED);
    EXPECT_NE(status.message().find("1." + std::to_string(ADMIT_ABI_MINOR + 1)), std::string::npos)
        << status.message();

    admit_plugin_descriptor other_major = *admit_plugin_descriptor_tagged();
    other_major.abi_major = ADMIT_ABI_MAJOR + 1;
    EXPECT_EQ(fake.load(&other_major).status(), ADMIT_E_UNSUPPORTED);
    EXPECT_TRUE(fake.load(admit_plugin_descriptor_tagged()).ok());
}

TEST(Descriptor, InitRefusesAHostOfAnotherMajor) {
    admit_host_api api{};
    api.size = sizeof api;
    api.abi_major = ADMIT_ABI_MAJOR + 1;
    void* instance = reinterpret_cast<void*>(1);
    admit::sdk::StringSink error;
    EXPECT_EQ(admit_plugin_descriptor_tagged()->init(&api, nullptr, &instance, error.get()),
              ADMIT_E_UNSUPPORTED);
    EXPECT_EQ(instance, nullptr);
    EXPECT_FALSE(error.text().empty());
}

TEST(Descriptor, HostOffersChecksTheTableSize) {
    admit_host_api api{};
    api.metric_record = [](admit_metric*, double) {};
    api.size = sizeof api;
    EXPECT_TRUE(ADMIT_HOST_OFFERS(&api, metric_record));
    api.size = static_cast<uint32_t>(offsetof(admit_host_api, metric_record));
    EXPECT_FALSE(ADMIT_HOST_OFFERS(&api, metric_record));
    EXPECT_FALSE(ADMIT_HOST_OFFERS(static_cast<const admit_host_api*>(nullptr), metric_record));
}

}  // namespace
