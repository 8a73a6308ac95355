#include "ingest/input_buffer.h"

#include <algorithm>
#include <cstring>

namespace vacwatch::ingest {

void InputBuffer::Reset(int64_t base) {
  begin_ = end_ = 0;
  offset_ = base;
  if (storage_ != nullptr) std::memset(storage_.get(), 0, kPadding);
}

void InputBuffer::Append(std::string_view chunk) {
  const size_t live = end_ - begin_;
  if (begin_ > 0) {
    if (live > 0) std::memmove(storage_.get(), storage_.get() + begin_, live);
    begin_ = 0;
    end_ = live;
  }
  // The first Append allocates even for an empty chunk: the padding is always written.
  if (storage_ == nullptr || live + chunk.size() > capacity_) {
    const size_t new_capacity = std::max({capacity_ * 2, live + chunk.size(), size_t{4096}});
    auto grown = std::make_unique_for_overwrite<char[]>(new_capacity + kPadding);
    if (live > 0) std::memcpy(grown.get(), storage_.get(), live);
    storage_ = std::move(grown);
    capacity_ = new_capacity;
  }
  if (!chunk.empty()) std::memcpy(storage_.get() + end_, chunk.data(), chunk.size());
  end_ += chunk.size();
  std::memset(storage_.get() + end_, 0, kPadding);
}

void InputBuffer::Consume(size_t n) {
  n = std::min(n, end_ - begin_);
  begin_ += n;
  offset_ += static_cast<int64_t>(n);
}

}  // namespace vacwatch::ingest
