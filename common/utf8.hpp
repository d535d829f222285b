// UTF-8 validation for text that comes from outside (a client's title or
// app_id, a file name) and goes into a format that must be UTF-8 (JSON,
// RFC 8259 section 8.1).  Pure, so it is unit-tested without a display.
#pragma once

#include <string>
#include <string_view>

namespace zcd {

// s with every ill-formed sequence replaced by U+FFFD, one replacement per
// maximal subpart (Unicode 15, section 3.9, "U+FFFD Substitution of Maximal
// Subparts": what browsers and Python's errors="replace" do).  Overlong
// forms, surrogates (U+D800..U+DFFF) and code points above U+10FFFF are
// ill-formed.  Valid input is returned unchanged.
std::string valid_utf8(std::string_view s);

// True when s is well-formed UTF-8.
bool is_valid_utf8(std::string_view s);

} // namespace zcd
