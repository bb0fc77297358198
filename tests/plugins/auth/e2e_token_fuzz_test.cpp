// The token fuzzer through a real admitd: every hostile token is answered 401 on a protected
// route, while the same construction without the defect is accepted (the control).
#include "auth_e2e_fixture.hpp"
#include "token_forge.hpp"

#include <algorithm>
#include <ctime>

namespace admit::auth::testing {
namespace {

using TokenFuzz = AuthEndToEnd;

TEST_F(TokenFuzz, EveryHostileTokenIsRefusedWith401) {
    signup("target@example.com");
    const auto session = login("target@example.com");
    const auto header = header_of(session.access);
    const auto payload = payload_of(session.access);
    ASSERT_EQ(get("/api/v1/auth/me", forge_eddsa(header, payload, *key_)).status, 200)
        << "control token";

    const SigningKey stranger = SigningKey::generate(0);
    const auto cases =
        hostile_tokens(header, payload, *key_, stranger, static_cast<int64_t>(std::time(nullptr)));
    for (const auto& hostile : cases) {
        auto r = get("/api/v1/auth/me", hostile.token);
        const bool header_safe = std::all_of(hostile.token.begin(), hostile.token.end(),
                                             [](char c) { return c > 0x20 && c < 0x7f; });
        if (!header_safe && r.status == 400) continue;  // the HTTP layer refuses the header itself
        EXPECT_EQ(r.status, 401) << hostile.name << ": " << r.body;
        if (r.status == 401) {
            EXPECT_EQ(code_of(r), "UNAUTHENTICATED") << hostile.name;
        }
    }
    EXPECT_EQ(
        request("GET", "/api/v1/auth/me", "", "", {{"Authorization", "Basic dXNlcjpwYXNz"}}).status,
        401);
    EXPECT_EQ(request("GET", "/api/v1/auth/me", "", "", {{"Authorization", "Bearer"}}).status, 401);
    EXPECT_EQ(get("/api/v1/auth/me", session.access).status, 200) << "the real token still works";
}

}  // namespace
}  // namespace admit::auth::testing
