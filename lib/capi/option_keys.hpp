// Every key each JSON options document of the C ABI accepts, in one table. A key not in it is
// refused (TFS_EINVAL) rather than ignored: a typo for "targets" must never turn into an
// untargeted plan in front of production. tfs_options_keys lists them for callers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tfstage::capi {

// The option kinds: "engine", "init", "plan", "destroy", "run", "rollback", "plan_source".
const std::vector<std::string>& option_kinds();

// The keys of one kind ("schema_version" included). Throws Error(invalid_argument) for an
// unknown kind, listing the kinds.
const std::vector<std::string>& option_keys(std::string_view kind);

// The closest known key to `key` (a small edit distance), or "" when none is close.
std::string closest_key(const std::string& key, const std::vector<std::string>& known);

}  // namespace tfstage::capi
