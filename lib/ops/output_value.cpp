#include "ops/output_value.hpp"

#include "support/error.hpp"

namespace tfstage::ops {

std::string output_raw(terraform::Engine& engine, const std::string& name, bool reveal_sensitive) {
    if (name.empty()) throw Error(ErrorCode::invalid_argument, "the output name is empty");
    if (!reveal_sensitive) {
        // `output -raw` prints sensitive values: ask first whether this one is.
        const auto outputs = engine.outputs();
        const auto found = outputs.is_object() ? outputs.find(name) : outputs.end();
        if (found == outputs.end())
            throw Error(ErrorCode::not_found, "the root has no output '" + name + "' (apply it first, or check the name)");
        if (found->is_object() && found->value("sensitive", false))
            throw Error(ErrorCode::invalid_argument,
                        "the output '" + name + "' is sensitive: its value is given only when asked for (reveal_sensitive)");
    }
    return engine.output_raw(name);
}

}  // namespace tfstage::ops
