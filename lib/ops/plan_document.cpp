#include "ops/plan_document.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <system_error>

#include "support/error.hpp"

namespace tfstage::ops {
namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
    std::string pattern = (fs::temp_directory_path() / "tfstage-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(ErrorCode::io, "cannot create a temporary directory: " + std::string(std::strerror(errno)));
    path_ = pattern;
}

ScratchDir::~ScratchDir() {
    std::error_code ignored;  // best effort: a leftover temporary directory is not worth a crash
    fs::remove_all(path_, ignored);
}

bool is_json_document(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read " + path.string() + ": " + std::strerror(errno));
    char head[4] = {};
    in.read(head, sizeof head);
    const auto size = static_cast<std::size_t>(in.gcount());
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(head[i]); };
    // A UTF-16 BOM only ever starts text; a UTF-8 BOM is skipped like whitespace.
    if (size >= 2 && ((byte(0) == 0xFF && byte(1) == 0xFE) || (byte(0) == 0xFE && byte(1) == 0xFF))) return true;
    in.clear();
    in.seekg(size >= 3 && byte(0) == 0xEF && byte(1) == 0xBB && byte(2) == 0xBF ? 3 : 0);
    char c = 0;
    while (in.get(c))
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') return c == '{';
    return false;
}

fs::path show_json_document(EngineOnDemand& engine, const fs::path& plan_file, const ScratchDir& scratch) {
    if (is_json_document(plan_file)) return plan_file;
    const fs::path document = scratch.path() / "show.json";
    engine.get().show_json(fs::absolute(plan_file), document);
    return document;
}

fs::path plan_document(EngineOnDemand& engine, const PlanInputs& inputs, const ScratchDir& scratch) {
    if (!inputs.plan_file.empty()) return show_json_document(engine, inputs.plan_file, scratch);
    terraform::PlanOptions options;
    options.vars = inputs.vars;
    options.var_files = inputs.var_files;
    options.refresh = false;
    options.out = scratch.path() / "current.plan";
    engine.get().plan(options);
    const fs::path document = scratch.path() / "current.json";
    engine.get().show_json(options.out, document);
    return document;
}

}  // namespace tfstage::ops
