// Paths of the shared fixtures (read only).
#pragma once

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace tfstage::test {

inline std::filesystem::path fixture(const std::string& relative) {
    return std::filesystem::path(TFSTAGE_FIXTURES_DIR) / relative;
}

inline std::vector<std::filesystem::path> fixtures_in(const std::string& dir) {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(fixture(dir))) out.push_back(entry.path());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace tfstage::test
