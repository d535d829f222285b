// zc-client's command line, parsed without side effects so it is unit-tested.
#pragma once

#include <cstdint>
#include <string>

#include "common/pattern.hpp"

namespace zcd {

struct ClientOptions {
    Pattern pattern;                    // --pattern (default smpte)
    uint32_t width = 640, height = 480; // --size WxH
    uint32_t fps = 0;                   // --fps N; 0: paced by frame callbacks
    uint64_t frames = 0;                // --frames N; 0: until the window is closed
    std::string source = "auto";        // --source auto|gbm|vulkan|udmabuf|shm
    std::string device;                 // --device PATH (gbm render node)
    std::string dev_root = "/dev";      // --dev-root DIR (tests)
    std::string trace;                  // --trace FILE
    std::string title = "zc-client";    // --title TEXT (xdg title and app_id)
};

enum class ParseOutcome { Run, Help, Error };

// Error: *error is one line naming the bad argument.
ParseOutcome parse_client_options(int argc, const char* const* argv, ClientOptions* out,
                                  std::string* error);

const char* client_usage();

} // namespace zcd
