// Built instead of renderer_imports.cpp while the renderer library
// (zcd_renderer) does not exist yet: the import rows then say so.
#include "bench/import/renderer_imports.hpp"

namespace zcd::bench {

const char* to_string(ImportRequest r) {
    switch (r) {
    case ImportRequest::Shm:
        return "shm";
    case ImportRequest::ShmForceCopy:
        return "shm_force_copy";
    case ImportRequest::DmabufMemfd:
        return "dmabuf_memfd";
    }
    return "unknown";
}

RendererImportRun measure_renderer_imports(const std::vector<ImportRequest>&,
                                           const std::vector<std::pair<uint32_t, uint32_t>>&, int) {
    RendererImportRun run;
    run.why = "zc-bench-import was built without the renderer library (renderer/ has no "
              "zcd_renderer target yet)";
    return run;
}

} // namespace zcd::bench
