// write_file_atomically: contents, mode, replacement, no leftovers, clear failures.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "support/atomic_file.hpp"
#include "support/error.hpp"

namespace fs = std::filesystem;

namespace {

// A scratch directory of its own (the unit program has no test::TempDir).
struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "tfstage-unit-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~ScratchDir() { fs::remove_all(path); }
};

std::string read_all(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

unsigned permissions_of(const fs::path& path) {
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    return info.st_mode & 07777U;
}

std::size_t entries_in(const fs::path& dir) {
    std::size_t count = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++count;
    return count;
}

}  // namespace

TEST_CASE("write_file_atomically writes the contents with the mode, replaces, and leaves no temporary file") {
    ScratchDir dir;
    const auto file = dir.path / "journal.json";

    tfstage::write_file_atomically(file, "first\n", 0600);
    CHECK(read_all(file) == "first\n");
    CHECK(permissions_of(file) == 0600U);

    tfstage::write_file_atomically(file, std::string("second\0binary", 13), 0640);
    CHECK(read_all(file) == std::string("second\0binary", 13));
    CHECK(permissions_of(file) == 0640U);

    tfstage::write_file_atomically(file, "");
    CHECK(read_all(file).empty());
    CHECK(entries_in(dir.path) == 1);  // only the target: every temporary file was renamed away
}

TEST_CASE("write_file_atomically: a missing directory is Error(io) naming the path, and a failure leaves the target alone") {
    ScratchDir dir;
    const auto missing = dir.path / "no-such-dir" / "file.json";
    try {
        tfstage::write_file_atomically(missing, "x");
        FAIL("expected an error");
    } catch (const tfstage::Error& e) {
        CHECK(e.code() == tfstage::ErrorCode::io);
        CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
    }

    // Renaming over a directory fails: the directory (the "old contents") stays, no temp is left.
    const auto occupied = dir.path / "occupied";
    fs::create_directory(occupied);
    CHECK_THROWS_AS(tfstage::write_file_atomically(occupied, "x"), tfstage::Error);
    CHECK(fs::is_directory(occupied));
    CHECK(entries_in(dir.path) == 1);
}
