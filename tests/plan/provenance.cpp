// sha256_file and the provenance record: hashing, JSON shape, atomic write, reading errors,
// tamper detection.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "plan/provenance.hpp"
#include "support/error.hpp"

using namespace tfstage;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
    fs::path path;
    ScratchDir() {
        std::string pattern = (fs::temp_directory_path() / "tfstage-unit-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        path = pattern;
    }
    ~ScratchDir() { fs::remove_all(path); }
};

void write(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

void append(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
}

plan::ProvenanceInput input_in(const ScratchDir& dir) {
    write(dir.path / "prod.plan", "PK\x03\x04 not really a zip");
    write(dir.path / "prod.tfvars", "environment = \"prod\"\n");
    plan::ProvenanceInput input;
    input.plan_file = dir.path / "prod.plan";
    input.engine = {"terraform", "1.11.4", "/usr/bin/terraform"};
    input.working_dir = dir.path;
    input.workspace = "prod";
    input.targets = {"module.vpc", "aws_kms_key.data_stores"};
    input.var_files = {dir.path / "prod.tfvars"};
    return input;
}

template <typename F>
std::string error_of(F&& action, ErrorCode expected_code) {
    try {
        action();
    } catch (const Error& e) {
        CHECK(e.code() == expected_code);
        return e.what();
    }
    FAIL("expected an error");
    return {};
}

}  // namespace

TEST_CASE("sha256_file: known digests, lowercase hex, files larger than one chunk") {
    ScratchDir dir;
    write(dir.path / "empty", "");
    CHECK(plan::sha256_file(dir.path / "empty") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    write(dir.path / "abc", "abc");
    CHECK(plan::sha256_file(dir.path / "abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    write(dir.path / "million", std::string(1000000, 'a'));  // the FIPS 180-2 long test vector
    CHECK(plan::sha256_file(dir.path / "million") == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");

    const auto message = error_of([&] { plan::sha256_file(dir.path / "missing"); }, ErrorCode::io);
    CHECK(message.find("missing") != std::string::npos);
}

TEST_CASE("make_provenance hashes the plan and the var files, and the record round-trips through its file (mode 0600)") {
    ScratchDir dir;
    const auto input = input_in(dir);
    const auto record = plan::make_provenance(input);
    CHECK(record.schema_version == 1);
    CHECK(record.plan_file == (dir.path / "prod.plan").string());
    CHECK(record.plan_sha256 == plan::sha256_file(dir.path / "prod.plan"));
    REQUIRE(record.var_files.size() == 1);
    CHECK(record.var_files[0].path == (dir.path / "prod.tfvars").string());
    CHECK(record.var_files[0].sha256 == plan::sha256_file(dir.path / "prod.tfvars"));
    CHECK(record.targets == input.targets);
    CHECK(record.workspace == "prod");
    CHECK(record.created_at.size() == 24);  // 2025-06-01T12:00:00.123Z, milliseconds as the journal's
    CHECK(record.created_at.back() == 'Z');
    CHECK(record.git.is_null());

    const auto path = plan::provenance_path(input.plan_file);
    CHECK(path.filename() == "prod.plan.provenance.json");
    plan::write_provenance(record, path);
    struct stat info {};
    REQUIRE(::stat(path.c_str(), &info) == 0);
    CHECK((info.st_mode & 0777U) == 0600U);
    CHECK(plan::read_provenance(path) == record);

    const auto json = plan::to_json(record);
    for (const char* key : {"schema_version", "plan_file", "plan_sha256", "engine", "working_dir", "workspace", "targets",
                            "excludes", "var_files", "created_at", "git"})
        CHECK_MESSAGE(json.contains(key), key);
    CHECK(json["engine"]["flavour"] == "terraform");
}

TEST_CASE("matches: true for the recorded plan, false once the plan file changes or disappears") {
    ScratchDir dir;
    const auto input = input_in(dir);
    const auto record = plan::make_provenance(input);
    CHECK(plan::matches(record, input.plan_file));
    append(input.plan_file, "x");
    CHECK_FALSE(plan::matches(record, input.plan_file));
    fs::remove(input.plan_file);
    CHECK_FALSE(plan::matches(record, input.plan_file));
}

TEST_CASE("read_provenance: clear errors for a missing record, bad JSON, missing keys, wrong types, a newer schema") {
    ScratchDir dir;
    const auto path = dir.path / "p.provenance.json";
    CHECK(error_of([&] { plan::read_provenance(path); }, ErrorCode::not_found).find(path.string()) != std::string::npos);

    write(path, "{\"schema_version\": 1, ");
    auto message = error_of([&] { plan::read_provenance(path); }, ErrorCode::parse_error);
    CHECK(message.find(path.string()) != std::string::npos);
    CHECK(message.find("not valid JSON") != std::string::npos);

    auto document = plan::to_json(plan::make_provenance(input_in(dir)));
    document.erase("plan_sha256");
    write(path, document.dump());
    CHECK(error_of([&] { plan::read_provenance(path); }, ErrorCode::parse_error).find("\"plan_sha256\" is missing") !=
          std::string::npos);

    document = plan::to_json(plan::make_provenance(input_in(dir)));
    document["var_files"][0]["sha256"] = 12;
    write(path, document.dump());
    CHECK(error_of([&] { plan::read_provenance(path); }, ErrorCode::parse_error).find("var_files[0].sha256") !=
          std::string::npos);

    document = plan::to_json(plan::make_provenance(input_in(dir)));
    document["schema_version"] = 2;
    write(path, document.dump());
    CHECK(error_of([&] { plan::read_provenance(path); }, ErrorCode::unsupported).find("schema_version 2") !=
          std::string::npos);
}
