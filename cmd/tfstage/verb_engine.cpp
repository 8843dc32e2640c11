// tfstage engine init|plan|apply|destroy|show|output|validate|state-list: single engine
// commands with tfstage's safety (non-interactive, redacted, diagnostics parsed). Rollouts
// compose these; people use them for one-off steps.
#include <iostream>

#include <nlohmann/json.hpp>

#include "context.hpp"
#include "ops/engine_results.hpp"
#include "ops/output_value.hpp"
#include "ops/plan_with_provenance.hpp"

namespace tfstage::cli {
namespace {

struct ChangeOptions {
    std::vector<std::string> vars;  // NAME=VALUE
    std::vector<std::string> var_files;
    std::vector<std::string> targets;
    std::vector<std::string> excludes;
    std::vector<std::string> replace;
    std::string out;
    bool destroy = false;
    bool detailed_exitcode = false;
    std::string lock_timeout;
    int parallelism = 0;
};

// The options plan, apply and destroy share, into PlanOptions or ApplyOptions.
template <class EngineCallOptions>
void copy_change_options(const ChangeOptions& o, EngineCallOptions& options) {
    options.vars = parse_vars(o.vars);
    for (const auto& f : o.var_files) options.var_files.emplace_back(f);
    options.targets = o.targets;
    options.excludes = o.excludes;
    options.lock_timeout = o.lock_timeout;
    options.parallelism = o.parallelism;
}

void add_change_options(CLI::App* sub, ChangeOptions& o) {
    sub->add_option("--var", o.vars, "NAME=VALUE (repeatable; values are never printed)");
    sub->add_option("--var-file", o.var_files, "a .tfvars file (repeatable)");
    sub->add_option("--target", o.targets, "resource or module address to limit the change to (repeatable)");
    sub->add_option("--exclude", o.excludes, "address to leave out (OpenTofu >= 1.9; repeatable)");
    sub->add_option("--lock-timeout", o.lock_timeout, "how long to wait for the state lock, e.g. 30s");
    sub->add_option("--parallelism", o.parallelism, "concurrent operations in the engine");
}

void print_summary(const Context& context, const std::optional<terraform::ChangeSummary>& summary, bool changes,
                   const nlohmann::json& saved_plan = nullptr) {
    if (!context.global.json) return;  // people saw the engine's own change_summary line
    nlohmann::json out{{"schema_version", 1}, {"changes_present", changes}};
    if (!saved_plan.is_null()) out["saved_plan"] = saved_plan;
    if (summary) out["change_summary"] = ops::change_counts(summary);
    std::cout << nlohmann::json{{"type", "result"}, {"result", out}}.dump() << '\n';
}

// {plan_file, plan_sha256, provenance} for the JSON result, or a line for people.
nlohmann::json saved_plan_result(const Context& context, const ops::SavedPlan& saved) {
    if (!context.global.json)
        std::cout << "Saved plan " << saved.provenance.plan_file << " (sha256 " << saved.provenance.plan_sha256
                  << "); provenance in " << saved.provenance_file.string() << '\n';
    return {{"plan_file", saved.provenance.plan_file},
            {"plan_sha256", saved.provenance.plan_sha256},
            {"provenance", saved.provenance_file.string()}};
}

}  // namespace

void register_engine(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("engine", "run one engine command (init, plan, apply, ...) on the -C root");
    verb->require_subcommand(1);
    auto o = std::make_shared<ChangeOptions>();

    auto init_options = std::make_shared<terraform::InitOptions>();
    auto* init = verb->add_subcommand("init", "initialise the root (providers, modules, backend)");
    init->add_option("--backend-config", init_options->backend_config, "KEY=VALUE or a file (repeatable)");
    init->add_flag("--reconfigure", init_options->reconfigure, "ignore the saved backend configuration");
    init->add_flag("--upgrade", init_options->upgrade, "upgrade modules and providers");
    init->callback([&context, init_options] { context.engine().init(*init_options); });

    auto* plan = verb->add_subcommand("plan", "plan, optionally into a saved plan file");
    add_change_options(plan, *o);
    plan->add_option("--replace", o->replace, "force replacement of this address (repeatable)");
    plan->add_option("--out", o->out, "save the plan to this file (apply it with `engine apply FILE`)");
    plan->add_flag("--destroy", o->destroy, "plan to destroy");
    plan->add_flag("--detailed-exitcode", o->detailed_exitcode, "exit 2 when changes are present (as Terraform)");
    plan->callback([&context, o] {
        terraform::PlanOptions options;
        copy_change_options(*o, options);
        options.replace = o->replace;
        options.out = o->out;
        options.destroy = o->destroy;
        auto engine = context.engine();
        bool changes_present = false;
        if (options.out.empty()) {
            const auto result = engine.plan(options);
            changes_present = result.changes_present;
            print_summary(context, result.summary, changes_present);
        } else {
            const auto saved = ops::plan_with_provenance(engine, options);
            changes_present = saved.result.changes_present;
            print_summary(context, saved.result.summary, changes_present, saved_plan_result(context, saved));
        }
        if (o->detailed_exitcode && changes_present) context.exit_code = 2;
    });

    auto plan_file = std::make_shared<std::string>();
    auto* apply = verb->add_subcommand("apply", "apply a saved plan file exactly, or plan and apply (with --auto-approve)");
    apply->add_option("PLAN", *plan_file, "saved plan file");
    add_change_options(apply, *o);
    auto auto_approve = std::make_shared<bool>(false);
    apply->add_flag("--auto-approve", *auto_approve, "apply without a saved plan (plans and applies at once)");
    apply->callback([&context, o, plan_file, auto_approve] {
        terraform::ApplyOptions options;
        if (plan_file->empty() && !*auto_approve)
            throw Error(ErrorCode::invalid_argument,
                        "engine apply needs a saved plan file (from `engine plan --out FILE`), or --auto-approve");
        options.plan_file = *plan_file;
        copy_change_options(*o, options);
        const auto result = context.engine().apply(options);
        print_summary(context, result.summary, true);
    });

    auto* destroy = verb->add_subcommand("destroy", "destroy (all, or the --target addresses)");
    add_change_options(destroy, *o);
    destroy->callback([&context, o] {
        terraform::ApplyOptions options;
        copy_change_options(*o, options);
        const auto result = context.engine().destroy(options);
        print_summary(context, result.summary, true);
    });

    auto show_file = std::make_shared<std::string>();
    auto* show = verb->add_subcommand("show-json", "print show -json of a saved plan, or of the state");
    show->add_option("PLAN", *show_file, "saved plan file (default: the state)");
    show->callback([&context, show_file] { std::cout << context.engine(false).show_json(*show_file); });

    auto output_name = std::make_shared<std::string>();
    auto raw = std::make_shared<bool>(false);
    auto* output = verb->add_subcommand("output", "print outputs as JSON, or one output (--raw for plain text)");
    output->add_option("NAME", *output_name, "one output");
    output->add_flag("--raw", *raw, "print a string/number/bool output as plain text");
    output->callback([&context, output_name, raw] {
        auto engine = context.engine(false);
        if (*raw) {
            if (output_name->empty()) throw Error(ErrorCode::invalid_argument, "--raw needs an output NAME");
            std::cout << ops::output_raw(engine, *output_name, /*reveal_sensitive=*/true) << '\n';  // asked for by name, as terraform
        } else if (output_name->empty()) {
            std::cout << engine.outputs().dump(2) << '\n';
        } else {
            std::cout << engine.output(*output_name).dump(2) << '\n';
        }
    });

    verb->add_subcommand("validate", "validate the configuration")->callback([&context] {
        const auto result = context.engine(false).validate();
        if (context.global.json) {
            std::cout << ops::validate_document(result).dump() << '\n';
        } else {
            for (const auto& d : result.diagnostics) std::cout << d.one_line() << '\n';
            std::cout << (result.valid ? "valid" : "invalid") << '\n';
        }
        if (!result.valid) context.exit_code = exit_failure;
    });

    verb->add_subcommand("state-list", "list the addresses in the state")->callback([&context] {
        for (const auto& address : context.engine(false).state_list()) std::cout << address << '\n';
    });
}

}  // namespace tfstage::cli
