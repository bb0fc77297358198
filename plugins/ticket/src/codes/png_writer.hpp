// A minimal PNG encoder for black-and-white images (1-bit grayscale, one IDAT compressed with
// zlib), which is all a QR code needs. Pure function, thread-safe.
#pragma once

#include <admit/sdk/result.hpp>

#include <cstdint>
#include <functional>
#include <string>

namespace admit::ticket {

/// PNG file bytes of a width x height image where dark(x, y) says which pixels are black.
/// ADMIT_E_INVALID_ARGUMENT for an empty or over-large (> 8192 px a side) image.
sdk::Result<std::string> encode_bilevel_png(int width, int height,
                                            const std::function<bool(int x, int y)>& dark);

}  // namespace admit::ticket
