#include "ingest/line_splitter.h"

#include <cstring>

namespace vacwatch::ingest {

LineSplitter::Piece LineSplitter::Next(InputBuffer* buffer, bool finished, int64_t max_bytes,
                                       std::string_view* line) {
  while (!buffer->empty()) {
    const std::string_view data = buffer->data();
    const auto* nl = static_cast<const char*>(std::memchr(data.data(), '\n', data.size()));
    if (dropping_) {
      if (nl == nullptr) {
        buffer->Consume(data.size());
        break;
      }
      buffer->Consume(nl - data.data() + 1);
      ++next_line_no_;
      dropping_ = false;
      continue;
    }
    if (nl == nullptr && !finished && static_cast<int64_t>(data.size()) <= max_bytes) {
      return Piece::kNeedMore;
    }
    offset_ = buffer->offset();
    line_no_ = next_line_no_;
    if (nl == nullptr) {
      // Over the limit: report now and drop the rest as it arrives (memory stays bounded). Or
      // the input's last line, without a newline.
      *line = data;
      buffer->Consume(data.size());
      dropping_ = static_cast<int64_t>(data.size()) > max_bytes;
      return dropping_ ? Piece::kOversized : Piece::kLine;
    }
    *line = data.substr(0, nl - data.data());
    buffer->Consume(line->size() + 1);
    ++next_line_no_;
    return Piece::kLine;
  }
  // The oversized line being dropped ended with the input.
  if (finished) dropping_ = false;
  return Piece::kNeedMore;
}

}  // namespace vacwatch::ingest
