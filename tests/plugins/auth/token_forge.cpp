#include "token_forge.hpp"

#include "encoding.hpp"

#include <sodium.h>

namespace admit::auth::testing {
namespace {

std::string signing_input(const boost::json::object& header, const boost::json::object& payload) {
    return base64url_encode(boost::json::serialize(header)) + "." +
           base64url_encode(boost::json::serialize(payload));
}

boost::json::object part_of(const std::string& token, int index) {
    std::size_t start = 0;
    for (int i = 0; i < index; ++i) start = token.find('.', start) + 1;
    const auto end = token.find('.', start);
    auto text = base64url_decode(std::string_view(token).substr(start, end - start));
    return text ? boost::json::parse(*text).as_object() : boost::json::object{};
}

}  // namespace

std::string forge_eddsa(const boost::json::object& header, const boost::json::object& payload,
                        const SigningKey& key) {
    std::string input = signing_input(header, payload);
    unsigned char signature[crypto_sign_BYTES];
    crypto_sign_detached(signature, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                         input.size(), key.secret->data());
    return input + "." +
           base64url_encode(
               std::string_view(reinterpret_cast<const char*>(signature), sizeof signature));
}

std::string forge_hs256(const boost::json::object& header, const boost::json::object& payload,
                        std::string_view secret) {
    std::string input = signing_input(header, payload);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state state;
    crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(secret.data()),
                                secret.size());
    crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()),
                                  input.size());
    crypto_auth_hmacsha256_final(&state, mac);
    return input + "." +
           base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

std::string forge_unsigned(const boost::json::object& header, const boost::json::object& payload) {
    return signing_input(header, payload) + ".";
}

boost::json::object payload_of(const std::string& token) { return part_of(token, 1); }
boost::json::object header_of(const std::string& token) { return part_of(token, 0); }

}  // namespace admit::auth::testing

namespace admit::auth::testing {

std::vector<HostileToken> hostile_tokens(const boost::json::object& header,
                                         const boost::json::object& payload, const SigningKey& key,
                                         const SigningKey& stranger, int64_t now) {
    std::vector<HostileToken> out;
    const auto with = [](boost::json::object object, std::string_view field,
                         boost::json::value value) {
        object[field] = std::move(value);
        return object;
    };
    const auto without = [](boost::json::object object, std::string_view field) {
        object.erase(field);
        return object;
    };
    const std::string valid = forge_eddsa(header, payload, key);
    const std::string public_raw(reinterpret_cast<const char*>(key.public_key.data()),
                                 key.public_key.size());

    std::string flipped = valid;
    char& c = flipped[flipped.size() - 10];
    c = (c == 'A') ? 'B' : 'A';
    out.push_back({"tampered signature", flipped});
    {
        const auto dot1 = valid.find('.');
        const auto dot2 = valid.find('.', dot1 + 1);
        const std::string forged_payload =
            base64url_encode(boost::json::serialize(with(payload, "role", "admin")));
        out.push_back(
            {"tampered payload", valid.substr(0, dot1 + 1) + forged_payload + valid.substr(dot2)});
    }
    out.push_back({"alg none, no signature", forge_unsigned(with(header, "alg", "none"), payload)});
    out.push_back(
        {"alg none, with signature", forge_eddsa(with(header, "alg", "none"), payload, key)});
    out.push_back({"alg missing", forge_eddsa(without(header, "alg"), payload, key)});
    out.push_back({"HS256 keyed with the raw public key",
                   forge_hs256(with(header, "alg", "HS256"), payload, public_raw)});
    out.push_back({"HS256 keyed with the JWK x",
                   forge_hs256(with(header, "alg", "HS256"), payload, key.public_text())});
    out.push_back({"RS256 header", forge_eddsa(with(header, "alg", "RS256"), payload, key)});
    out.push_back({"ES256 header", forge_eddsa(with(header, "alg", "ES256"), payload, key)});
    out.push_back({"wrong typ", forge_eddsa(with(header, "typ", "JWT"), payload, key)});
    out.push_back({"typ missing", forge_eddsa(without(header, "typ"), payload, key)});
    out.push_back({"crit header",
                   forge_eddsa(with(header, "crit", boost::json::array{"exp"}), payload, key)});
    out.push_back({"kid missing", forge_eddsa(without(header, "kid"), payload, key)});
    out.push_back(
        {"unknown kid", forge_eddsa(with(header, "kid", stranger.kid.c_str()), payload, stranger)});
    out.push_back({"stranger key under our kid", forge_eddsa(header, payload, stranger)});
    out.push_back({"wrong aud", forge_eddsa(header, with(payload, "aud", "someone-else"), key)});
    out.push_back({"aud list without us",
                   forge_eddsa(header, with(payload, "aud", boost::json::array{"x", "y"}), key)});
    out.push_back({"aud missing", forge_eddsa(header, without(payload, "aud"), key)});
    out.push_back(
        {"wrong iss", forge_eddsa(header, with(payload, "iss", "https://evil.example"), key)});
    out.push_back({"iss missing", forge_eddsa(header, without(payload, "iss"), key)});
    out.push_back(
        {"expired",
         forge_eddsa(header, with(with(payload, "exp", now - 3600), "iat", now - 4200), key)});
    out.push_back({"exp missing", forge_eddsa(header, without(payload, "exp"), key)});
    out.push_back(
        {"exp as text",
         forge_eddsa(header, with(payload, "exp", std::to_string(now + 600).c_str()), key)});
    out.push_back({"not yet valid", forge_eddsa(header, with(payload, "nbf", now + 3600), key)});
    out.push_back(
        {"issued in the future", forge_eddsa(header, with(payload, "iat", now + 3600), key)});
    out.push_back({"unknown role", forge_eddsa(header, with(payload, "role", "root"), key)});
    out.push_back({"sub missing", forge_eddsa(header, without(payload, "sub"), key)});
    out.push_back({"truncated signature", valid.substr(0, valid.size() - 5)});
    out.push_back({"signature part missing", valid.substr(0, valid.rfind('.') + 1)});
    out.push_back({"two parts", valid.substr(0, valid.rfind('.'))});
    out.push_back({"header only", valid.substr(0, valid.find('.'))});
    out.push_back({"four parts", valid + ".AAAA"});
    out.push_back({"padded signature", valid + "=="});
    out.push_back({"standard base64 alphabet", [&] {
                       std::string t = valid;
                       for (char& ch : t) ch = (ch == '-') ? '+' : (ch == '_') ? '/' : ch;
                       return t == valid ? valid.substr(0, valid.size() - 1) + "+" : t;
                   }()});
    out.push_back({"garbage", "garbage"});
    out.push_back({"three empty parts", ".."});
    out.push_back({"dots only", "a.b.c"});
    out.push_back({"binary noise", std::string("\x01\xff\xfe.\x80\x81.\x00\x7f", 11)});
    out.push_back(
        {"header is not JSON", base64url_encode("not json") + valid.substr(valid.find('.'))});
    {
        const std::string input =
            base64url_encode(boost::json::serialize(header)) + "." + base64url_encode("[1,2,3]");
        unsigned char sig[crypto_sign_BYTES];
        crypto_sign_detached(sig, nullptr, reinterpret_cast<const unsigned char*>(input.data()),
                             input.size(), key.secret->data());
        out.push_back(
            {"payload is an array", input + "." +
                                        base64url_encode(std::string_view(
                                            reinterpret_cast<const char*>(sig), sizeof sig))});
    }
    out.push_back({"oversized", valid + std::string(5000, 'A')});
    return out;
}

}  // namespace admit::auth::testing
