// tfstage address parse ADDR [--json]: how tfstage (and Terraform) read an address. A bad
// address exits 2 with a message naming the column; a bare type is explained (the parser
// says how to expand it).
#include <iostream>

#include <nlohmann/json.hpp>

#include "address/address.hpp"
#include "context.hpp"

namespace tfstage::cli {
namespace {

std::string describe_key(const address::InstanceKey& key) { return key.empty() ? "(none)" : address::to_string(key); }

std::string render_address_text(const address::Address& parsed) {
    std::string out = "address:  " + address::to_string(parsed) + "\n";
    out += "module:   " + (parsed.module_path.empty() ? std::string("(root module)") : parsed.module_address()) + "\n";
    for (const auto& step : parsed.module_path)
        out += "  module step: " + step.name + ", key " + describe_key(step.key) + "\n";
    if (!parsed.resource) return out + "resource: (none: the address is a module)\n";
    const auto& r = *parsed.resource;
    out += "resource: " + std::string(r.mode == address::Mode::data ? "data" : "managed") + " " + r.type + "." + r.name + "\n";
    out += "key:      " + describe_key(r.key) + "\n";
    return out;
}

void run_parse(const Context& context, const std::string& text) {
    try {
        const auto parsed = address::parse(text);
        std::cout << (context.global.json ? address::to_json(parsed).dump() + "\n" : render_address_text(parsed));
    } catch (const address::AddressError& e) {
        const std::string message = e.what();  // names the column; for a bare type, how to expand it
        if (context.global.json) {
            const char* kind = e.kind() == address::AddressError::Kind::bare_type ? "bare_type" : "syntax";
            std::cout << nlohmann::json{{"error", {{"message", message}, {"column", e.column()}, {"kind", kind}}}}.dump()
                      << '\n';
        }
        throw Error(ErrorCode::invalid_argument, message);
    }
}

}  // namespace

void register_address(CLI::App& app, Context& context) {
    auto* verb = app.add_subcommand("address", "resource addresses");
    verb->require_subcommand(1);
    verb->fallthrough();  // global options (--json) may follow the verb
    auto text = std::make_shared<std::string>();
    auto* parse = verb->add_subcommand("parse", "parse an address and print its structure (--json)");
    parse->fallthrough();
    parse->add_option("ADDR", *text, "e.g. module.a[\"x\"].aws_instance.web[0]")->required();
    parse->callback([&context, text] { run_parse(context, *text); });
}

}  // namespace tfstage::cli
