// The Terraform engines of one run's roots: each root and workspace is initialised and put on
// its workspace once, its engine's version is asked once, and its outputs are read once after
// each apply (from the apply's own message when it holds them). Every Engine made here starts knowing its version, so a stage costs only its
// plan, show and apply launches.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "process/process.hpp"
#include "rollout/journal.hpp"
#include "rollout/root_workspace.hpp"
#include "terraform/engine.hpp"

namespace tfstage::rollout {

class RootEngines {
public:
    // `run_cancel`: the run's token, used when an engine is not given a stage's own.
    RootEngines(std::filesystem::path cli_config, std::chrono::milliseconds grace,
                std::shared_ptr<process::CancelToken> run_cancel, Journal& journal);

    // `init`, and the workspace selected or created, once per root and workspace; journaled
    // under "setup" with the engine's flavour and version.
    void prepare(const RootWorkspace& where);
    // `version -json`, asked once per root and workspace.
    const terraform::EngineInfo& info(const RootWorkspace& where);
    // Options every engine of `where` shares; cancelled by `cancel`, or the run's token.
    terraform::EngineOptions options(const RootWorkspace& where,
                                     const std::shared_ptr<process::CancelToken>& cancel = nullptr);
    // The root's outputs, for commands that want the `wanted` names: those the last apply of
    // this run reported, else `output -json` (the root prepared first; launched once until the
    // next apply). An apply reports a sensitive output without its value: wanting one launches
    // `output -json`. Each launch is counted in the journal's setup (output_launches).
    nlohmann::json outputs(const RootWorkspace& where, const std::vector<std::string>& wanted);
    // After an apply on `where`: the outputs it reported, or nullopt when it reported none.
    void applied(const RootWorkspace& where, std::optional<nlohmann::json> reported);

private:
    std::filesystem::path cli_config_;
    std::chrono::milliseconds grace_;
    std::shared_ptr<process::CancelToken> run_cancel_;
    Journal& journal_;

    std::mutex prepare_mutex_;
    std::set<std::string> prepared_;
    std::mutex info_mutex_;
    std::map<std::string, terraform::EngineInfo> infos_;
    struct KnownOutputs {
        nlohmann::json values;  // as `output -json` shapes them
        bool complete = false;  // from `output -json`, sensitive values included
    };
    std::mutex outputs_mutex_;
    std::map<std::string, KnownOutputs> outputs_;
};

}  // namespace tfstage::rollout
