#include "ops/engine_results.hpp"

#include "support/diagnostic_json.hpp"
#include "tfstage/common.h"

namespace tfstage::ops {

nlohmann::json change_counts(const std::optional<terraform::ChangeSummary>& summary) {
    const auto s = summary.value_or(terraform::ChangeSummary{});
    return {{"add", s.add}, {"change", s.change}, {"remove", s.remove}, {"import", s.import}, {"forget", s.forget}};
}

nlohmann::json validate_document(const terraform::ValidateResult& result) {
    return {{"schema_version", TFS_SCHEMA_VERSION},
            {"valid", result.valid},
            {"error_count", result.error_count},
            {"warning_count", result.warning_count},
            {"diagnostics", to_json(result.diagnostics)}};
}

}  // namespace tfstage::ops
