// The library's logger: stderr, level from $TFSTAGE_LOG (trace, debug, info, warn, error, off;
// default warn). Never log secret values: argv goes through terraform::redact_argv first.
#pragma once

#include <memory>

namespace spdlog {
class logger;
}

namespace tfstage {

spdlog::logger& log();

}  // namespace tfstage
