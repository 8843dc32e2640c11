// Reading the shared fixtures (../shared/fixtures, read only).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tfstage::test {

inline std::filesystem::path fixture(const std::string& relative) {
    return std::filesystem::path(TFSTAGE_FIXTURES_DIR) / relative;
}

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

// Every file in a fixture folder with the given extension, sorted.
inline std::vector<std::filesystem::path> fixtures_in(const std::string& folder, const std::string& extension) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(fixture(folder)))
        if (entry.path().extension() == extension) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace tfstage::test
