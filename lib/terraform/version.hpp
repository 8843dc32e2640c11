// Engine flavour and version, and the capability gates that depend on them.
#pragma once

#include <compare>
#include <string>
#include <string_view>
#include <tuple>

namespace tfstage::terraform {

struct Version {
    int major = 0;
    int minor = 0;
    int patch = 0;
    std::string prerelease;  // "dev", "rc1", ... (empty for a release)

    // Accepts "1.11.4", "v1.9.0-rc1", "1.13.0-dev". Throws Error(parse_error) otherwise.
    static Version parse(std::string_view text);
    std::string str() const;
    // Compares numbers only: a pre-release of 1.9.0 counts as 1.9.0 for capability gates.
    auto operator<=>(const Version& other) const {
        return std::tie(major, minor, patch) <=> std::tie(other.major, other.minor, other.patch);
    }
    bool operator==(const Version& other) const {
        return major == other.major && minor == other.minor && patch == other.patch;
    }
};

enum class Flavour { terraform, opentofu };

const char* to_string(Flavour flavour) noexcept;

struct EngineInfo {
    Flavour flavour = Flavour::terraform;
    Version version;
    std::string binary;    // the path that was run
    std::string platform;  // linux_amd64
};

// Features that only some engines and versions have. Each gate throws Error(unsupported)
// naming the flag, the engine in use and what is needed, before any child is started.
enum class Capability {
    json_ui,   // plan/apply -json (Terraform >= 0.15.3)
    exclude,   // plan -exclude (OpenTofu >= 1.9)
    show_json, // show -json of a plan file (Terraform >= 0.12)
};

bool supports(const EngineInfo& engine, Capability capability);
void require(const EngineInfo& engine, Capability capability);

}  // namespace tfstage::terraform
