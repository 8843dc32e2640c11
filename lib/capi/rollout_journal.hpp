// Journals handed to C: the document as the journal holds it, with "schema_version" added.
#pragma once

#include <nlohmann/json.hpp>

#include "tfstage/common.h"

namespace tfstage::capi {

inline nlohmann::json with_schema(nlohmann::json document) {
    if (document.is_object() && !document.contains("schema_version")) document["schema_version"] = TFS_SCHEMA_VERSION;
    return document;
}

}  // namespace tfstage::capi
