// Response::send: a shared (cached) body goes to the host borrowed, without a copy, and the SDK's
// reference is dropped exactly when the host releases it; a host whose table predates
// response_body_borrowed gets a copy through response_body instead.
#include <admit/sdk/response.hpp>

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <string>

namespace {

// What the recording host saw; one per test (the host functions are plain C callbacks).
struct Seen {
    int status = 0;
    std::string copied_body;
    const char* borrowed_ptr = nullptr;
    std::size_t borrowed_len = 0;
    void (*release)(void*) = nullptr;
    void* release_ctx = nullptr;
};
Seen seen;

void record_status(admit_response*, int32_t status) { seen.status = status; }
void record_header(admit_response*, admit_str, admit_str) {}
void record_body(admit_response*, admit_str body, admit_str) {
    seen.copied_body.assign(body.ptr, body.len);
}
void record_borrowed(admit_response*, admit_str body, admit_str, void (*release)(void*),
                     void* ctx) {
    seen.borrowed_ptr = body.ptr;
    seen.borrowed_len = body.len;
    seen.release = release;
    seen.release_ctx = ctx;
}

admit_host_api recording_api(bool knows_borrowed) {
    admit_host_api api{};
    api.size =
        knows_borrowed ? sizeof(admit_host_api) : offsetof(admit_host_api, response_body_borrowed);
    api.response_status = &record_status;
    api.response_header = &record_header;
    api.response_body = &record_body;
    api.response_body_borrowed = knows_borrowed ? &record_borrowed : nullptr;
    return api;
}

TEST(ResponseSend, SharedBodyIsLentToTheHostUntilItReleasesIt) {
    seen = {};
    auto cached = std::make_shared<const std::string>(R"({"seats":[]})");
    {
        admit::sdk::Response response;
        response.shared_body = cached;
        const admit_host_api api = recording_api(true);
        response.send(&api, nullptr);
    }
    EXPECT_EQ(seen.status, 200);
    EXPECT_TRUE(seen.copied_body.empty());
    EXPECT_EQ(seen.borrowed_ptr, cached->data()) << "the bytes were copied";
    EXPECT_EQ(seen.borrowed_len, cached->size());
    ASSERT_NE(seen.release, nullptr);
    EXPECT_EQ(cached.use_count(), 2) << "the host's reference keeps the body alive";
    seen.release(seen.release_ctx);
    EXPECT_EQ(cached.use_count(), 1);
}

TEST(ResponseSend, OlderHostGetsACopy) {
    seen = {};
    auto cached = std::make_shared<const std::string>(R"({"seats":[]})");
    admit::sdk::Response response;
    response.shared_body = cached;
    const admit_host_api api = recording_api(false);
    response.send(&api, nullptr);
    EXPECT_EQ(seen.copied_body, *cached);
    EXPECT_EQ(seen.borrowed_ptr, nullptr);
    EXPECT_EQ(cached.use_count(), 2) << "only the response itself still refers to it";
}

}  // namespace
