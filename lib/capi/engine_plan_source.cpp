// tfs_engine_stages_suggest and tfs_engine_targets_expand: the operations that read a plan of
// the root (a given one, or a fresh untargeted plan), as `tfstage stages suggest` and
// `tfstage targets expand` do.
#include "address/address.hpp"
#include "engine_call.hpp"
#include "engine_options.hpp"
#include "guard.hpp"
#include "json_request.hpp"
#include "ops/stage_suggestion.hpp"
#include "ops/target_expansion.hpp"

using namespace tfstage;
using namespace tfstage::capi;
using json = nlohmann::json;

extern "C" {

int tfs_engine_stages_suggest(tfs_engine* engine, const char* options_json, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        require(out_json, "out_json");
        const auto inputs = plan_source_options(options_json);
        EngineCall call(handle);
        ops::EngineOnDemand on_demand(call.engine());
        *out_json = dup_string(dump(ops::to_json(ops::suggest_stages(on_demand, inputs))));
        return TFS_OK;
    });
}

int tfs_engine_targets_expand(tfs_engine* engine, const char* pattern, const char* options_json, char** out_json) {
    if (out_json != nullptr) *out_json = nullptr;
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        require(pattern, "pattern");
        require(out_json, "out_json");
        const auto inputs = plan_source_options(options_json);
        EngineCall call(handle);
        ops::EngineOnDemand on_demand(call.engine());
        ops::TargetExpansion expansion;
        try {
            expansion = ops::expand_targets(on_demand, pattern, inputs);
        } catch (const address::AddressError& e) {
            throw Error(ErrorCode::parse_error, e.what());  // as tfs_address_expand says it
        }
        json out = result_object();
        out["addresses"] = expansion.selected;
        out["known"] = expansion.known;
        *out_json = dup_string(dump(out));
        return TFS_OK;
    });
}

}  // extern "C"
