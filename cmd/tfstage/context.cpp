#include "context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "ops/event_documents.hpp"

namespace tfstage::cli {

int exit_code_for(ErrorCode code) {
    switch (code) {
        case ErrorCode::awaiting_approval: return exit_awaiting_approval;
        case ErrorCode::policy_violation: return exit_policy_violation;
        case ErrorCode::deadline_exceeded: return exit_deadline;
        case ErrorCode::unconverged: return exit_unconverged;
        case ErrorCode::cancelled: return exit_interrupted;
        case ErrorCode::invalid_argument: return exit_usage;
        default: return exit_failure;
    }
}

std::vector<terraform::Variable> parse_vars(const std::vector<std::string>& vars) {
    std::vector<terraform::Variable> out;
    for (const auto& text : vars) {
        const auto eq = text.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error(ErrorCode::invalid_argument, "--var takes NAME=VALUE; got a value without a name or '='");
        out.push_back({text.substr(0, eq), text.substr(eq + 1)});
    }
    return out;
}

terraform::Engine Context::engine(bool stream_events) {
    terraform::EngineOptions options;
    options.working_dir = global.chdir.empty() ? std::filesystem::current_path() : std::filesystem::path(global.chdir);
    options.binary = global.engine;
    options.cli_config_file = global.cli_config;
    options.workspace = global.workspace;
    options.cancel = cancel;
    if (stream_events) {
        const bool json = global.json;
        options.on_event = [json](const terraform::UiEvent& event) {
            if (json) {
                std::cout << ops::engine_event_document(event).dump() << '\n' << std::flush;
                return;
            }
            switch (event.type) {
                case terraform::UiEventType::version:
                case terraform::UiEventType::text:
                    return;  // noise for people
                default:
                    if (!event.message.empty()) std::cout << event.message << '\n' << std::flush;
            }
        };
        options.on_output = [](process::Stream, std::string_view line) { std::cerr << line << '\n'; };
    }
    return terraform::Engine(options);
}

}  // namespace tfstage::cli
