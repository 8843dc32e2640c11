#include "terraform/var_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/error.hpp"
#include "support/hcl_text.hpp"
#include "terraform/engine.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::terraform {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string trim(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Terraform's rule (configs.decodeVariableType): no type, or a primitive one, is literal.
VarParsing parsing_of_type(const std::string& type) {
    const std::string t = trim(type);
    return t == "string" || t == "number" || t == "bool" || t == "\"string\"" ? VarParsing::literal : VarParsing::hcl;
}

using Found = std::map<std::string, std::optional<VarParsing>>;  // nullopt: no type attribute

// variable "NAME" { ... type = T ... } (or variable NAME {...}) in a *.tf file.
void hcl_variables(const std::string& text, Found& found) {
    static const std::regex header(R"re((^|[\s}])variable\s+(?:"([^"]+)"|([A-Za-z_][A-Za-z0-9_-]*))\s*\{)re");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), header); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[2].matched ? (*it)[2].str() : (*it)[3].str();
        std::size_t pos = static_cast<std::size_t>(it->position(0) + it->length(0));
        // The body's top level: `type = ...` up to the end of its line, outside nested braces.
        std::optional<VarParsing> parsing;
        bool line_start = true;
        for (int depth = 1; pos < text.size() && depth > 0; ++pos) {
            const char c = text[pos];
            if (c == '"') {
                pos = hcl_string_end(text, pos);
                line_start = false;
            } else if (c == '{') {
                ++depth;
            } else if (c == '}') {
                --depth;
            } else if (c == '\n') {
                line_start = true;
            } else if (line_start && depth == 1 && (c == ' ' || c == '\t' || c == '\r')) {
                // still at the start of the line
            } else if (line_start && depth == 1 && text.compare(pos, 4, "type") == 0) {
                static const std::regex attribute(R"re(^type\s*=([^\n]*))re");
                std::smatch m;
                const std::string rest = text.substr(pos, text.find('\n', pos) - pos);
                if (std::regex_search(rest, m, attribute)) {
                    std::string value = m[1].str();
                    // A one-line block: `variable "x" { type = string }`.
                    if (const auto brace = value.rfind('}'); brace != std::string::npos &&
                                                              value.find('{') == std::string::npos)
                        value.erase(brace);
                    parsing = parsing_of_type(value);
                }
                line_start = false;
            } else {
                line_start = false;
            }
        }
        found[name] = parsing;
    }
}

// {"variable": {"NAME": {"type": "..."}}} in a *.tf.json file (blocks may be lists of objects).
void json_variables(const std::string& text, Found& found) {
    const json doc = json::parse(text, nullptr, false);
    if (!doc.is_object() || !doc.contains("variable")) return;
    auto add = [&](const json& blocks) {
        if (!blocks.is_object()) return;
        for (const auto& [name, body] : blocks.items()) {
            std::optional<VarParsing> parsing;
            for (const auto& one : body.is_array() ? body : json::array({body}))
                if (one.is_object() && one.contains("type") && one["type"].is_string())
                    parsing = parsing_of_type(one["type"].get<std::string>());
            found[name] = parsing;
        }
    };
    const json& variables = doc["variable"];
    if (variables.is_array()) {
        for (const auto& blocks : variables) add(blocks);
    } else {
        add(variables);
    }
}

bool is_override(const std::string& file) {
    return file == "override.tf" || file == "override.tf.json" || ends_with(file, "_override.tf") ||
           ends_with(file, "_override.tf.json");
}

std::string errno_text() { return std::strerror(errno); }

// True when `text`, written as `NAME = (\nTEXT\n)`, cannot close that parenthesis itself: its
// brackets outside strings, templates' literal parts, comments and heredocs never go below
// zero. What could close it would make one value set other variables too, where -var would
// refuse it. Unbalanced the other way is Terraform's to refuse, as it was for -var.
bool stays_inside_parentheses(const std::string& text) {
    int depth = 0;
    std::vector<int> template_depths;  // depth at which each open ${ / %{ in a string returns
    bool in_string = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            } else if ((c == '$' || c == '%') && text.compare(i + 1, 2, std::string(1, c) + "{") == 0) {
                i += 2;  // $${ and %%{ are a literal ${ and %{
            } else if ((c == '$' || c == '%') && i + 1 < text.size() && text[i + 1] == '{') {
                template_depths.push_back(depth);
                ++depth;
                ++i;
                in_string = false;
            }
            continue;
        }
        if (c == '"') {
            in_string = true;
        } else if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) {
            while (i < text.size() && text[i] != '\n') ++i;
        } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto close = text.find("*/", i + 2);
            if (close == std::string::npos) return false;
            i = close + 1;
        } else if (c == '<' && text.compare(i, 2, "<<") == 0) {
            std::size_t j = i + 2;
            if (j < text.size() && text[j] == '-') ++j;
            const std::size_t start = j;
            while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) || text[j] == '_')) ++j;
            if (j == start) continue;  // not a heredoc
            const std::string marker = text.substr(start, j - start);
            // The body ends at a line holding only the marker (indented for <<-).
            std::size_t line = text.find('\n', j);
            while (line != std::string::npos) {
                const std::size_t next = text.find('\n', line + 1);
                std::string content = text.substr(line + 1, next == std::string::npos ? std::string::npos : next - line - 1);
                content.erase(0, content.find_first_not_of(" \t"));
                while (!content.empty() && (content.back() == '\r' || content.back() == ' ' || content.back() == '\t'))
                    content.pop_back();
                if (content == marker) break;
                line = next;
            }
            if (line == std::string::npos) return false;
            i = text.find('\n', line + 1);
            if (i == std::string::npos) return depth == 0;
            --i;
        } else if (c == '(' || c == '[' || c == '{') {
            ++depth;
        } else if (c == ')' || c == ']' || c == '}') {
            if (--depth < 0) return false;
            if (c == '}' && !template_depths.empty() && template_depths.back() == depth) {
                template_depths.pop_back();
                in_string = true;
            }
        }
    }
    return true;
}

}  // namespace

bool is_variable_name(const std::string& name) {
    static const std::regex valid("[A-Za-z_][A-Za-z0-9_-]*");
    return std::regex_match(name, valid);
}

std::map<std::string, VarParsing> declared_variables(const fs::path& root_dir) {
    std::vector<fs::path> files;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (entry.is_regular_file(ec) && (ends_with(name, ".tf") || ends_with(name, ".tf.json"))) files.push_back(entry.path());
    }
    // Override files last: a type there replaces the one of the declaration.
    std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
        const bool oa = is_override(a.filename().string());
        const bool ob = is_override(b.filename().string());
        return oa != ob ? ob : a < b;
    });
    std::map<std::string, VarParsing> out;
    for (const auto& file : files) {
        Found found;
        const std::string name = file.filename().string();
        if (ends_with(name, ".tf.json")) json_variables(read_text(file), found);
        else hcl_variables(hcl_without_comments(read_text(file)), found);
        const bool override = is_override(name);
        for (const auto& [variable, parsing] : found) {
            if (parsing) out[variable] = *parsing;
            else if (!override || !out.count(variable)) out[variable] = VarParsing::literal;
        }
    }
    return out;
}

VarFiles::VarFiles(const std::vector<Variable>& vars, const fs::path& root_dir) {
    if (vars.empty()) return;
    for (const auto& var : vars)
        if (!is_variable_name(var.name))
            throw Error(ErrorCode::invalid_argument,
                        "'" + var.name + "' is not a variable name (a letter or '_', then letters, digits, '_' or '-')");
    const auto declared = declared_variables(root_dir);
    std::map<std::string, std::string> values;  // a name given twice: the last value, as with -var
    for (const auto& var : vars) values[var.name] = var.value;
    json literal = json::object();
    std::string hcl;
    for (const auto& [name, value] : values) {
        const auto it = declared.find(name);
        if (it == declared.end())
            throw Error(ErrorCode::invalid_argument, "a value is given for the variable '" + name + "', but the root module " +
                                                         root_dir.string() +
                                                         " declares no variable of that name: add a variable block or remove the value");
        if (it->second == VarParsing::literal) {
            literal[name] = value;
        } else {
            if (!stays_inside_parentheses(value))
                throw Error(ErrorCode::invalid_argument, "the value of variable '" + name +
                                                             "' is not one HCL expression (its type makes Terraform parse it as one): "
                                                             "check its brackets and quotes");
            hcl += name + " = (\n" + value + "\n)\n";
        }
    }
    std::string literal_text;
    try {
        literal_text = literal.dump(2, ' ', false, json::error_handler_t::strict) + "\n";
    } catch (const json::exception&) {
        throw Error(ErrorCode::invalid_argument, "a variable value is not valid UTF-8: Terraform reads only UTF-8");
    }

    std::error_code ec;
    fs::path tmp = fs::temp_directory_path(ec);
    if (ec) tmp = "/tmp";
    std::string pattern = (tmp / "tfstage-vars-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr)
        throw Error(ErrorCode::io, "cannot make a private directory for variable values under " + tmp.string() + ": " + errno_text());
    dir_ = pattern;
    try {
        // Later files win: the HCL-parsed ones and the literal ones never share a name.
        if (!literal.empty()) write("vars.tfvars.json", literal_text);
        if (!hcl.empty()) write("vars.tfvars", hcl);
    } catch (...) {
        remove();
        throw;
    }
}

VarFiles::~VarFiles() { remove(); }

void VarFiles::write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw Error(ErrorCode::io, "cannot create " + path.string() + ": " + errno_text());
    paths_.push_back(path);
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = errno_text();
            ::close(fd);
            throw Error(ErrorCode::io, "cannot write " + path.string() + ": " + why);
        }
        done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) throw Error(ErrorCode::io, "cannot write " + path.string() + ": " + errno_text());
}

void VarFiles::remove() noexcept {
    for (const auto& path : paths_) ::unlink(path.c_str());
    paths_.clear();
    if (!dir_.empty()) ::rmdir(dir_.c_str());
    dir_.clear();
}

}  // namespace tfstage::terraform
