#include "support/workdir.hpp"

#include <cstdlib>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace tfstage::test {

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tfstage-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    if (std::getenv("TFSTAGE_KEEP_TEST_DIRS") != nullptr) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
}

void copy_config(const fs::path& from, const fs::path& to) {
    fs::create_directories(to);
    for (auto it = fs::recursive_directory_iterator(from); it != fs::recursive_directory_iterator(); ++it) {
        const auto name = it->path().filename().string();
        if (name == ".terraform" || name == "terraform.tfstate.d" || name.ends_with(".tfstate") ||
            name.ends_with(".tfplan")) {
            if (it->is_directory()) it.disable_recursion_pending();
            continue;
        }
        const fs::path target = to / fs::relative(it->path(), from);
        if (it->is_directory()) {
            fs::create_directories(target);
        } else {
            fs::copy_file(it->path(), target, fs::copy_options::overwrite_existing);
        }
    }
}

void write_file(const fs::path& path, const std::string& text) {
    if (path.has_parent_path()) fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error("cannot write " + path.string());
}

fs::path cli_config() {
    const fs::path path = TFSTAGE_CLI_CONFIG;
    if (!fs::exists(path)) throw std::runtime_error(path.string() + " is missing: run scripts/setup first");
    return path;
}

fs::path source_dir(const std::string& relative) { return fs::path(TFSTAGE_SOURCE_DIR) / relative; }

}  // namespace tfstage::test
