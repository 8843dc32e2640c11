#include "support/cli.hpp"

#include <sstream>

#include "support/fixtures.hpp"
#include "support/workdir.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::test {

process::Command tfstage_command(const std::vector<std::string>& args) {
    process::Command command;
    command.argv = {TFSTAGE_BINARY_DIR "/cmd/tfstage/tfstage"};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = {{"TFSTAGE_CLI_CONFIG", cli_config().string()}, {"NO_COLOR", "1"}};
    command.env_drop = {"TFSTAGE_TERRAFORM", "TF_WORKSPACE", "TF_CLI_ARGS*"};
    return command;
}

std::vector<json> parse_events(const std::string& out) {
    std::vector<json> events;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() != '{') continue;
        auto event = json::parse(line, nullptr, false);
        if (event.is_object()) events.push_back(std::move(event));
    }
    return events;
}

Cli tfstage_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    process::Command command = tfstage_command(args);
    for (const auto& [name, value] : env) command.env[name] = value;
    const auto result = process::run(command);
    return Cli{result.exit_code, result.out, result.err, parse_events(result.out), result.duration};
}

std::vector<json> events_of(const std::vector<json>& events, const std::string& type, const std::string& stage) {
    std::vector<json> out;
    for (const auto& e : events)
        if (e.value("type", "") == type && (stage.empty() || e.value("stage", "") == stage)) out.push_back(e);
    return out;
}

std::vector<json> events_of(const Cli& cli, const std::string& type, const std::string& stage) {
    return events_of(cli.events, type, stage);
}

std::string final_status(const Cli& cli) {
    if (cli.events.empty()) return "(no events)";
    const auto& last = cli.events.back();
    if (last.value("type", "") != "rollout_finished") return "(last event is " + last.value("type", "?") + ")";
    return last.value("status", "");
}

std::string run_id_of(const Cli& cli) { return cli.events.empty() ? "" : cli.events.front().value("run", ""); }

json read_json_file(const fs::path& path) { return json::parse(read_text(path), nullptr, false); }

json journal_of(const fs::path& state_dir, const std::string& run) {
    return read_json_file(state_dir / "runs" / run / "journal.json");
}

json stage_record(const json& journal, const std::string& name) {
    for (const auto& s : journal.value("stages", json::array()))
        if (s.value("name", "") == name) return s;
    return json::object();
}

}  // namespace tfstage::test
