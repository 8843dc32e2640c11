// ${...} placeholders in command argv, env values and cwd:
//
//   ${env}                the environment's name
//   ${workspace}          its workspace ("default" when it has none)
//   ${item}               the current value of a stage's for_each
//   ${output.NAME}        an output of the stage's root (terraform output)
//   ${output.STACK.KEY}   an output of a CDK stack
//
// `$${` is a literal `${`. No shell is involved: the result is one argv element as it is.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "support/error.hpp"

namespace tfstage::rollout {

// Placeholder name (without "${" and "}") -> value: {"env", "prod"}, {"output.vpc_id", "vpc-1"}.
using Variables = std::map<std::string, std::string>;

// Replaces every placeholder. Throws Error(invalid_argument) naming an unknown placeholder or
// an unterminated `${`; when `vars` holds an explanation under missing_key(name), the error
// carries that explanation instead of "unknown placeholder".
std::string substitute(std::string_view text, const Variables& vars);

// The key of the explanation why placeholder `name` has no value. It is no placeholder name: a
// name never holds a '}'.
std::string missing_key(std::string_view name);

// The placeholder names in `text`, in order (escaped `$${` skipped). Throws
// Error(invalid_argument) for an unterminated `${`.
std::vector<std::string> placeholders(std::string_view text);

// True for the names the rollout file may use: env, workspace, item (when `in_for_each`),
// output.NAME and output.STACK.KEY.
bool is_known_placeholder(std::string_view name, bool in_for_each);

}  // namespace tfstage::rollout
