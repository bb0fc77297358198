// PayloadBody: the Beast body type of admitd's responses. It holds either an owned string or
// bytes borrowed from an owner (see Response::borrowed_body) that it keeps alive, so a cached
// body reaches the socket without a copy. Serialization only (responses are never parsed).
// Internal to admit_http (included by connection.hpp only: Beast compiles slowly).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>

namespace admit::http::detail {

struct PayloadBody {
    struct value_type {
        std::string owned;
        std::optional<std::string_view> borrowed;  ///< set: sent instead of `owned`
        std::shared_ptr<const void> owner;  ///< keeps `borrowed` valid; null for static bytes

        std::string_view bytes() const noexcept {
            return borrowed ? *borrowed : std::string_view(owned);
        }
    };

    static std::uint64_t size(const value_type& body) noexcept { return body.bytes().size(); }

    class writer {
      public:
        using const_buffers_type = boost::asio::const_buffer;

        template <bool isRequest, class Fields>
        writer(const boost::beast::http::header<isRequest, Fields>&, const value_type& body)
            : body_(body) {}

        void init(boost::beast::error_code& ec) { ec = {}; }

        // The whole body in one buffer (as Beast's string_body does).
        boost::optional<std::pair<const_buffers_type, bool>> get(boost::beast::error_code& ec) {
            ec = {};
            const std::string_view bytes = body_.bytes();
            return {{const_buffers_type(bytes.data(), bytes.size()), false}};
        }

      private:
        const value_type& body_;
    };
};

}  // namespace admit::http::detail
