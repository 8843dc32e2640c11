#include "support/hcl_text.hpp"

#include <algorithm>

namespace tfstage {

std::size_t hcl_string_end(const std::string& text, std::size_t open) {
    std::size_t i = open + 1;
    for (; i < text.size() && text[i] != '"' && text[i] != '\n'; ++i)
        if (text[i] == '\\') ++i;
    return std::min(i, text.size());
}

std::string hcl_without_comments(const std::string& text) {
    std::string out = text;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const char c = out[i];
        if (c == '"') {
            i = hcl_string_end(out, i);
        } else if (c == '#' || (c == '/' && i + 1 < out.size() && out[i + 1] == '/')) {
            while (i < out.size() && out[i] != '\n') out[i++] = ' ';
        } else if (c == '/' && i + 1 < out.size() && out[i + 1] == '*') {
            const std::size_t close = out.find("*/", i + 2);
            const std::size_t stop = close == std::string::npos ? out.size() : close + 2;
            for (; i < stop; ++i)
                if (out[i] != '\n') out[i] = ' ';
            --i;
        }
    }
    return out;
}

}  // namespace tfstage
