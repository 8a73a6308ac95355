#ifndef VACWATCH_INGEST_INPUT_BUFFER_H_
#define VACWATCH_INGEST_INPUT_BUFFER_H_

// InputBuffer: the window of not-yet-consumed bytes a chunked reader works on. Chunks are
// appended at the back, complete records consumed from the front; the unconsumed tail moves
// to the front only when the next chunk arrives, so views into data() stay valid until the
// next Append. From the first Append on (even of an empty chunk) the bytes are followed by
// kPadding zero bytes, so a simdjson parser may iterate any suffix in place
// (`parser.iterate(p, len, padded_size(p))`).
//
//   InputBuffer buf;
//   buf.Append(chunk);
//   std::string_view rest = buf.data();      // valid until the next Append
//   buf.Consume(record_len);                 // offset() advances by record_len
//
// offset() is the stream offset of data()[0], counted from the `base` given to Reset().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

namespace vacwatch::ingest {

class InputBuffer {
 public:
  static constexpr size_t kPadding = 64;  // >= simdjson::SIMDJSON_PADDING

  InputBuffer() = default;

  // Drops every byte and starts the stream offset at `base`.
  void Reset(int64_t base);
  // Appends `chunk`; moves the unconsumed bytes to the front first, which invalidates views.
  void Append(std::string_view chunk);
  // Drops the first `n` unconsumed bytes (n <= size()).
  void Consume(size_t n);

  std::string_view data() const { return {storage_.get() + begin_, end_ - begin_}; }
  size_t size() const { return end_ - begin_; }
  bool empty() const { return begin_ == end_; }
  int64_t offset() const { return offset_; }
  // Readable bytes from `p` (inside data()) to the end of the allocation, padding included.
  size_t padded_size(const char* p) const {
    return static_cast<size_t>(storage_.get() + end_ + kPadding - p);
  }

 private:
  std::unique_ptr<char[]> storage_;
  size_t capacity_ = 0;  // usable bytes, excluding the padding
  size_t begin_ = 0;
  size_t end_ = 0;
  int64_t offset_ = 0;
};

}  // namespace vacwatch::ingest

#endif  // VACWATCH_INGEST_INPUT_BUFFER_H_
