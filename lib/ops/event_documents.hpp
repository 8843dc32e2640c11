// Events as JSON, the one shape every skin delivers them in (NDJSON from the command with
// --json, the C callbacks, the Python iterators): each carries "schema_version" (docs/events.md).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "rollout/runner.hpp"
#include "terraform/ui_stream.hpp"

namespace tfstage::ops {

// A rollout event: {"schema_version","type","time","run","stage",...data}.
nlohmann::json event_document(const rollout::Event& event);

// An engine's -json UI event as the engine wrote it (a line of text it printed instead comes as
// {"type":"output","line":...}), with "schema_version" added.
nlohmann::json engine_event_document(const terraform::UiEvent& event);

// A line a command printed: {"schema_version","type":"output","stream":"stdout"|"stderr","line"}.
nlohmann::json output_line_document(process::Stream stream, std::string_view line);

}  // namespace tfstage::ops
