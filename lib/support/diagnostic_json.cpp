#include "support/diagnostic_json.hpp"

namespace tfstage {

nlohmann::json to_json(const Diagnostic& d) {
    return {{"severity", d.severity}, {"summary", d.summary}, {"detail", d.detail}, {"filename", d.filename},
            {"line", d.line},         {"column", d.column},   {"address", d.address}};
}

nlohmann::json to_json(const std::vector<Diagnostic>& diagnostics) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& d : diagnostics) out.push_back(to_json(d));
    return out;
}

}  // namespace tfstage
