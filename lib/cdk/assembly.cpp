#include "cdk/assembly.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace tfstage::cdk {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

const char* const stack_type = "aws:cloudformation:stack";
const char* const nested_type = "cdk:cloud-assembly";

const char* json_type(const json& value) {
    if (value.is_object()) return "an object";
    if (value.is_array()) return "a list";
    if (value.is_string()) return "a string";
    if (value.is_null()) return "null";
    return "a number or boolean";
}

// Errors name the file and the key: "cdk.out/manifest.json: artifacts.Api.properties.templateFile: ...".
class Checker {
public:
    explicit Checker(std::string label) : label_(std::move(label)) {}

    [[noreturn]] void fail(const std::string& key, const std::string& message, ErrorCode code = ErrorCode::parse_error) const {
        throw Error(code, label_ + ": " + (key.empty() ? "" : key + ": ") + message);
    }

    const json& object(const json& parent, const std::string& key, const std::string& path, bool required) const {
        static const json empty = json::object();
        const auto it = parent.find(key);
        if (it == parent.end()) {
            if (required) fail(path, "missing (expected an object)");
            return empty;
        }
        if (!it->is_object()) fail(path, std::string("expected an object, found ") + json_type(*it));
        return *it;
    }

    std::string string(const json& parent, const std::string& key, const std::string& path, bool required) const {
        const auto it = parent.find(key);
        if (it == parent.end()) {
            if (required) fail(path, "missing (expected a string)");
            return "";
        }
        if (!it->is_string()) fail(path, std::string("expected a string, found ") + json_type(*it));
        return it->get<std::string>();
    }

    std::vector<std::string> strings(const json& parent, const std::string& key, const std::string& path) const {
        std::vector<std::string> out;
        const auto it = parent.find(key);
        if (it == parent.end()) return out;
        if (!it->is_array()) fail(path, std::string("expected a list of artifact ids, found ") + json_type(*it));
        for (std::size_t i = 0; i < it->size(); ++i) {
            const json& item = (*it)[i];
            if (!item.is_string())
                fail(path + "[" + std::to_string(i) + "]", std::string("expected a string, found ") + json_type(item));
            out.push_back(item.get<std::string>());
        }
        return out;
    }

private:
    std::string label_;
};

int major_of(const std::string& version) {
    std::size_t end = 0;
    while (end < version.size() && version[end] >= '0' && version[end] <= '9') ++end;
    if (end == 0 || end > 6 || (end < version.size() && version[end] != '.')) return -1;
    return std::stoi(version.substr(0, end));
}

std::string read_text(const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot read " + file.string());
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void read_into(const fs::path& directory, const std::string& nested_id, Assembly& out, int depth) {
    const fs::path manifest = directory / "manifest.json";
    std::error_code ec;
    if (!fs::is_regular_file(manifest, ec))
        throw Error(ErrorCode::not_found, "no cloud assembly in " + directory.string() +
                                              " (it has no manifest.json): run `cdk synth --output " + directory.string() +
                                              "` first, or give a `synth` step in the stage");
    Assembly part = parse_manifest(read_text(manifest), manifest.string());
    if (depth == 0) out.version = part.version;
    for (auto& stack : part.stacks) {
        stack.assembly = nested_id;
        out.stacks.push_back(std::move(stack));
    }
    for (const auto& nested : part.nested) {
        if (depth > 8) throw Error(ErrorCode::parse_error, manifest.string() + ": nested assemblies go deeper than 8 levels");
        out.nested.push_back(nested);
        const fs::path below = directory / nested.directory;
        if (!fs::is_directory(below, ec))
            throw Error(ErrorCode::not_found, manifest.string() + ": artifacts." + nested.id + ": the nested assembly directory " +
                                                  below.string() + " does not exist (synthesize the app again)");
        const std::size_t first = out.stacks.size();
        read_into(below, nested.id, out, depth + 1);
        // Templates of nested stacks are relative to their own assembly: make them relative to the top.
        for (std::size_t i = first; i < out.stacks.size(); ++i)
            out.stacks[i].template_file = (fs::path(nested.directory) / out.stacks[i].template_file).string();
    }
}

std::vector<std::vector<const Stack*>> waves_of(const Assembly& assembly, const std::vector<std::string>& selected) {
    std::vector<const Stack*> chosen;
    if (selected.empty()) {
        for (const auto& s : assembly.stacks) chosen.push_back(&s);
    } else {
        for (const auto& name : selected) {
            const Stack* s = assembly.find(name);
            if (s == nullptr)
                throw Error(ErrorCode::invalid_argument, "the cloud assembly" +
                                                             (assembly.directory.empty() ? std::string() : " in " + assembly.directory.string()) +
                                                             " has no stack '" + name + "' (stacks: " + assembly.stack_list() + ")");
            if (std::find(chosen.begin(), chosen.end(), s) == chosen.end()) chosen.push_back(s);
        }
    }
    std::set<std::string> in_selection;
    for (const auto* s : chosen) in_selection.insert(s->id);
    std::set<std::string> placed;
    std::vector<std::vector<const Stack*>> waves;
    while (placed.size() < chosen.size()) {
        std::vector<const Stack*> wave;
        for (const auto* s : chosen) {
            if (placed.count(s->id)) continue;
            const bool ready = std::all_of(s->dependencies.begin(), s->dependencies.end(), [&](const std::string& d) {
                return !in_selection.count(d) || placed.count(d);
            });
            if (ready) wave.push_back(s);
        }
        if (wave.empty()) {
            std::string names;
            for (const auto* s : chosen)
                if (!placed.count(s->id)) names += (names.empty() ? "" : ", ") + s->display_name;
            throw Error(ErrorCode::invalid_argument, "the stacks " + names + " depend on one another in a cycle");
        }
        for (const auto* s : wave) placed.insert(s->id);
        waves.push_back(std::move(wave));
    }
    return waves;
}

}  // namespace

const Stack* Assembly::find(std::string_view name) const {
    for (const auto& s : stacks)
        if (s.id == name || s.display_name == name) return &s;
    for (const auto& s : stacks)
        if (s.stack_name == name) return &s;
    return nullptr;
}

std::string Assembly::stack_list() const {
    std::string out;
    for (const auto& s : stacks) out += (out.empty() ? "" : ", ") + s.display_name;
    return out.empty() ? "none" : out;
}

Assembly parse_manifest(std::string_view text, const std::string& label) {
    const Checker check(label);
    json doc;
    try {
        doc = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        check.fail("", std::string("not valid JSON: ") + e.what());
    }
    if (!doc.is_object()) check.fail("", std::string("expected an object with version and artifacts, found ") + json_type(doc));
    Assembly assembly;
    assembly.version = check.string(doc, "version", "version", true);
    const int major = major_of(assembly.version);
    if (major < 0) check.fail("version", "'" + assembly.version + "' is not a schema version (expected MAJOR.MINOR.PATCH)");
    if (major > max_assembly_major_version)
        check.fail("version",
                   "cloud assembly schema " + assembly.version + " is newer than this tfstage reads (up to " +
                       std::to_string(max_assembly_major_version) +
                       ".x): synthesize with the aws-cdk-lib the project pins, or upgrade tfstage",
                   ErrorCode::unsupported);

    const json& artifacts = check.object(doc, "artifacts", "artifacts", false);
    for (const auto& [id, artifact] : artifacts.items()) {
        const std::string path = "artifacts." + id;
        if (!artifact.is_object()) check.fail(path, std::string("expected an object, found ") + json_type(artifact));
        const std::string type = check.string(artifact, "type", path + ".type", true);
        if (type == stack_type) {
            Stack stack;
            stack.id = id;
            const json& properties = check.object(artifact, "properties", path + ".properties", true);
            stack.template_file = check.string(properties, "templateFile", path + ".properties.templateFile", true);
            if (stack.template_file.empty()) check.fail(path + ".properties.templateFile", "is empty");
            stack.stack_name = check.string(properties, "stackName", path + ".properties.stackName", false);
            if (stack.stack_name.empty()) stack.stack_name = id;
            stack.display_name = check.string(artifact, "displayName", path + ".displayName", false);
            if (stack.display_name.empty()) stack.display_name = id;
            stack.environment = check.string(artifact, "environment", path + ".environment", false);
            if (!stack.environment.empty() && stack.environment.rfind("aws://", 0) != 0)
                check.fail(path + ".environment", "'" + stack.environment + "' is not an environment (expected aws://ACCOUNT/REGION)");
            const auto deps = check.strings(artifact, "dependencies", path + ".dependencies");
            for (std::size_t i = 0; i < deps.size(); ++i) {
                const auto dep = artifacts.find(deps[i]);
                if (dep == artifacts.end())
                    check.fail(path + ".dependencies[" + std::to_string(i) + "]", "unknown artifact '" + deps[i] + "'");
                const bool is_stack = dep->is_object() && dep->value("type", "") == stack_type;
                (is_stack ? stack.dependencies : stack.asset_dependencies).push_back(deps[i]);
            }
            assembly.stacks.push_back(std::move(stack));
        } else if (type == nested_type) {
            const json& properties = check.object(artifact, "properties", path + ".properties", true);
            NestedAssembly nested;
            nested.id = id;
            nested.directory = check.string(properties, "directoryName", path + ".properties.directoryName", true);
            nested.display_name = check.string(properties, "displayName", path + ".properties.displayName", false);
            if (nested.directory.empty() || nested.directory.find("..") != std::string::npos || nested.directory.front() == '/')
                check.fail(path + ".properties.directoryName", "'" + nested.directory + "' is not a directory inside the assembly");
            assembly.nested.push_back(std::move(nested));
        }
        // Other artifacts (asset manifests, the tree, reports) do not change the deploy order.
    }
    return assembly;
}

bool is_assembly(const fs::path& directory) {
    std::error_code ec;
    return fs::is_regular_file(directory / "manifest.json", ec);
}

Assembly read_assembly(const fs::path& directory) {
    Assembly assembly;
    assembly.directory = directory;
    read_into(directory, "", assembly, 0);
    return assembly;
}

std::vector<std::vector<const Stack*>> deploy_waves(const Assembly& assembly, const std::vector<std::string>& selected) {
    return waves_of(assembly, selected);
}

std::vector<std::vector<const Stack*>> destroy_waves(const Assembly& assembly, const std::vector<std::string>& selected) {
    auto waves = waves_of(assembly, selected);
    std::reverse(waves.begin(), waves.end());
    return waves;
}

std::string describe_waves(const std::vector<std::vector<const Stack*>>& waves) {
    std::string out;
    for (const auto& wave : waves) {
        if (!out.empty()) out += " then ";
        std::string names;
        for (const auto* s : wave) names += (names.empty() ? "" : " + ") + s->display_name;
        out += wave.size() > 1 ? "[" + names + "]" : names;
    }
    return out;
}

}  // namespace tfstage::cdk
