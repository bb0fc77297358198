// QR code images of a code (libqrencode makes the modules; this file only draws them):
// a path-based SVG (one <path>, a run of dark modules per subpath) and a 1-bit PNG.
// Base45 text fits the QR alphanumeric mode, which libqrencode picks by itself.
// Thread-safe (libqrencode is built with its mutex on Debian).
#pragma once

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace admit::ticket {

enum class QrErrorCorrection { low, medium, quartile, high };

struct QrOptions {
    QrErrorCorrection level = QrErrorCorrection::medium;
    int quiet_zone = 4;     ///< light modules around the symbol (the standard asks for 4)
    int module_pixels = 8;  ///< PNG only: pixels per module side (1..32)
};

/// The symbol's modules, row-major, 1 = dark.
struct QrMatrix {
    int size = 0;
    std::vector<uint8_t> dark;
    bool at(int x, int y) const { return dark[static_cast<std::size_t>(y) * size + x] != 0; }
};

/// ADMIT_E_INVALID_ARGUMENT for empty text, text with NUL, or text too long for any QR version.
sdk::Result<QrMatrix> qr_matrix(std::string_view text, QrErrorCorrection level);

/// A standalone SVG document (root <svg>, viewBox in modules, crisp edges).
sdk::Result<std::string> qr_svg(std::string_view text, const QrOptions& options = {});
/// PNG file bytes.
sdk::Result<std::string> qr_png(std::string_view text, const QrOptions& options = {});

}  // namespace admit::ticket
