// The plugin loader and lifecycle against real shared libraries with broken shapes.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include <cstring>
#include <new>
#include <thread>

#include "host/abi/runtime.hpp"
#include "host/admin/builtin_routes.hpp"
#include "host/plugins/plugin_manager.hpp"

namespace admit::runtime {
namespace {

const std::filesystem::path kProbeDir = ADMIT_PROBE_DIR;

class LoaderTest : public ::testing::Test {
  protected:
    void SetUp() override {
        trace_ = std::filesystem::temp_directory_path() /
                 ("admit-trace-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove(trace_);
        ::setenv("ADMIT_TEST_TRACE", trace_.c_str(), 1);
    }
    void TearDown() override {
        manager_.reset();
        std::filesystem::remove(trace_);
    }

    Status load(std::vector<std::string> names, std::filesystem::path dir = kProbeDir) {
        manager_ = std::make_unique<PluginManager>(runtime_, host_api_table(), runtime_);
        return manager_->load(PluginLoadRequest{dir, std::move(names), {}});
    }

    std::string trace() const {
        std::ifstream in(trace_);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }

    HostClock clock_;
    Runtime runtime_{RuntimeServices{}, clock_};
    std::unique_ptr<PluginManager> manager_;
    std::filesystem::path trace_;
};

TEST_F(LoaderTest, StartsInDependencyOrderAndStopsInReverse) {
    ASSERT_TRUE(load({"probe_c", "probe_b", "probe_a"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    ASSERT_TRUE(manager_->start_all().ok());
    EXPECT_TRUE(manager_->all_started());
    manager_->stop_all();
    manager_->destroy_all();
    EXPECT_EQ(trace(),
              "probe_a:init\nprobe_b:init\nprobe_c:init\n"
              "probe_a:start\nprobe_b:start\nprobe_c:start\n"
              "probe_c:stop\nprobe_b:stop\nprobe_a:stop\n"
              "probe_c:destroy\nprobe_b:destroy\nprobe_a:destroy\n");
    auto match = runtime_.routes().match("GET", "/probe/probe_b");
    EXPECT_EQ(match.outcome, http::MatchOutcome::found);
}

TEST_F(LoaderTest, RefusesAFileThatIsNotASharedLibrary) {
    auto dir =
        std::filesystem::temp_directory_path() / ("admit-notalib-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "bogus.so") << "this is not an ELF file\n";
    auto s = load({"bogus"}, dir);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find((dir / "bogus.so").string()), std::string::npos);
    EXPECT_NE(s.error().message.find("not a loadable shared library"), std::string::npos);
    std::filesystem::remove_all(dir);
}

TEST_F(LoaderTest, RefusesALibraryOthersCouldReplace) {
    auto dir =
        std::filesystem::temp_directory_path() / ("admit-writable-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all |
                                          std::filesystem::perms::group_read |
                                          std::filesystem::perms::group_exec);
    std::filesystem::copy_file(kProbeDir / "probe_a.so", dir / "probe_a.so");
    using std::filesystem::perm_options;
    using std::filesystem::perms;
    ASSERT_TRUE(load({"probe_a"}, dir).ok()) << "a private copy loads";
    manager_.reset();

    std::filesystem::permissions(dir / "probe_a.so", perms::group_write, perm_options::add);
    auto file = load({"probe_a"}, dir);
    ASSERT_FALSE(file.ok());
    EXPECT_NE(file.error().message.find("the file is group- or world-writable"), std::string::npos)
        << file.error().message;
    EXPECT_NE(file.error().message.find("chmod go-w"), std::string::npos);
    manager_.reset();

    std::filesystem::permissions(dir / "probe_a.so", perms::group_write, perm_options::remove);
    std::filesystem::permissions(dir, perms::others_write, perm_options::add);
    auto folder = load({"probe_a"}, dir);
    ASSERT_FALSE(folder.ok());
    EXPECT_NE(folder.error().message.find("its folder is group- or world-writable"),
              std::string::npos)
        << folder.error().message;
    std::filesystem::remove_all(dir);
}

TEST_F(LoaderTest, RefusesAMissingFile) {
    auto s = load({"probe_absent"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("probe_absent.so: file not found"), std::string::npos);
}

TEST_F(LoaderTest, RefusesALibraryWithoutTheEntrySymbol) {
    auto s = load({"probe_noentry"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("no exported entry symbol 'admit_plugin_entry'"),
              std::string::npos);
}

TEST_F(LoaderTest, RefusesAnotherAbiMajor) {
    auto s = load({"probe_major"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("built for ABI 2.0"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("majors must be equal"), std::string::npos);
}

TEST_F(LoaderTest, RefusesANewerMinor) {
    auto s = load({"probe_minor"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("newer than this host's"), std::string::npos)
        << s.error().message;
}

TEST_F(LoaderTest, RefusesAFileWhoseNameDiffersFromTheListedName) {
    auto dir = std::filesystem::temp_directory_path() / ("admit-dup-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::filesystem::copy_file(kProbeDir / "probe_a.so", dir / "probe_a.so",
                               std::filesystem::copy_options::overwrite_existing);
    std::filesystem::copy_file(kProbeDir / "probe_a.so", dir / "impostor.so",
                               std::filesystem::copy_options::overwrite_existing);
    auto s = load({"probe_a", "impostor"}, dir);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("declares the name 'probe_a' but is listed as 'impostor'"),
              std::string::npos)
        << s.error().message;
    std::filesystem::remove_all(dir);
}

TEST_F(LoaderTest, RefusesAMissingDependencyBeforeRunningAnyPlugin) {
    auto s = load({"probe_a", "probe_orphan"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("depends on 'nowhere', which is not loaded"),
              std::string::npos);
    EXPECT_EQ(trace(), "");  // no init ran: nothing half-loaded
}

TEST_F(LoaderTest, RefusesADependencyCycle) {
    auto s = load({"probe_cycle_x", "probe_cycle_y"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("cycle"), std::string::npos);
}

TEST_F(LoaderTest, ReportsAllRefusedFilesTogether) {
    auto s = load({"probe_major", "probe_noentry"});
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("probe_major.so"), std::string::npos);
    EXPECT_NE(s.error().message.find("probe_noentry.so"), std::string::npos);
}

TEST_F(LoaderTest, FailedInitRollsBackRegistrationsAndDestroysEarlierPlugins) {
    ASSERT_TRUE(load({"probe_a", "probe_initfail"}).ok());
    auto s = manager_->init_all();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("plugin probe_initfail failed to initialize"),
              std::string::npos);
    EXPECT_NE(s.error().message.find("probe refuses to initialize"), std::string::npos);
    // The failed plugin's route was registered inside its init but never became live.
    EXPECT_EQ(runtime_.routes().match("GET", "/probe/probe_initfail").outcome,
              http::MatchOutcome::not_found);
    EXPECT_EQ(trace(),
              "probe_a:init\nprobe_initfail:init\nprobe_initfail:destroy\nprobe_a:destroy\n");
}

TEST_F(LoaderTest, FailedStartStopsTheStartedOnesInReverse) {
    ASSERT_TRUE(load({"probe_a", "probe_b", "probe_startfail"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto s = manager_->start_all();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("probe refuses to start"), std::string::npos);
    manager_->destroy_all();
    EXPECT_EQ(trace(),
              "probe_a:init\nprobe_b:init\nprobe_startfail:init\n"
              "probe_a:start\nprobe_b:start\nprobe_startfail:start\n"
              "probe_b:stop\nprobe_a:stop\n"
              "probe_startfail:destroy\nprobe_b:destroy\nprobe_a:destroy\n");
}

TEST_F(LoaderTest, RegistrationOutsideInitIsRefused) {
    ASSERT_TRUE(load({"probe_a"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    const auto& record = *manager_->plugins().front();
    admit_route_desc route{};
    route.size = sizeof route;
    route.method = {"GET", 3};
    route.path = {"/late", 5};
    route.roles = {"public", 6};
    route.handler = [](void*, const admit_request*, admit_response*) -> admit_status {
        return ADMIT_OK;
    };
    std::string error;
    admit_sink sink{&error, [](void* ctx, const char* d, size_t n) {
                        static_cast<std::string*>(ctx)->append(d, n);
                    }};
    auto* host = const_cast<admit_host*>(&record.handle);
    EXPECT_EQ(host_api_table().route_register(host, &route, &sink), ADMIT_E_STATE);
    EXPECT_NE(error.find("only be called during init"), std::string::npos);
}

// A plugin built before `health` existed: the host lists it without calling the function pointer
// that lies beyond the descriptor's size (the probe traces "health-called" if it is called).
TEST_F(LoaderTest, NeverReadsADescriptorFieldBeyondItsSize) {
    ASSERT_TRUE(load({"probe_truncated"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    ASSERT_TRUE(manager_->start_all().ok());
    BuiltinContext context;
    context.plugins = manager_.get();
    context.clock = &clock_;
    ASSERT_TRUE(add_builtin_routes(runtime_.routes(), std::move(context)).ok());
    auto match = runtime_.routes().match("GET", "/api/v1/admin/plugins");
    ASSERT_EQ(match.outcome, http::MatchOutcome::found);
    http::Request request;
    request.method = "GET";
    request.path = "/api/v1/admin/plugins";
    Caller admin;
    admin.subject = "u_admin";
    admin.roles = {"admin"};
    auto listing = (**match.value).builtin(BuiltinCall{request, admin});
    EXPECT_EQ(listing.status, 200);
    EXPECT_NE(listing.body.find("probe_truncated"), std::string::npos) << listing.body;
    manager_->stop_all();
    EXPECT_EQ(trace().find("health-called"), std::string::npos) << trace();
}

// A route written by a peer that knew no `flags`: garbage past its size is not read as flags.
TEST_F(LoaderTest, IgnoresRouteFieldsBeyondTheRouteDescriptorSize) {
    ASSERT_TRUE(load({"probe_oldroute"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto match = runtime_.routes().match("GET", "/probe/probe_oldroute/flags");
    ASSERT_EQ(match.outcome, http::MatchOutcome::found);
    EXPECT_FALSE((**match.value).own_idempotency);
}

// A route descriptor that ends before its handler is refused with a message, and the plugin's
// init fails naming it; nothing of it becomes live.
TEST_F(LoaderTest, RefusesARouteDescriptorTooShortForItsHandler) {
    ASSERT_TRUE(load({"probe_shortroute"}).ok());
    auto s = manager_->init_all();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("probe_shortroute"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("route descriptor of at least"), std::string::npos)
        << s.error().message;
    EXPECT_EQ(runtime_.routes().match("GET", "/probe/probe_shortroute").outcome,
              http::MatchOutcome::not_found);
}

// ABI 1.2: a route's contract is compiled at registration and kept on the live route.
TEST_F(LoaderTest, KeepsTheContractARouteRegisters) {
    ASSERT_TRUE(load({"probe_contract"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto match = runtime_.routes().match("POST", "/probe/probe_contract/contract");
    ASSERT_EQ(match.outcome, http::MatchOutcome::found);
    const auto& contract = (**match.value).contract;
    ASSERT_TRUE(contract);
    EXPECT_EQ(contract->operation_id, "probeContract");
    EXPECT_TRUE(contract->request.has_value());
    EXPECT_EQ(contract->errors.at(409), std::vector<std::string>{"PROBE_CONFLICT"});
}

// A 1.1 plugin's descriptor ends before the contract: the garbage after it is never read.
TEST_F(LoaderTest, ARouteDescriptorOfAnOlderMinorHasNoContract) {
    ASSERT_TRUE(load({"probe_oldcontract"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto match = runtime_.routes().match("POST", "/probe/probe_oldcontract/contract");
    ASSERT_EQ(match.outcome, http::MatchOutcome::found);
    EXPECT_FALSE((**match.value).contract);
}

// A contract with a misspelt keyword fails the plugin's init, naming plugin, route and keyword.
TEST_F(LoaderTest, RefusesAContractItCannotEnforce) {
    ASSERT_TRUE(load({"probe_badcontract"}).ok());
    auto s = manager_->init_all();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("probe_badcontract"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("/contract"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("requried"), std::string::npos) << s.error().message;
    EXPECT_EQ(runtime_.routes().match("GET", "/probe/probe_badcontract").outcome,
              http::MatchOutcome::not_found);
}

// Two plugins may not claim one operationId: the second one's init fails and nothing of it is
// live.
TEST_F(LoaderTest, RefusesAnOperationIdAnotherPluginAlreadyUses) {
    ASSERT_TRUE(load({"probe_contract", "probe_contract_twin"}).ok());
    auto s = manager_->init_all();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("operationId 'probeContract'"), std::string::npos)
        << s.error().message;
}

// Every entry of the function table is filled, and an exception thrown inside a host function (here
// by the plugin's own error sink) comes back as ADMIT_E_INTERNAL instead of unwinding into the
// plugin.
TEST_F(LoaderTest, HostFunctionsNeverLetAnExceptionCrossTheAbi) {
    const auto& api = host_api_table();
    const auto* first = reinterpret_cast<const char*>(&api.config_json);
    const auto* end = reinterpret_cast<const char*>(&api) + api.size;
    for (const char* slot = first; slot + sizeof(void*) <= end; slot += sizeof(void*)) {
        void* fn = nullptr;
        std::memcpy(&fn, slot, sizeof fn);
        EXPECT_NE(fn, nullptr) << "empty table slot at offset "
                               << (slot - reinterpret_cast<const char*>(&api));
    }

    ASSERT_TRUE(load({"probe_a"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto* host = const_cast<admit_host*>(&manager_->plugins().front()->handle);
    admit_sink throwing{nullptr, [](void*, const char*, size_t) { throw std::bad_alloc(); }};
    admit_route_desc route{};
    route.size = sizeof route;
    admit_status status = ADMIT_OK;
    EXPECT_NO_THROW(
        status = api.route_register(host, &route, &throwing));  // not in init: writes an error
    EXPECT_EQ(status, ADMIT_E_INTERNAL);
    EXPECT_NO_THROW(api.config_json(host, &throwing));
}

// The threading contract of abi.h for threads a plugin starts itself: between start and stop they
// may call the thread-safe host functions, while every registration answers ADMIT_E_STATE.
TEST_F(LoaderTest, APluginsOwnThreadMayCallHostFunctionsButNeverRegister) {
    ASSERT_TRUE(load({"probe_a"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    ASSERT_TRUE(manager_->start_all().ok());
    auto* host = const_cast<admit_host*>(&manager_->plugins().front()->handle);
    const auto& api = host_api_table();
    admit_status registered = ADMIT_OK, called = ADMIT_OK;
    int64_t now = 0;
    std::thread worker([&] {
        admit_route_desc route{};
        route.size = sizeof route;
        route.method = {"GET", 3};
        route.path = {"/from-a-thread", 14};
        route.roles = {"public", 6};
        route.handler = [](void*, const admit_request*, admit_response*) -> admit_status {
            return ADMIT_OK;
        };
        registered = api.route_register(host, &route, nullptr);
        now = api.now_us(host);
        api.log(host, ADMIT_LOG_INFO, {"from the plugin's own thread", 28});
        called = api.service_call(host, {"nobody.call", 11}, nullptr, {"{}", 2}, nullptr, nullptr);
    });
    worker.join();
    EXPECT_EQ(registered, ADMIT_E_STATE);
    EXPECT_GT(now, 0);
    EXPECT_EQ(called, ADMIT_E_UNAVAILABLE);
    EXPECT_EQ(runtime_.routes().match("GET", "/from-a-thread").outcome,
              http::MatchOutcome::not_found);
    manager_->stop_all();
}

// A service call to a provider that is not loaded fails closed: UNAVAILABLE, never NOT_FOUND.
TEST_F(LoaderTest, AServiceCallToAnAbsentProviderFailsClosed) {
    ASSERT_TRUE(load({"probe_a"}).ok());
    ASSERT_TRUE(manager_->init_all().ok());
    auto* host = const_cast<admit_host*>(&manager_->plugins().front()->handle);
    std::string error;
    admit_sink sink{&error, [](void* ctx, const char* d, size_t n) {
                        static_cast<std::string*>(ctx)->append(d, n);
                    }};
    EXPECT_EQ(host_api_table().service_call(host, {"product.stage_in_use", 20}, nullptr, {"{}", 2},
                                            nullptr, &sink),
              ADMIT_E_UNAVAILABLE);
    EXPECT_NE(error.find("product.stage_in_use"), std::string::npos) << error;
}

}  // namespace
}  // namespace admit::runtime
