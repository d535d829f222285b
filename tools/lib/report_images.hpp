// Images a zc-verify report shows, kept inside the report's folder so the
// folder can be archived or moved (a CI artefact) and still show them.
#pragma once

#include <filesystem>
#include <string>

namespace zcd::tools {

// The report-relative link to FILE.  A FILE already inside OUT_DIR is linked
// where it is; any other is copied to OUT_DIR/images/COPY_NAME and linked
// there.  The user's file is only ever read: never moved, never written.
// "" after setting *error when the copy cannot be made.
std::string link_into_report(const std::filesystem::path& file,
                             const std::filesystem::path& out_dir, const std::string& copy_name,
                             std::string* error);

} // namespace zcd::tools
