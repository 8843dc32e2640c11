// tfs_engine_plan and tfs_engine_apply: a saved plan with its provenance record, and exactly
// that plan applied (its sha256 checked first).
#include <atomic>
#include <chrono>

#include <unistd.h>

#include "engine_call.hpp"
#include "engine_options.hpp"
#include "guard.hpp"
#include "json_request.hpp"
#include "ops/engine_results.hpp"
#include "ops/plan_with_provenance.hpp"
#include "plan_build.hpp"

using namespace tfstage;
using namespace tfstage::capi;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

// A plan file of our own under <root>/.terraform/tfstage-plans/, removed with the plan.
fs::path scratch_plan_file(const fs::path& root) {
    static std::atomic<unsigned> counter{0};
    const fs::path dir = root / ".terraform" / "tfstage-plans";
    fs::create_directories(dir);
    const auto now = std::chrono::system_clock::now().time_since_epoch().count();
    return dir / ("plan-" + std::to_string(::getpid()) + "-" + std::to_string(now) + "-" + std::to_string(counter++) + ".tfplan");
}

}  // namespace

extern "C" {

int tfs_engine_plan(tfs_engine* engine, const char* options_json, tfs_plan** out) {
    if (out != nullptr) *out = nullptr;
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        require(out, "out");
        auto options = plan_options(options_json, handle->settings->options.working_dir);
        auto made = std::make_shared<tfs_plan>();
        made->engine = handle->settings;
        if (options.out.empty()) {
            options.out = scratch_plan_file(handle->settings->options.working_dir);
            made->owns_plan_file = true;  // removed by the destructor, on failure too
        }
        made->plan_file = options.out;
        EngineCall call(handle);
        call.info();  // cached in the handle for the next calls
        auto saved = ops::plan_with_provenance(call.engine(), options);
        const std::string document = call.engine().show_json(options.out);
        made->provenance = std::move(saved.provenance);
        load_plan_model(*made, document);
        made->changes_present = saved.result.changes_present;
        *out = plans().add(std::move(made));
        return TFS_OK;
    });
}

int tfs_engine_apply(tfs_engine* engine, const tfs_plan* plan, char** out_result_json) {
    if (out_result_json != nullptr) *out_result_json = nullptr;
    return guard([&] {
        auto handle = engines().get(engine, "engine");
        auto saved = plans().get(plan, "plan");
        if (saved->plan_file.empty())
            throw Error(ErrorCode::invalid_argument, "this plan was read from JSON: it has no saved plan file to apply");
        if (saved->provenance && !plan::matches(*saved->provenance, saved->plan_file))
            throw Error(ErrorCode::plan_stale, "the plan file " + saved->plan_file.string() +
                                                   " changed since it was made (its sha256 is not " +
                                                   saved->provenance->plan_sha256 + "): plan again and review the new plan");
        terraform::ApplyOptions options;
        options.plan_file = saved->plan_file;
        EngineCall call(handle);
        const auto result = call.engine().apply(options);
        if (out_result_json == nullptr) return TFS_OK;
        json out = result_object();
        out.update(ops::change_counts(result.summary));
        *out_result_json = dup_string(dump(out));
        return TFS_OK;
    });
}

}  // extern "C"
