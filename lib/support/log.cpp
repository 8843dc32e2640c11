#include "support/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tfstage {

spdlog::logger& log() {
    static const std::shared_ptr<spdlog::logger> logger = [] {
        auto created = std::make_shared<spdlog::logger>("tfstage", std::make_shared<spdlog::sinks::stderr_sink_mt>());
        const char* level = std::getenv("TFSTAGE_LOG");
        created->set_level(level ? spdlog::level::from_str(level) : spdlog::level::warn);
        created->set_pattern("tfstage: %l: %v");
        return created;
    }();
    return *logger;
}

}  // namespace tfstage
