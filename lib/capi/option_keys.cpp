#include "option_keys.hpp"

#include <algorithm>
#include <map>

#include "guard.hpp"
#include "json_request.hpp"
#include "support/error.hpp"
#include "support/nearest.hpp"

namespace tfstage::capi {
namespace {

// A change (plan or destroy) shares these.
const std::vector<std::string> kChange = {"vars", "var_files", "targets", "excludes", "lock", "lock_timeout", "parallelism"};

// Every kind of run (run, resume, approve, rollback) shares these.
const std::vector<std::string> kRunCommon = {"auto_approve", "approve", "state_dir", "cli_config", "grace_ms", "approver"};

std::vector<std::string> with(std::vector<std::string> base, std::initializer_list<const char*> more) {
    for (const char* key : more) base.emplace_back(key);
    base.emplace_back("schema_version");
    std::sort(base.begin(), base.end());
    return base;
}

const std::map<std::string, std::vector<std::string>, std::less<>>& table() {
    static const std::map<std::string, std::vector<std::string>, std::less<>> keys = {
        {"engine", with({}, {"binary", "cli_config", "workspace", "env", "timeout_ms", "grace_ms", "lock_timeout",
                             "inherit_tf_cli_args"})},
        {"init", with({}, {"backend_config", "reconfigure", "upgrade", "backend"})},
        {"plan", with(kChange, {"replace", "destroy", "refresh_only", "refresh", "out"})},
        {"destroy", with(kChange, {})},
        {"run", with(kRunCommon, {"environment", "only", "from", "parallelism", "plan_only", "converge", "unconverged",
                                  "allow_dirty", "allow_branch", "allow_behind", "changed_since"})},
        {"rollback", with(kRunCommon, {})},
        {"plan_source", with({}, {"plan", "vars", "var_files"})},
    };
    return keys;
}

}  // namespace

const std::vector<std::string>& option_kinds() {
    static const std::vector<std::string> kinds = [] {
        std::vector<std::string> out;
        for (const auto& [kind, keys] : table()) out.push_back(kind);
        return out;
    }();
    return kinds;
}

const std::vector<std::string>& option_keys(std::string_view kind) {
    const auto it = table().find(kind);
    if (it == table().end()) {
        std::string kinds;
        for (const auto& k : option_kinds()) kinds += (kinds.empty() ? "" : ", ") + k;
        throw Error(ErrorCode::invalid_argument, "no options of kind '" + std::string(kind) + "' (kinds: " + kinds + ")");
    }
    return it->second;
}

std::string closest_key(const std::string& key, const std::vector<std::string>& known) {
    return nearest(key, std::vector<std::string_view>(known.begin(), known.end())).value_or("");
}

}  // namespace tfstage::capi

// --- the C ABI ------------------------------------------------------------------------------

extern "C" int tfs_options_keys(const char* kind, char** out_json) {
    using namespace tfstage;
    using namespace tfstage::capi;
    if (out_json != nullptr) *out_json = nullptr;
    return guard([&] {
        require(kind, "kind");
        require(out_json, "out_json");
        nlohmann::json result = result_object();
        result["kind"] = kind;
        result["keys"] = option_keys(kind);
        *out_json = dup_string(dump(result));
        return TFS_OK;
    });
}
