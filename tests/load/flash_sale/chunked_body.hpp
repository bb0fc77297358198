// ChunkedBody: decodes an HTTP/1.1 body sent with Transfer-Encoding: chunked as it arrives, in
// pieces cut anywhere (inside a size line, inside the CRLF after a chunk's data).
//
// Why the seat stream watch needs it: admitd writes a stream's frames as they are, but nginx
// passes a body of unknown length to an HTTP/1.1 client chunked. Read as plain lines, a frame that
// straddled a chunk boundary was cut in two by the next chunk's size line and lost, so a fleet's
// seat-map stream seemed to miss whole changes (the largest, 36-64 seats, most often).
//
// Thread-safety: none; one reader.
#pragma once

#include <cstddef>
#include <string>

namespace admit::load {

class ChunkedBody {
  public:
    /// Moves what `raw` holds of the body to the end of `out`; what cannot be decoded yet (a
    /// size line not yet whole, a CRLF not yet received) stays in `raw`. False once the body is
    /// over (the last chunk, of size 0) or malformed (a size line that is not hexadecimal).
    bool decode(std::string& raw, std::string& out);

  private:
    bool end_body();  // the body is over (or malformed): decode() returns false from now on

    std::size_t left_ = 0;      // data bytes left in the current chunk
    bool after_chunk_ = false;  // the CRLF after a chunk's data is still due
    bool over_ = false;
};

}  // namespace admit::load
