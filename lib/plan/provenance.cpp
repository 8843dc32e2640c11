#include "plan/provenance.hpp"

#include <openssl/evp.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "support/atomic_file.hpp"
#include "support/error.hpp"
#include "support/time_text.hpp"

namespace tfstage::plan {
namespace fs = std::filesystem;
namespace {

using DigestContext = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

std::string to_hex(const unsigned char* bytes, unsigned int size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2U);
    for (unsigned int i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4U];
        out += digits[bytes[i] & 0x0fU];
    }
    return out;
}

std::string absolute_text(const fs::path& path) { return fs::absolute(path).lexically_normal().string(); }

// --- reading a record: every missing key or wrong type names the key ---------------------

[[noreturn]] void malformed(const std::string& key, const std::string& expected) {
    throw Error(ErrorCode::parse_error, "provenance: \"" + key + "\" must be " + expected);
}

const nlohmann::json& member(const nlohmann::json& object, const std::string& key, const std::string& path) {
    const auto it = object.find(key);
    if (it == object.end()) throw Error(ErrorCode::parse_error, "provenance: \"" + path + "\" is missing");
    return *it;
}

std::string string_at(const nlohmann::json& object, const std::string& key, const std::string& prefix = "") {
    const auto& value = member(object, key, prefix + key);
    if (!value.is_string()) malformed(prefix + key, "a string");
    return value.get<std::string>();
}

std::vector<std::string> strings_at(const nlohmann::json& object, const std::string& key) {
    const auto& value = member(object, key, key);
    if (!value.is_array()) malformed(key, "an array of strings");
    std::vector<std::string> out;
    for (const auto& item : value) {
        if (!item.is_string()) malformed(key, "an array of strings");
        out.push_back(item.get<std::string>());
    }
    return out;
}

EngineRecord engine_from_json(const nlohmann::json& document) {
    const auto& engine = member(document, "engine", "engine");
    if (!engine.is_object()) malformed("engine", "an object");
    return {string_at(engine, "flavour", "engine."), string_at(engine, "version", "engine."),
            string_at(engine, "binary", "engine.")};
}

std::vector<VarFileRecord> var_files_from_json(const nlohmann::json& document) {
    const auto& files = member(document, "var_files", "var_files");
    if (!files.is_array()) malformed("var_files", "an array of {path, sha256}");
    std::vector<VarFileRecord> out;
    for (std::size_t i = 0; i < files.size(); ++i) {
        const std::string prefix = "var_files[" + std::to_string(i) + "].";
        if (!files[i].is_object()) malformed("var_files[" + std::to_string(i) + "]", "an object");
        out.push_back({string_at(files[i], "path", prefix), string_at(files[i], "sha256", prefix)});
    }
    return out;
}

void check_schema_version(const nlohmann::json& document) {
    const auto& version = member(document, "schema_version", "schema_version");
    if (!version.is_number_integer()) malformed("schema_version", "an integer");
    if (version.get<int>() != Provenance::current_schema_version)
        throw Error(ErrorCode::unsupported, "provenance: schema_version " + version.dump() +
                                                " is not supported (this tfstage reads version 1); upgrade tfstage");
}

}  // namespace

std::string sha256_file(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) throw Error(ErrorCode::io, "cannot hash " + path.string() + ": it is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::io, "cannot read " + path.string() + ": " + std::strerror(errno));
    DigestContext context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!context || EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr) != 1)
        throw Error(ErrorCode::generic, "sha256: OpenSSL could not initialise a digest");
    std::array<char, 1 << 16> chunk{};
    while (in) {
        in.read(chunk.data(), chunk.size());
        const auto count = static_cast<std::size_t>(in.gcount());
        if (count > 0 && EVP_DigestUpdate(context.get(), chunk.data(), count) != 1)
            throw Error(ErrorCode::generic, "sha256: OpenSSL digest update failed");
    }
    if (in.bad()) throw Error(ErrorCode::io, "cannot read " + path.string() + ": read error");
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_DigestFinal_ex(context.get(), digest.data(), &size) != 1)
        throw Error(ErrorCode::generic, "sha256: OpenSSL digest final failed");
    return to_hex(digest.data(), size);
}

Provenance make_provenance(const ProvenanceInput& input) {
    Provenance out;
    out.plan_file = absolute_text(input.plan_file);
    out.plan_sha256 = sha256_file(input.plan_file);
    out.engine = input.engine;
    out.working_dir = absolute_text(input.working_dir.empty() ? fs::current_path() : input.working_dir);
    out.workspace = input.workspace;
    out.targets = input.targets;
    out.excludes = input.excludes;
    for (const auto& file : input.var_files) out.var_files.push_back({absolute_text(file), sha256_file(file)});
    out.created_at = now_iso8601();
    return out;
}

fs::path provenance_path(const fs::path& plan_file) {
    fs::path out = plan_file;
    out += ".provenance.json";
    return out;
}

nlohmann::json to_json(const Provenance& p) {
    nlohmann::json var_files = nlohmann::json::array();
    for (const auto& file : p.var_files) var_files.push_back({{"path", file.path}, {"sha256", file.sha256}});
    return {{"schema_version", p.schema_version},
            {"plan_file", p.plan_file},
            {"plan_sha256", p.plan_sha256},
            {"engine", {{"flavour", p.engine.flavour}, {"version", p.engine.version}, {"binary", p.engine.binary}}},
            {"working_dir", p.working_dir},
            {"workspace", p.workspace},
            {"targets", p.targets},
            {"excludes", p.excludes},
            {"var_files", var_files},
            {"created_at", p.created_at},
            {"git", p.git}};
}

Provenance provenance_from_json(const nlohmann::json& document) {
    if (!document.is_object()) throw Error(ErrorCode::parse_error, "provenance: the document must be a JSON object");
    check_schema_version(document);
    Provenance out;
    out.plan_file = string_at(document, "plan_file");
    out.plan_sha256 = string_at(document, "plan_sha256");
    out.engine = engine_from_json(document);
    out.working_dir = string_at(document, "working_dir");
    out.workspace = string_at(document, "workspace");
    out.targets = strings_at(document, "targets");
    out.excludes = strings_at(document, "excludes");
    out.var_files = var_files_from_json(document);
    out.created_at = string_at(document, "created_at");
    const auto git = document.find("git");  // optional: older writers may leave it out
    if (git != document.end()) {
        if (!git->is_null() && !git->is_object()) malformed("git", "an object or null");
        out.git = *git;
    }
    return out;
}

void write_provenance(const Provenance& provenance, const fs::path& path) {
    write_file_atomically(path, to_json(provenance).dump(2) + "\n", 0600);
}

Provenance read_provenance(const fs::path& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec))
        throw Error(ErrorCode::io, "cannot read the provenance record " + path.string() + ": it is a directory, not a file");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const auto code = fs::exists(path) ? ErrorCode::io : ErrorCode::not_found;
        throw Error(code, "cannot read the provenance record " + path.string() + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    try {
        return provenance_from_json(nlohmann::json::parse(text.str()));
    } catch (const nlohmann::json::parse_error& e) {
        throw Error(ErrorCode::parse_error, path.string() + ": not valid JSON: " + e.what());
    } catch (const Error& e) {
        throw Error(e.code(), path.string() + ": " + e.what());
    }
}

bool matches(const Provenance& provenance, const fs::path& plan_file) {
    if (!fs::is_regular_file(plan_file)) return false;
    return sha256_file(plan_file) == provenance.plan_sha256;
}

}  // namespace tfstage::plan
