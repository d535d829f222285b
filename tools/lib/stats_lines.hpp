// The reading side of zc-compositor's stats socket (docs/stats-socket.md):
// a byte stream of JSON lines, split and checked here so that zc-stat --live
// only does the socket and the terminal.  Pure: bytes in, shown texts or one
// error out; tests/fuzz/stats_lines.cpp feeds it hostile streams.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace zcd::tools {

class StatsLineReader {
  public:
    // A line longer than this without '\n' is an error, not a growing buffer.
    static constexpr size_t kMaxLineBytes = size_t{1} << 24;

    struct Result {
        std::vector<std::string> texts; // format_summary_text of each stats line, in order
        std::string error;              // "line N: ...", empty when the stream is fine
    };

    // Feeds the next bytes; stops at the first bad line (then error is set and
    // every later call returns the same error) or after `max_texts` stats
    // lines in this call (0: no limit); bytes after that stay pending.
    Result feed(std::string_view bytes, size_t max_texts = 0);

    long lines() const { return line_no_; } // lines consumed so far

  private:
    std::string pending_;
    std::string error_;
    long line_no_ = 0;
};

} // namespace zcd::tools
