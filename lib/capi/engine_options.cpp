#include "engine_options.hpp"

#include <chrono>

#include "address/address.hpp"

namespace tfstage::capi {
namespace fs = std::filesystem;
namespace {

constexpr std::int64_t kMaxMs = std::int64_t{1} << 40;

fs::path from_root(const fs::path& root, const std::string& path) {
    const fs::path p(path);
    return p.is_absolute() ? p : root / p;
}

// A path option that names a file: a directory there is refused before anything runs, saying so
// (Terraform would read it as an empty or unreadable file).
fs::path not_a_directory(fs::path path, const char* key, ErrorCode code) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw Error(code, std::string("\"") + key + "\": " + path.string() + " is a directory, not a file");
    return path;
}

std::vector<std::string> checked_addresses(const Request& request, const char* key) {
    auto out = request.strings(key);
    for (const auto& text : out) {
        try {
            (void)address::parse(text);
        } catch (const address::AddressError& e) {
            throw Error(ErrorCode::parse_error, std::string("\"") + key + "\": " + e.what());
        }
    }
    return out;
}

std::vector<terraform::Variable> variables(const Request& request) {
    std::vector<terraform::Variable> out;
    for (auto& [name, value] : request.string_map("vars")) {
        if (name.empty()) throw Error(ErrorCode::invalid_argument, "\"vars\": a variable name is empty");
        out.push_back({name, value});
    }
    return out;
}

// What plan and destroy share.
template <class Options>
void common_change_options(const Request& r, const fs::path& root, Options& o) {
    o.vars = variables(r);
    for (const auto& file : r.strings("var_files"))
        o.var_files.push_back(not_a_directory(from_root(root, file), "var_files", ErrorCode::not_found));
    o.targets = checked_addresses(r, "targets");
    o.excludes = checked_addresses(r, "excludes");
    o.lock = r.boolean("lock").value_or(true);
    o.lock_timeout = r.string("lock_timeout").value_or("");
    o.parallelism = static_cast<int>(r.integer("parallelism", 0, 10000).value_or(0));
}

}  // namespace

terraform::EngineOptions engine_options(const char* root_dir, const char* options_json) {
    const Request r(options_json, "engine");
    terraform::EngineOptions o;
    std::error_code ec;
    if (!fs::is_directory(root_dir, ec))
        throw Error(ErrorCode::not_found, std::string("the root module directory ") + root_dir + " does not exist");
    o.working_dir = fs::absolute(root_dir);
    o.binary = terraform::discover_binary(r.string("binary").value_or(""));
    if (auto config = r.string("cli_config"))
        o.cli_config_file = not_a_directory(fs::absolute(*config), "cli_config", ErrorCode::not_found);
    if (auto workspace = r.string("workspace")) {
        // Absent (or null) means the current workspace; "" is no workspace name at all.
        if (workspace->empty())
            throw Error(ErrorCode::invalid_argument, "\"workspace\": the workspace name is empty (leave the key out for the current one)");
        o.workspace = std::move(*workspace);
    }
    o.env = r.string_map("env");
    o.timeout = std::chrono::milliseconds(r.integer("timeout_ms", 0, kMaxMs).value_or(0));
    if (auto grace = r.integer("grace_ms", 0, kMaxMs)) o.grace = std::chrono::milliseconds(*grace);
    if (auto lock_timeout = r.string("lock_timeout")) o.lock_timeout = *lock_timeout;
    o.inherit_tf_cli_args = r.boolean("inherit_tf_cli_args").value_or(false);
    return o;
}

terraform::InitOptions init_options(const char* options_json) {
    const Request r(options_json, "init");
    terraform::InitOptions o;
    o.backend_config = r.strings("backend_config");
    o.reconfigure = r.boolean("reconfigure").value_or(false);
    o.upgrade = r.boolean("upgrade").value_or(false);
    o.backend = r.boolean("backend").value_or(true);
    return o;
}

terraform::PlanOptions plan_options(const char* options_json, const fs::path& root) {
    const Request r(options_json, "plan");
    terraform::PlanOptions o;
    common_change_options(r, root, o);
    o.replace = checked_addresses(r, "replace");
    o.destroy = r.boolean("destroy").value_or(false);
    o.refresh_only = r.boolean("refresh_only").value_or(false);
    o.refresh = r.boolean("refresh").value_or(true);
    if (auto out = r.string("out")) o.out = not_a_directory(from_root(root, *out), "out", ErrorCode::io);
    return o;
}

terraform::ApplyOptions destroy_options(const char* options_json, const fs::path& root) {
    const Request r(options_json, "destroy");
    terraform::ApplyOptions o;
    common_change_options(r, root, o);
    o.destroy = true;
    return o;
}

ops::PlanInputs plan_source_options(const char* options_json) {
    const Request r(options_json, "plan_source");
    ops::PlanInputs inputs;
    if (auto plan = r.string("plan")) inputs.plan_file = fs::absolute(*plan);
    for (const auto& file : r.strings("var_files"))
        inputs.var_files.push_back(not_a_directory(fs::absolute(file), "var_files", ErrorCode::not_found));
    inputs.vars = variables(r);
    return inputs;
}

fs::path saved_plan_path(const char* plan_file) {
    const fs::path file = fs::absolute(plan_file);
    std::error_code ec;
    if (fs::is_directory(file, ec))
        throw Error(ErrorCode::not_found, file.string() + " is a directory, not a saved plan file (terraform plan -out=FILE)");
    if (!fs::is_regular_file(file, ec)) throw Error(ErrorCode::not_found, "there is no plan file " + file.string());
    return file;
}

}  // namespace tfstage::capi
