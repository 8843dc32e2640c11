// The cloud assembly: what `cdk synth` writes (cdk.out/manifest.json and the templates next to
// it). Its stacks, their templates and their dependencies tell tfstage in which order stacks
// may deploy and which may deploy together.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace tfstage::cdk {

// The newest cloud-assembly schema major version this tfstage reads (aws-cdk-lib 2.276 writes
// 55.0.0). A newer one may have changed what the fields mean: it is refused, not guessed at.
inline constexpr int max_assembly_major_version = 55;

struct Stack {
    std::string id;             // the artifact id: "CeapDatabase-prod", "ProdNetwork2D2E7D69"
    std::string stack_name;     // the CloudFormation name: properties.stackName, else the id
    std::string display_name;   // the name `cdk deploy` selects by: "Prod/Network", else the id
    std::string template_file;  // relative to the assembly directory
    std::string environment;    // "aws://123456789012/us-east-1", "aws://unknown-account/unknown-region"
    std::vector<std::string> dependencies;        // ids of stacks this one needs deployed first
    std::vector<std::string> asset_dependencies;  // ids of other artifacts (the .assets manifests)
    std::string assembly;  // "" at the top; the nested assembly's artifact id ("assembly-Prod")
};

struct NestedAssembly {
    std::string id;            // "assembly-Stage"
    std::string directory;     // relative to its parent assembly
    std::string display_name;  // "Stage"
};

struct Assembly {
    std::filesystem::path directory;  // "" when parsed from text
    std::string version;              // "54.0.0"
    std::vector<Stack> stacks;        // manifest order; nested assemblies' stacks follow theirs
    std::vector<NestedAssembly> nested;

    // By id, stack name or display name; nullptr when none matches.
    const Stack* find(std::string_view name) const;
    // "CeapDatabase-prod, CeapDataPlatform-prod, ..." for messages.
    std::string stack_list() const;
};

// Parses one manifest.json. `label` names it in errors ("cdk.out/manifest.json"). Throws
// Error(parse_error) for malformed JSON or a malformed artifact (naming the artifact and key)
// and Error(unsupported) for a schema version newer than max_assembly_major_version.
Assembly parse_manifest(std::string_view text, const std::string& label);

// Reads DIR/manifest.json, and the manifests of nested assemblies (cdk Stages) below it.
// Throws Error(not_found) when DIR holds no manifest.json (with what to run: cdk synth).
Assembly read_assembly(const std::filesystem::path& directory);

// True when DIR looks like a cloud assembly (it holds a manifest.json).
bool is_assembly(const std::filesystem::path& directory);

// The deploy order of `selected` stacks (all when empty) as waves: every stack comes after
// the stacks it depends on, and the stacks of one wave do not depend on one another, so they
// may deploy together. Dependencies on stacks outside the selection are taken as deployed
// already. Throws Error(invalid_argument) for an unknown name (listing the stacks there are)
// and for a dependency cycle (naming it).
std::vector<std::vector<const Stack*>> deploy_waves(const Assembly& assembly, const std::vector<std::string>& selected = {});

// For destroys: the waves in reverse (dependents first).
std::vector<std::vector<const Stack*>> destroy_waves(const Assembly& assembly, const std::vector<std::string>& selected);

// "A, B then C" for a list of waves (display names).
std::string describe_waves(const std::vector<std::vector<const Stack*>>& waves);

}  // namespace tfstage::cdk
