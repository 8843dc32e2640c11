#include "ops/event_documents.hpp"

#include "tfstage/common.h"

namespace tfstage::ops {

nlohmann::json event_document(const rollout::Event& event) {
    nlohmann::json out = event.to_json();
    out["schema_version"] = TFS_SCHEMA_VERSION;
    return out;
}

nlohmann::json engine_event_document(const terraform::UiEvent& event) {
    nlohmann::json out = event.raw.is_object() ? event.raw : nlohmann::json{{"type", "output"}, {"line", event.message}};
    out["schema_version"] = TFS_SCHEMA_VERSION;
    return out;
}

nlohmann::json output_line_document(process::Stream stream, std::string_view line) {
    return {{"schema_version", TFS_SCHEMA_VERSION},
            {"type", "output"},
            {"stream", stream == process::Stream::out ? "stdout" : "stderr"},
            {"line", line}};
}

}  // namespace tfstage::ops
