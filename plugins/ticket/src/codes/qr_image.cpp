#include "qr_image.hpp"

#include "png_writer.hpp"

#include <qrencode.h>

#include <cerrno>
#include <memory>

namespace admit::ticket {
namespace {

QRecLevel qr_level(QrErrorCorrection level) {
    switch (level) {
        case QrErrorCorrection::low:
            return QR_ECLEVEL_L;
        case QrErrorCorrection::quartile:
            return QR_ECLEVEL_Q;
        case QrErrorCorrection::high:
            return QR_ECLEVEL_H;
        case QrErrorCorrection::medium:
            break;
    }
    return QR_ECLEVEL_M;
}

sdk::Status check_options(const QrOptions& options) {
    if (options.quiet_zone < 0 || options.quiet_zone > 16)
        return sdk::Error::invalid("quiet zone must be 0..16");
    if (options.module_pixels < 1 || options.module_pixels > 32) {
        return sdk::Error::invalid("module pixels must be 1..32");
    }
    return {};
}

}  // namespace

sdk::Result<QrMatrix> qr_matrix(std::string_view text, QrErrorCorrection level) {
    if (text.empty() || text.find('\0') != std::string_view::npos) {
        return sdk::Error::invalid("QR text must be non-empty and without NUL");
    }
    const std::string terminated(text);
    errno = 0;
    const std::unique_ptr<QRcode, decltype(&QRcode_free)> code(
        QRcode_encodeString(terminated.c_str(), 0, qr_level(level), QR_MODE_8, 1), &QRcode_free);
    if (!code) {
        if (errno == ERANGE) return sdk::Error::invalid("text too long for a QR code");
        return sdk::Error::internal("libqrencode failed");
    }
    QrMatrix matrix;
    matrix.size = code->width;
    matrix.dark.resize(static_cast<std::size_t>(code->width) * code->width);
    for (std::size_t i = 0; i < matrix.dark.size(); ++i) matrix.dark[i] = code->data[i] & 1;
    return matrix;
}

sdk::Result<std::string> qr_svg(std::string_view text, const QrOptions& options) {
    if (auto checked = check_options(options); !checked) return std::move(checked).error();
    auto matrix = qr_matrix(text, options.level);
    if (!matrix) return std::move(matrix).error();
    const int side = matrix->size + 2 * options.quiet_zone;
    const std::string side_text = std::to_string(side);
    std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
    svg.append(side_text).append(" ").append(side_text).append(
        "\" shape-rendering=\"crispEdges\">");
    svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path fill=\"#000\" d=\"");
    // One subpath per horizontal run of dark modules: M x,y h run v1 h -run z.
    for (int y = 0; y < matrix->size; ++y) {
        int x = 0;
        while (x < matrix->size) {
            if (!matrix->at(x, y)) {
                ++x;
                continue;
            }
            const int start = x;
            while (x < matrix->size && matrix->at(x, y)) ++x;
            const std::string run = std::to_string(x - start);
            // Appended piece by piece: GCC 12 at -O3 misreports "literal" + string as -Wrestrict.
            svg.append("M").append(std::to_string(start + options.quiet_zone));
            svg.append(",").append(std::to_string(y + options.quiet_zone));
            svg.append("h").append(run).append("v1h-").append(run).append("z");
        }
    }
    svg += "\"/></svg>\n";
    return svg;
}

sdk::Result<std::string> qr_png(std::string_view text, const QrOptions& options) {
    if (auto checked = check_options(options); !checked) return std::move(checked).error();
    auto matrix = qr_matrix(text, options.level);
    if (!matrix) return std::move(matrix).error();
    const int quiet = options.quiet_zone;
    const int scale = options.module_pixels;
    const int side = (matrix->size + 2 * quiet) * scale;
    const QrMatrix& modules = *matrix;
    return encode_bilevel_png(side, side, [&](int x, int y) {
        const int mx = x / scale - quiet;
        const int my = y / scale - quiet;
        return mx >= 0 && my >= 0 && mx < modules.size && my < modules.size && modules.at(mx, my);
    });
}

}  // namespace admit::ticket
