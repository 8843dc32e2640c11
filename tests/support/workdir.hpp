// Scratch directories for tests: each test works on its own copy of an example.
#pragma once

#include <filesystem>
#include <string>

namespace tfstage::test {

// A fresh directory under $TMPDIR, removed with the object (kept when TFSTAGE_KEEP_TEST_DIRS
// is set, for looking at after a failure).
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// Copies a directory tree, leaving out Terraform's working data (.terraform, state files).
void copy_config(const std::filesystem::path& from, const std::filesystem::path& to);

// Writes a file (creating parent directories).
void write_file(const std::filesystem::path& path, const std::string& text);

// The project's Terraform CLI config (written by scripts/setup).
std::filesystem::path cli_config();

// A directory in the source tree.
std::filesystem::path source_dir(const std::string& relative);

}  // namespace tfstage::test
