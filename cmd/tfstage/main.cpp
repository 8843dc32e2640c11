// tfstage: the command. Each verb registers itself from its own file; main catches everything,
// prints one clear line and returns the documented exit code.
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "context.hpp"
#include "terraform/engine.hpp"

namespace {

tfstage::process::CancelToken* g_cancel = nullptr;

// The first Ctrl-C asks the running child to stop (SIGINT to its group, then SIGKILL after the
// grace period), so Terraform releases its state lock; the second one restores the default.
extern "C" void on_interrupt(int) {
    if (g_cancel != nullptr) g_cancel->cancel();
    ::signal(SIGINT, SIG_DFL);
}

std::string version_text(tfstage::cli::Context& context) {
    std::string text = std::string("tfstage ") + TFSTAGE_VERSION_STRING + "\n";
    try {
        auto engine = context.engine(false);
        const auto& info = engine.info();
        text += std::string(tfstage::terraform::to_string(info.flavour)) + " " + info.version.str() + " (" + info.binary + ")";
    } catch (const std::exception& e) {
        text += std::string("engine: not available: ") + e.what();
    }
    return text;
}

}  // namespace

int main(int argc, char** argv) {
    tfstage::cli::Context context;
    g_cancel = context.cancel.get();
    ::signal(SIGINT, on_interrupt);

    CLI::App app{"tfstage: staged Terraform/OpenTofu and AWS CDK rollouts: plan each stage into a saved plan, review it,\n"
                 "stop at approval gates, apply exactly that plan, check, journal, resume."};
    app.name("tfstage");
    app.require_subcommand(0, 1);
    bool show_version = false;
    app.add_flag("--version", show_version, "print tfstage's version and the engine's");
    auto& g = context.global;
    app.add_option("-C,--chdir", g.chdir, "the root module directory (default: the current directory)");
    app.add_option("--engine", g.engine, "terraform or tofu binary (default: $TFSTAGE_TERRAFORM, terraform, tofu)")
        ->envname("TFSTAGE_TERRAFORM");
    app.add_option("--cli-config", g.cli_config, "Terraform CLI config file for the engine (TF_CLI_CONFIG_FILE)")
        ->envname("TFSTAGE_CLI_CONFIG");
    app.add_option("-w,--workspace", g.workspace, "workspace for this command (default: the selected one)");
    app.add_flag("--json", g.json, "machine-readable output (JSON / NDJSON events)");

    tfstage::cli::register_run(app, context);
    tfstage::cli::register_resume(app, context);
    tfstage::cli::register_rollback(app, context);
    tfstage::cli::register_status(app, context);
    tfstage::cli::register_validate(app, context);
    tfstage::cli::register_workspace(app, context);
    tfstage::cli::register_engine(app, context);
    tfstage::cli::register_show(app, context);
    tfstage::cli::register_address(app, context);
    tfstage::cli::register_targets(app, context);
    tfstage::cli::register_stages(app, context);

    g.color = std::getenv("NO_COLOR") == nullptr && ::isatty(STDOUT_FILENO);
    try {
        // Verbs run from their callbacks during parse and leave their exit code in the context.
        app.parse(argc, argv);
        if (show_version) {
            std::cout << version_text(context) << '\n';
            return 0;
        }
        if (app.get_subcommands().empty()) {
            std::cout << app.help();
            return tfstage::cli::exit_usage;
        }
        return context.exit_code;
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : tfstage::cli::exit_usage;
    } catch (const tfstage::Error& e) {
        std::cerr << "tfstage: " << e.what() << '\n';
        for (std::size_t i = 1; i < e.diagnostics().size(); ++i)
            std::cerr << "  " << e.diagnostics()[i].one_line() << '\n';
        return tfstage::cli::exit_code_for(e.code());
    } catch (const std::exception& e) {
        std::cerr << "tfstage: " << e.what() << '\n';
        return tfstage::cli::exit_failure;
    }
}
