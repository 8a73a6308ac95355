#ifndef VACWATCH_REPORT_MARKUP_H_
#define VACWATCH_REPORT_MARKUP_H_

// Markup: the few primitives the report's HTML and SVG are written with, so that every byte of
// text that came from the input (table names, application names, alert texts) goes through one
// escaping function and every number through one fixed format. The output is well-formed as
// XML too (XHTML-compatible): the five special characters become entities, control characters
// that XML forbids and bytes that are not UTF-8 become U+FFFD.
//
//   std::string out;
//   AppendEscaped("a<b & \"c\"", &out);   // a&lt;b &amp; &quot;c&quot;
//   AppendFixed(12.345, 1, &out);          // 12.3 (no locale, no exponent; -0 is 0)
//
// Pure functions; they append to the caller's string and keep nothing.

#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace vacwatch::report {

// absl::StrCat takes absl::string_view, which Debian's abseil does not alias to
// std::string_view: Av(std::string_view) crosses over.
inline absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Text or attribute value (both quote characters escaped).
void AppendEscaped(std::string_view text, std::string* out);
std::string Escaped(std::string_view text);

// `value` with `decimals` digits after the point, never in exponent form; NaN and infinities
// as 0 (a chart coordinate must be a number).
void AppendFixed(double value, int decimals, std::string* out);
std::string Fixed(double value, int decimals);

// A count for a human: 950, 12.3k, 4.5M, 1.2G.
std::string Count(double value);
// Bytes for a human: 512 B, 12.3 KiB, 4.5 MiB, 1.2 GiB.
std::string Bytes(double value);

}  // namespace vacwatch::report

#endif  // VACWATCH_REPORT_MARKUP_H_
