#include "terraform/version.hpp"

#include <charconv>
#include <tuple>

#include "support/error.hpp"

namespace tfstage::terraform {
namespace {

bool read_number(std::string_view& text, int& out) {
    const char* begin = text.data();
    const char* end = text.data() + text.size();
    const auto [next, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc{} || next == begin) return false;
    text.remove_prefix(static_cast<size_t>(next - begin));
    return true;
}

struct Gate {
    Capability capability;
    const char* flag;
    Flavour flavour;
    Version minimum;
};

// A capability that no release of the other flavour has is listed for one flavour only.
const Gate kGates[] = {
    {Capability::json_ui, "-json", Flavour::terraform, {0, 15, 3, ""}},
    {Capability::json_ui, "-json", Flavour::opentofu, {1, 6, 0, ""}},
    {Capability::exclude, "-exclude", Flavour::opentofu, {1, 9, 0, ""}},
    {Capability::show_json, "show -json", Flavour::terraform, {0, 12, 0, ""}},
    {Capability::show_json, "show -json", Flavour::opentofu, {1, 6, 0, ""}},
};

}  // namespace

Version Version::parse(std::string_view text) {
    const std::string original(text);
    if (!text.empty() && text.front() == 'v') text.remove_prefix(1);
    Version v;
    if (!read_number(text, v.major) || text.empty() || text.front() != '.') goto bad;
    text.remove_prefix(1);
    if (!read_number(text, v.minor)) goto bad;
    if (!text.empty() && text.front() == '.') {
        text.remove_prefix(1);
        if (!read_number(text, v.patch)) goto bad;
    }
    if (!text.empty()) {
        if (text.front() != '-') goto bad;
        v.prerelease = std::string(text.substr(1));
    }
    return v;
bad:
    throw Error(ErrorCode::parse_error, "'" + original + "' is not a version (expected MAJOR.MINOR.PATCH)");
}

std::string Version::str() const {
    std::string s = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
    if (!prerelease.empty()) s += "-" + prerelease;
    return s;
}

const char* to_string(Flavour flavour) noexcept { return flavour == Flavour::opentofu ? "opentofu" : "terraform"; }

bool supports(const EngineInfo& engine, Capability capability) {
    for (const auto& gate : kGates)
        if (gate.capability == capability && gate.flavour == engine.flavour) return engine.version >= gate.minimum;
    return false;
}

void require(const EngineInfo& engine, Capability capability) {
    if (supports(engine, capability)) return;
    std::string needs;
    const char* flag = "";
    for (const auto& gate : kGates) {
        if (gate.capability != capability) continue;
        flag = gate.flag;
        if (!needs.empty()) needs += " or ";
        needs += std::string(gate.flavour == Flavour::opentofu ? "OpenTofu" : "Terraform") + " >= " + gate.minimum.str();
    }
    throw Error(ErrorCode::unsupported, std::string(flag) + " is not supported by " +
                                            (engine.flavour == Flavour::opentofu ? "OpenTofu " : "Terraform ") +
                                            engine.version.str() + " (" + engine.binary + "); it needs " + needs);
}

}  // namespace tfstage::terraform
