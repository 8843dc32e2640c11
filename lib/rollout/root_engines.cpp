#include "rollout/root_engines.hpp"

#include <algorithm>

namespace tfstage::rollout {

RootEngines::RootEngines(std::filesystem::path cli_config, std::chrono::milliseconds grace,
                         std::shared_ptr<process::CancelToken> run_cancel, Journal& journal)
    : cli_config_(std::move(cli_config)), grace_(grace), run_cancel_(std::move(run_cancel)), journal_(journal) {}

void RootEngines::prepare(const RootWorkspace& where) {
    std::lock_guard lock(prepare_mutex_);
    if (prepared_.count(where.key())) return;
    terraform::EngineOptions o = options(where);
    o.workspace.clear();  // it may not exist yet: select-or-create below
    terraform::Engine engine(o);
    engine.init();
    if (where.workspace != "default") engine.workspace_select_or_create(where.workspace);
    journal_.update([&](nlohmann::json& doc) {
        doc["setup"][where.dir.string()] = {{"workspace", where.workspace},
                                            {"engine_launches", engine.launches()},
                                            {"engine", {{"flavour", terraform::to_string(engine.info().flavour)},
                                                        {"version", engine.info().version.str()}}}};
    });
    prepared_.insert(where.key());
}

const terraform::EngineInfo& RootEngines::info(const RootWorkspace& where) {
    std::lock_guard lock(info_mutex_);
    auto it = infos_.find(where.key());
    if (it == infos_.end()) {
        terraform::EngineOptions o;
        o.working_dir = where.dir;
        o.binary = where.engine;
        o.cli_config_file = cli_config_;
        it = infos_.emplace(where.key(), terraform::Engine(o).info()).first;
    }
    return it->second;
}

terraform::EngineOptions RootEngines::options(const RootWorkspace& where,
                                              const std::shared_ptr<process::CancelToken>& cancel) {
    terraform::EngineOptions o;
    o.working_dir = where.dir;
    o.binary = where.engine;
    o.cli_config_file = cli_config_;
    o.workspace = where.workspace;
    o.grace = grace_;
    o.cancel = cancel ? cancel : run_cancel_;
    o.known_info = info(where);
    return o;
}

nlohmann::json RootEngines::outputs(const RootWorkspace& where, const std::vector<std::string>& wanted) {
    std::lock_guard lock(outputs_mutex_);
    auto it = outputs_.find(where.key());
    const auto lacks_value = [&](const std::string& name) {
        const auto output = it->second.values.find(name);
        return output != it->second.values.end() && output->is_object() && !output->contains("value");
    };
    if (it != outputs_.end() && (it->second.complete || std::none_of(wanted.begin(), wanted.end(), lacks_value)))
        return it->second.values;
    prepare(where);
    KnownOutputs read{terraform::Engine(options(where)).outputs(), true};
    journal_.update([&](nlohmann::json& doc) {
        nlohmann::json& setup = doc["setup"][where.dir.string()];
        setup["output_launches"] = setup.value("output_launches", 0) + 1;
    });
    return (outputs_[where.key()] = std::move(read)).values;
}

void RootEngines::applied(const RootWorkspace& where, std::optional<nlohmann::json> reported) {
    std::lock_guard lock(outputs_mutex_);
    if (reported)
        outputs_[where.key()] = {std::move(*reported), false};
    else
        outputs_.erase(where.key());
}

}  // namespace tfstage::rollout
