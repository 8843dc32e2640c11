// tfstage workspace list|show|new|select|delete|select-or-create
#include <iostream>

#include <nlohmann/json.hpp>

#include "context.hpp"

namespace tfstage::cli {

void register_workspace(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("workspace", "manage the root's workspaces");
    verb->require_subcommand(1);

    verb->add_subcommand("list", "list the workspaces")->callback([&context] {
        auto engine = context.engine(false);
        const auto names = engine.workspace_list();
        if (context.global.json) {
            std::cout << nlohmann::json{{"schema_version", 1}, {"workspaces", names}}.dump() << '\n';
        } else {
            for (const auto& name : names) std::cout << name << '\n';
        }
    });
    verb->add_subcommand("show", "print the selected workspace")->callback([&context] {
        std::cout << context.engine(false).workspace_show() << '\n';
    });

    struct NameArg {
        std::string name;
        bool force = false;
    };
    auto args = std::make_shared<NameArg>();
    auto add_named = [&](const char* name, const char* help, auto action) {
        auto* sub = verb->add_subcommand(name, help);
        sub->add_option("NAME", args->name, "workspace name")->required();
        sub->callback([&context, args, action] {
            auto engine = context.engine(false);
            action(engine, *args);
        });
        return sub;
    };
    add_named("new", "create a workspace and select it",
              [](terraform::Engine& e, const NameArg& a) { e.workspace_new(a.name); });
    add_named("select", "select a workspace", [](terraform::Engine& e, const NameArg& a) { e.workspace_select(a.name); });
    add_named("select-or-create", "select a workspace, creating it when it does not exist",
              [](terraform::Engine& e, const NameArg& a) { e.workspace_select_or_create(a.name); });
    add_named("delete", "delete a workspace",
              [](terraform::Engine& e, const NameArg& a) { e.workspace_delete(a.name, a.force); })
        ->add_flag("--force", args->force, "delete even when its state still holds resources");
}

}  // namespace tfstage::cli
