#include "option_keys.hpp"

#include <algorithm>
#include <map>

#include "guard.hpp"
#include "json_request.hpp"
#include "support/error.hpp"

namespace tfstage::capi {
namespace {

// A change (plan or destroy) shares these.
const std::vector<std::string> kChange = {"vars", "var_files", "targets", "excludes", "lock", "lock_timeout", "parallelism"};

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
        {"run", with({}, {"environment", "auto_approve", "approve", "only", "from", "parallelism", "plan_only", "state_dir",
                          "cli_config", "converge", "unconverged", "grace_ms", "approver"})},
    };
    return keys;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
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
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
    for (const auto& candidate : known) {
        const std::size_t d = edit_distance(key, candidate);
        if (d < best_distance) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
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
