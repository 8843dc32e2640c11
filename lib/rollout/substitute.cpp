#include "rollout/substitute.hpp"

#include <functional>

namespace tfstage::rollout {
namespace {

// Walks `text`, handing literal runs and placeholder names to the callbacks.
void scan(std::string_view text, const std::function<void(std::string_view)>& on_literal,
          const std::function<void(std::string_view)>& on_placeholder) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t dollar = text.find('$', pos);
        if (dollar == std::string_view::npos) break;
        on_literal(text.substr(pos, dollar - pos));
        if (text.substr(dollar, 3) == "$${") {  // the escape: a literal "${"
            on_literal("${");
            pos = dollar + 3;
        } else if (text.substr(dollar, 2) == "${") {
            std::size_t close = text.find('}', dollar + 2);
            if (close == std::string_view::npos)
                throw Error(ErrorCode::invalid_argument,
                            "unterminated '${' in '" + std::string(text) + "' (write '$${' for a literal '${')");
            on_placeholder(text.substr(dollar + 2, close - dollar - 2));
            pos = close + 1;
        } else {
            on_literal("$");
            pos = dollar + 1;
        }
    }
    if (pos < text.size()) on_literal(text.substr(pos));
}

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

bool is_name(std::string_view text) {
    if (text.empty()) return false;
    for (char c : text)
        if (!is_name_char(c)) return false;
    return true;
}

}  // namespace

std::string substitute(std::string_view text, const Variables& vars) {
    std::string out;
    scan(
        text, [&](std::string_view literal) { out += literal; },
        [&](std::string_view name) {
            auto it = vars.find(std::string(name));
            if (it == vars.end()) {
                if (auto why = vars.find(missing_key(name)); why != vars.end())
                    throw Error(ErrorCode::invalid_argument, why->second + " (in '" + std::string(text) + "')");
                throw Error(ErrorCode::invalid_argument, "unknown placeholder '${" + std::string(name) + "}' in '" + std::string(text) + "'");
            }
            out += it->second;
        });
    return out;
}

std::string missing_key(std::string_view name) { return "}" + std::string(name); }

std::vector<std::string> placeholders(std::string_view text) {
    std::vector<std::string> names;
    scan(
        text, [](std::string_view) {}, [&](std::string_view name) { names.emplace_back(name); });
    return names;
}

bool is_known_placeholder(std::string_view name, bool in_for_each) {
    if (name == "env" || name == "workspace") return true;
    if (name == "item") return in_for_each;
    constexpr std::string_view output_prefix = "output.";
    if (!name.starts_with(output_prefix)) return false;
    std::string_view rest = name.substr(output_prefix.size());
    std::size_t dot = rest.find('.');
    if (dot == std::string_view::npos) return is_name(rest);                 // output.NAME
    return is_name(rest.substr(0, dot)) && is_name(rest.substr(dot + 1));  // output.STACK.KEY
}

}  // namespace tfstage::rollout
