#include "host/policy/revision.hpp"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace admit::policy {

std::string revision_of(std::string_view policy_source, std::string_view test_source) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    constexpr std::string_view policy_tag{"policy\0", 7};
    constexpr std::string_view test_tag{"\0test\0", 6};
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), policy_tag.data(), policy_tag.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), policy_source.data(), policy_source.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), test_tag.data(), test_tag.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), test_source.data(), test_source.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) != 1) {
        return "unhashed";
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < 8 && i < length; ++i) {
        out += hex[digest[i] >> 4];
        out += hex[digest[i] & 0xf];
    }
    return out;
}

}  // namespace admit::policy
