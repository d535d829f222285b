#include "tools/lib/report_images.hpp"

#include <system_error>

namespace zcd::tools {

namespace fs = std::filesystem;

namespace {

// FILE's path relative to DIR when FILE lies inside DIR, else "".
std::string inside(const fs::path& file, const fs::path& dir) {
    std::error_code ec;
    const fs::path f = fs::weakly_canonical(fs::absolute(file), ec);
    if (ec)
        return {};
    const fs::path d = fs::weakly_canonical(fs::absolute(dir), ec);
    if (ec)
        return {};
    const fs::path rel = f.lexically_relative(d);
    if (rel.empty() || *rel.begin() == "..")
        return {};
    return rel.string();
}

} // namespace

std::string link_into_report(const fs::path& file, const fs::path& out_dir,
                             const std::string& copy_name, std::string* error) {
    if (std::string rel = inside(file, out_dir); !rel.empty())
        return rel;
    const fs::path images = out_dir / "images";
    const fs::path copy = images / copy_name;
    std::error_code ec;
    fs::create_directories(images, ec);
    // images/ is zc-verify's own folder: a copy from an earlier report with
    // the same name is replaced, nothing outside it is written.
    if (ec || !fs::copy_file(file, copy, fs::copy_options::overwrite_existing, ec)) {
        *error = "cannot copy " + file.string() + " into the report as " + copy.string() + ": " +
                 (ec ? ec.message() : std::string("unknown error"));
        return {};
    }
    return (fs::path("images") / copy_name).string();
}

} // namespace zcd::tools
