// Every doctest case becomes a ctest entry that runs it by name (tests/CMakeLists.txt). A name
// CMake cannot carry (a ';' splits it) would select no case, and a run of no case passes: such
// a test could never fail. This keeps every name usable, and unique.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <regex>

#include "support/fixtures.hpp"

namespace fs = std::filesystem;

TEST_CASE("tests: every test case name reaches ctest whole, and no two cases share a name") {
    const std::regex test_case(R"re(TEST_CASE\("((?:[^"\\]|\\.)*)")re");
    std::map<std::string, std::string> seen;
    int cases = 0;
    for (const auto& entry : fs::recursive_directory_iterator(fs::path(TFSTAGE_SOURCE_DIR) / "tests")) {
        if (entry.path().extension() != ".cpp" || entry.path().filename() == "test_names.cpp") continue;
        const std::string text = tfstage::test::read_text(entry.path());
        for (auto it = std::sregex_iterator(text.begin(), text.end(), test_case); it != std::sregex_iterator(); ++it) {
            const std::string name = (*it)[1];
            ++cases;
            const std::string where = entry.path().string() + ": " + name;
            CHECK_MESSAGE(name.find(';') == std::string::npos, where);
            const auto [previous, fresh] = seen.emplace(name, entry.path().string());
            const std::string twice = where + " (also in " + previous->second + ")";
            CHECK_MESSAGE(fresh, twice);
        }
    }
    CHECK(cases > 100);
}
