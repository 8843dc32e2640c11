// Making plan handles: from show -json text (parsed and summarised once: the handle is then
// immutable, so its queries need no lock).
#pragma once

#include <memory>
#include <string_view>

#include "handles.hpp"

namespace tfstage::capi {

// Fills model, summary and changes_present from `show -json` text of a plan.
void load_plan_model(tfs_plan& plan, std::string_view show_json);

}  // namespace tfstage::capi
