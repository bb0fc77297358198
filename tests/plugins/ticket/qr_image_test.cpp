// QR images: the SVG is an XML document with root <svg> whose path covers exactly the dark
// modules; the PNG has the PNG signature, a consistent IHDR, valid CRCs and an IDAT that
// inflates to the drawn modules.
#include "codes/qr_image.hpp"
#include "ticket_fixtures.hpp"

#include <gtest/gtest.h>
#include <zlib.h>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>

#include <regex>
#include <sstream>

namespace admit::ticket {
namespace {

using namespace testing;

uint32_t read_u32(const std::string& bytes, std::size_t at) {
    uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) value = value << 8 | static_cast<uint8_t>(bytes[at + i]);
    return value;
}

class QrImages : public ::testing::Test {
  protected:
    VenueSigningKey venue = VenueSigningKey::generate();
    TicketKeyPair ticket = TicketKeyPair::generate();
    std::string code = rotating_code(venue, ticket, kNow);
};

TEST_F(QrImages, SvgIsAnXmlSvgDocumentDrawnWithPaths) {
    const auto svg = qr_svg(code);
    ASSERT_TRUE(svg.ok()) << svg.error().message;
    boost::property_tree::ptree tree;
    std::istringstream in(*svg);
    ASSERT_NO_THROW(boost::property_tree::read_xml(in, tree));
    ASSERT_EQ(tree.size(), 1u);
    EXPECT_EQ(tree.front().first, "svg");
    EXPECT_EQ(svg->find("<rect x="), std::string::npos);  // no rect per module

    // The path's runs cover exactly the dark modules.
    const auto matrix = qr_matrix(code, QrErrorCorrection::medium);
    ASSERT_TRUE(matrix.ok());
    std::size_t dark = 0;
    for (uint8_t module : matrix->dark) dark += module;
    const std::regex run("M(\\d+),(\\d+)h(\\d+)v1h-(\\d+)z");
    std::size_t covered = 0;
    for (auto it = std::sregex_iterator(svg->begin(), svg->end(), run);
         it != std::sregex_iterator(); ++it) {
        covered += std::stoul((*it)[3]);
    }
    EXPECT_EQ(covered, dark);
    EXPECT_NE(svg->find("viewBox=\"0 0 " + std::to_string(matrix->size + 8) + " "),
              std::string::npos);
}

TEST_F(QrImages, PngHasTheSignatureValidChunksAndTheModules) {
    const QrOptions options{QrErrorCorrection::medium, 4, 3};
    const auto png = qr_png(code, options);
    ASSERT_TRUE(png.ok()) << png.error().message;
    ASSERT_GT(png->size(), 8u);
    EXPECT_EQ(png->substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));

    const auto matrix = qr_matrix(code, options.level);
    ASSERT_TRUE(matrix.ok());
    const uint32_t side = static_cast<uint32_t>((matrix->size + 8) * 3);

    std::string idat;
    std::size_t at = 8;
    std::vector<std::string> types;
    while (at + 12 <= png->size()) {
        const uint32_t length = read_u32(*png, at);
        const std::string type = png->substr(at + 4, 4);
        ASSERT_LE(at + 12 + length, png->size());
        const auto* covered = reinterpret_cast<const Bytef*>(png->data() + at + 4);
        EXPECT_EQ(crc32(0L, covered, length + 4), read_u32(*png, at + 8 + length)) << type;
        if (type == "IHDR") {
            EXPECT_EQ(read_u32(*png, at + 8), side);
            EXPECT_EQ(read_u32(*png, at + 12), side);
            EXPECT_EQ(png->at(at + 16), 1);  // bit depth
            EXPECT_EQ(png->at(at + 17), 0);  // grayscale
        }
        if (type == "IDAT") idat += png->substr(at + 8, length);
        types.push_back(type);
        at += 12 + length;
    }
    EXPECT_EQ(at, png->size());
    EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));

    const std::size_t row_bytes = 1 + (side + 7) / 8;
    std::vector<Bytef> raw(row_bytes * side);
    uLongf raw_size = raw.size();
    ASSERT_EQ(
        uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
        Z_OK);
    ASSERT_EQ(raw_size, raw.size());
    // Every module's top-left pixel is black exactly when the module is dark.
    for (int my = 0; my < matrix->size; ++my) {
        for (int mx = 0; mx < matrix->size; ++mx) {
            const std::size_t x = static_cast<std::size_t>((mx + 4) * 3),
                              y = static_cast<std::size_t>((my + 4) * 3);
            const bool white = raw[y * row_bytes + 1 + x / 8] & (0x80 >> (x % 8));
            ASSERT_EQ(!white, matrix->at(mx, my)) << mx << "," << my;
        }
    }
}

TEST_F(QrImages, CodesFitTheVersionsTheReadmeStates) {
    // Base45 uses the alphanumeric mode only, so the version depends on the length alone.
    const auto rotating = qr_matrix(code, QrErrorCorrection::medium);
    ASSERT_TRUE(rotating.ok());
    EXPECT_EQ(rotating->size, 61);  // version 11
    const auto printed = qr_matrix(static_code(venue, sample_payload()), QrErrorCorrection::medium);
    ASSERT_TRUE(printed.ok());
    EXPECT_EQ(printed->size, 45);  // version 7
}

TEST_F(QrImages, RefusesWhatCannotBeAQrCode) {
    EXPECT_FALSE(qr_svg("").ok());
    EXPECT_FALSE(qr_png(std::string(8000, 'A')).ok());  // beyond version 40
    EXPECT_FALSE(qr_png(code, QrOptions{QrErrorCorrection::medium, 4, 0}).ok());
}

}  // namespace
}  // namespace admit::ticket
