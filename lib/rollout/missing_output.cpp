#include "rollout/missing_output.hpp"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// output "NAME" { at the start of a line of a *.tf file (outputs are top-level blocks), outside
// /* */ comments: the line number, or 0.
int hcl_declaration(const std::string& text, const std::string& name) {
    static const std::regex header(R"re(^\s*output\s+("([^"]+)"|([A-Za-z_][A-Za-z0-9_-]*))\s*\{)re");
    std::istringstream lines(text);
    std::string line;
    bool in_comment = false;
    for (int number = 1; std::getline(lines, line); ++number) {
        if (in_comment) {
            const auto close = line.find("*/");
            if (close == std::string::npos) continue;
            line.erase(0, close + 2);
            in_comment = false;
        }
        std::smatch m;
        if (std::regex_search(line, m, header) && (m[2].matched ? m[2].str() : m[3].str()) == name) return number;
        const auto open = line.rfind("/*");
        if (open != std::string::npos && line.find("*/", open) == std::string::npos) in_comment = true;
    }
    return 0;
}

// {"output": {"NAME": {...}}} (or a list of such objects) in a *.tf.json file.
bool json_declaration(const std::string& text, const std::string& name) {
    const json doc = json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("output")) return false;
    const json& outputs = doc["output"];
    for (const auto& blocks : outputs.is_array() ? outputs : json::array({outputs}))
        if (blocks.is_object() && blocks.contains(name)) return true;
    return false;
}

}  // namespace

std::optional<std::string> output_declaration(const fs::path& root_dir, const std::string& name) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_dir, ec)) {
        const std::string file = entry.path().filename().string();
        if (entry.is_regular_file(ec) && (ends_with(file, ".tf") || ends_with(file, ".tf.json"))) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
        const std::string text = read_text(file);
        const std::string shown = file.filename().string();
        if (ends_with(shown, ".tf.json")) {
            if (json_declaration(text, name)) return shown;
        } else if (const int line = hcl_declaration(text, name); line > 0) {
            return shown + ":" + std::to_string(line);
        }
    }
    return std::nullopt;
}

std::string missing_output_message(const std::string& name, const fs::path& root_dir, const std::string& workspace,
                                   const json& outputs) {
    std::string message = "${output." + name + "}: the output '" + name + "' is not in the state of root " +
                          root_dir.string() + " (workspace " + workspace + ")";
    if (const auto where = output_declaration(root_dir, name)) {
        message += ". The configuration declares it (" + *where +
                   "), but the state has no value for it: a targeted apply (-target) writes only the outputs of what "
                   "it targeted. Add the resources the output depends on to the stage's targets, or apply the root "
                   "without targets (a full apply) before this command runs";
        return message;
    }
    std::vector<std::string> names;
    if (outputs.is_object())
        for (const auto& [key, value] : outputs.items()) names.push_back(key);
    message += ", and the configuration in " + root_dir.string() + " does not declare it";
    if (names.empty()) {
        message += "; the state has no outputs at all";
    } else {
        message += "; the outputs in the state are:";
        for (std::size_t i = 0; i < names.size(); ++i) message += (i == 0 ? " " : ", ") + names[i];
    }
    return message;
}

void explain_missing_outputs(Variables& vars, const std::vector<std::string>& wanted, const fs::path& root_dir,
                             const std::string& workspace, const json& outputs) {
    for (const auto& name : wanted) {
        if (outputs.is_object() && outputs.contains(name)) continue;
        vars[missing_key("output." + name)] = missing_output_message(name, root_dir, workspace, outputs);
    }
}

}  // namespace tfstage::rollout
