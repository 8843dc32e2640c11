// The fingerprint of a stage: what its result depends on. A resume does not run a finished
// stage again when its fingerprint is unchanged. Variable values go in only as one keyed hash
// (they may be secret: rollout/input_key.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include "rollout/run_context.hpp"

namespace tfstage::rollout {

// {"kind": "apply"|"destroy"|"command"|"cdk", ...}: targets and excludes; for Terraform stages
// the root, workspace, engine and version, var files with their sha256, variable names, the
// keyed hash of their values and one sha256 over the configuration files the stage applies;
// for commands the argv and for_each; for CDK stages the app and what it deploys.
nlohmann::json stage_inputs(RunContext& run, const Stage& stage);

// A stage record as an earlier release journaled it, brought to today's fingerprint (the kind
// as a number, the unsalted vars_sha256), and journaled so; unchanged otherwise.
nlohmann::json upgraded_record(RunContext& run, nlohmann::json record);

// sha256 of each stack's template in a CDK stage's assembly: {"STACK": "hex"}; null when there
// is no assembly to read (an app command, or not synthesized).
nlohmann::json template_hashes(const CdkStage& cdk);

}  // namespace tfstage::rollout
