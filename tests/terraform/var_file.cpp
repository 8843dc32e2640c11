// Variable values reach Terraform in private var files, never on its command line (issue 11).
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "terraform/engine.hpp"
#include "terraform/var_file.hpp"

using namespace tfstage;
using namespace tfstage::terraform;
namespace fs = std::filesystem;

namespace {

struct Scratch {
    fs::path dir;
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "tfstage-varfile-test-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        dir = pattern;
    }
    ~Scratch() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void write(const std::string& name, const std::string& text) const { std::ofstream(dir / name, std::ios::binary) << text; }
};

std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

unsigned mode_of(const fs::path& path) {
    struct stat st {};
    REQUIRE(::lstat(path.c_str(), &st) == 0);
    return st.st_mode & 07777U;
}

const char* kVariables = R"(
# variable "commented" { type = list(string) }
/* variable "block_commented" {
  type = map(string)
} */
variable "plain" {}
variable "text" {
  type      = string
  sensitive = true
}
variable "count_of" {
  type    = number
  default = 1
}
variable "flag" { type = bool }
variable "list" { type = list(string) }
variable "anything" {
  type = any
}
variable "object" {
  type = object({
    name = string
  })
  validation {
    condition     = length(var.object.name) > 0
    error_message = "type = string in a message is no type"
  }
}
variable bare {
  description = "a label without quotes; \"type = list\" in a string"
}
)";

}  // namespace

TEST_CASE("var files: the parsing of each root variable follows its type, as Terraform decides it for -var") {
    Scratch s;
    s.write("variables.tf", kVariables);
    s.write("more.tf.json", R"j({"variable": {"from_json": {"type": "map(string)"}, "json_plain": {}}})j");
    s.write("other.txt", "variable \"not_config\" {}\n");
    const auto declared = declared_variables(s.dir);
    const std::map<std::string, VarParsing> expected{
        {"anything", VarParsing::hcl},     {"bare", VarParsing::literal},       {"count_of", VarParsing::literal},
        {"flag", VarParsing::literal},     {"from_json", VarParsing::hcl},      {"json_plain", VarParsing::literal},
        {"list", VarParsing::hcl},         {"object", VarParsing::hcl},         {"plain", VarParsing::literal},
        {"text", VarParsing::literal}};
    CHECK(declared == expected);

    // An override file's type replaces the declaration's; one without a type keeps it.
    s.write("zz_override.tf", "variable \"plain\" {\n  type = list(string)\n}\nvariable \"list\" {\n  default = []\n}\n");
    s.write("a_override.tf", "variable \"text\" { type = map(string) }\n");
    const auto overridden = declared_variables(s.dir);
    CHECK(overridden.at("plain") == VarParsing::hcl);
    CHECK(overridden.at("list") == VarParsing::hcl);
    CHECK(overridden.at("text") == VarParsing::hcl);
}

TEST_CASE("var files: literal values as JSON strings, HCL values parenthesised, in a private directory removed after") {
    Scratch s;
    s.write("variables.tf", kVariables);
    fs::path dir;
    {
        const std::vector<Variable> vars{{"text", "p@ss \"quoted\" ${not_a_ref} %{x}\nline2"},
                                         {"count_of", "3"},
                                         {"list", "[\"a\", \"b\"]"},
                                         {"object", "{\n  name = \"n\"\n}"},
                                         {"text", "the last value wins"}};
        VarFiles files(vars, s.dir);
        dir = files.directory();
        REQUIRE(files.paths().size() == 2);
        CHECK(dir.filename().string().rfind("tfstage-vars-", 0) == 0);
        CHECK(mode_of(dir) == 0700U);
        for (const auto& path : files.paths()) CHECK(mode_of(path) == 0600U);
        CHECK(files.paths()[0].filename() == "vars.tfvars.json");
        const auto literal = nlohmann::json::parse(read(files.paths()[0]));
        CHECK(literal == nlohmann::json{{"count_of", "3"}, {"text", "the last value wins"}});
        CHECK(files.paths()[1].filename() == "vars.tfvars");
        CHECK(read(files.paths()[1]) == "list = (\n[\"a\", \"b\"]\n)\nobject = (\n{\n  name = \"n\"\n}\n)\n");
    }
    CHECK_FALSE(fs::exists(dir));

    {
        VarFiles files({{"text", "p@ss \"quoted\" ${not_a_ref}"}}, s.dir);
        REQUIRE(files.paths().size() == 1);
        CHECK(nlohmann::json::parse(read(files.paths()[0]))["text"] == "p@ss \"quoted\" ${not_a_ref}");
    }
    VarFiles none({}, s.dir);
    CHECK(none.paths().empty());
    CHECK(none.directory().empty());
}

TEST_CASE("var files: an invalid or undeclared name, or a value that is not UTF-8, is refused before anything is written") {
    Scratch s;
    s.write("variables.tf", kVariables);
    for (const std::string name : {"", "a=b", "1abc", "with space", "dot.ted", "new\nline"}) {
        CAPTURE(name);
        try {
            VarFiles files({{name, "v"}}, s.dir);
            FAIL("expected a refusal");
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
            CHECK(std::string(e.what()).find("is not a variable name") != std::string::npos);
        }
    }
    try {
        VarFiles files({{"text", "ok"}, {"typo_name", "secret-value"}}, s.dir);
        FAIL("expected a refusal");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::invalid_argument);
        const std::string message = e.what();
        CHECK(message.find("'typo_name'") != std::string::npos);
        CHECK(message.find("declares no variable") != std::string::npos);
        CHECK(message.find("secret-value") == std::string::npos);
    }
    CHECK_THROWS_AS(VarFiles({{"text", std::string("bad \xff utf-8")}}, s.dir), Error);
    CHECK(is_variable_name("db_password"));
    CHECK(is_variable_name("_x-1"));
}

TEST_CASE("var files: an HCL value must stay one expression: one that would close its parentheses is refused") {
    Scratch s;
    s.write("variables.tf", kVariables);
    auto accepted = [&](const std::string& value) {
        try {
            VarFiles files({{"list", value}}, s.dir);
            return true;
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::invalid_argument);
            CHECK(std::string(e.what()).find("not one HCL expression") != std::string::npos);
            return false;
        }
    };
    CHECK(accepted("[\"a\", \"b\"]"));
    CHECK(accepted("[\n  \"a\", # a comment with a )\n  \"b\", // and ]\n  /* and } */\n]"));
    CHECK(accepted("[\"a)\", \"b]}\", \"${upper(\")\")}\", \"$${)\", \"%{ if true })%{ endif }\"]"));
    CHECK(accepted("[<<EOT\n)))\nEOT\n, \"x\"]"));
    CHECK(accepted("[<<-EOT\n  )\n  EOT\n]"));
    CHECK(accepted("[\"unbalanced the other way\""));  // Terraform's to refuse, as with -var
    CHECK_FALSE(accepted("[]\n)\nplain = (\"injected\""));
    CHECK_FALSE(accepted("[]) + ("));
    CHECK_FALSE(accepted("[\"${\"x\"}\"]]"));
    CHECK_FALSE(accepted("[/* never closed"));
    CHECK_FALSE(accepted("[<<EOT\nno end marker\n"));
}
