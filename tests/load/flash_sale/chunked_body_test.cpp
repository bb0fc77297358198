// ChunkedBody: a chunked body decodes to the same bytes however the network cuts it.
#include "tests/load/flash_sale/chunked_body.hpp"

#include <cstdio>
#include <string>

#include <gtest/gtest.h>

namespace admit::load {
namespace {

// Two SSE frames in three chunks; the second chunk boundary falls inside the second frame's data
// line, where nginx put it when the frame outgrew its proxy buffer.
const std::string kBody =
    "event: seat\ndata: {\"seatIds\":[\"a1\",\"a2\"],\"status\":\"HELD\"}\n\n"
    "event: seat\ndata: {\"seatIds\":[\"b1\",\"b2\",\"b3\"],\"status\":\"HELD\"}\n\n";
std::string chunked(const std::string& body, std::size_t cut1, std::size_t cut2) {
    auto chunk = [](const std::string& data) {
        char size[16];
        std::snprintf(size, sizeof size, "%zx", data.size());
        return std::string(size) + "\r\n" + data + "\r\n";
    };
    return chunk(body.substr(0, cut1)) + chunk(body.substr(cut1, cut2 - cut1)) +
           chunk(body.substr(cut2));
}

TEST(ChunkedBody, DecodesTheBodyHoweverTheReadsCutIt) {
    const std::size_t inside_second_frame = kBody.find("b2");
    const std::string wire = chunked(kBody, 20, inside_second_frame);
    for (std::size_t piece = 1; piece <= wire.size(); ++piece) {
        ChunkedBody body;
        std::string raw, out;
        for (std::size_t at = 0; at < wire.size(); at += piece) {
            raw += wire.substr(at, piece);
            ASSERT_TRUE(body.decode(raw, out)) << "piece " << piece << " at " << at;
        }
        EXPECT_EQ(out, kBody) << "read " << piece << " bytes at a time";
        EXPECT_TRUE(raw.empty());
    }
}

TEST(ChunkedBody, SizeExtensionsAndUpperCaseHexAreRead) {
    ChunkedBody body;
    std::string raw = "A;name=value\r\n0123456789\r\n", out;
    EXPECT_TRUE(body.decode(raw, out));
    EXPECT_EQ(out, "0123456789");
}

TEST(ChunkedBody, TheLastChunkEndsTheBody) {
    ChunkedBody body;
    std::string raw = "3\r\nabc\r\n0\r\n\r\n", out;
    EXPECT_FALSE(body.decode(raw, out));
    EXPECT_EQ(out, "abc");
}

TEST(ChunkedBody, AMalformedSizeLineOrChunkEndEndsTheBody) {
    {
        ChunkedBody body;
        std::string raw = "zz\r\nabc\r\n", out;
        EXPECT_FALSE(body.decode(raw, out));
        EXPECT_EQ(out, "");
    }
    {
        ChunkedBody body;
        std::string raw = "3\r\nabcXY4\r\n", out;  // no CRLF after the chunk's data
        EXPECT_FALSE(body.decode(raw, out));
        EXPECT_EQ(out, "abc");
    }
}

}  // namespace
}  // namespace admit::load
