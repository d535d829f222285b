// zc-stat --live: a top-like view of zc-compositor's stats socket
// (docs/stats-socket.md).
#pragma once

#include <string>

namespace zcd::tools {

// Connects to the Unix socket at `path` and shows each stats line as it
// arrives (redrawing the terminal when stdout is one).  Stops after `count`
// lines when count > 0, or when the server closes.  Returns the exit code.
int run_live(const std::string& path, long count);

} // namespace zcd::tools
