#include "rollout/journal.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <fstream>
#include <random>
#include <sstream>

#include "rollout/liveness.hpp"
#include "support/atomic_file.hpp"
#include "support/error.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

constexpr const char* kJournalFile = "journal.json";

// Run ids sort by time, to the millisecond: 20261123-171502-3fa9. The suffix is four hex
// digits holding the millisecond (times 64) plus 6 random bits, so that two runs started in the
// same second still sort in the order they started (rollback looks for "the run before").
std::string fresh_run_id() {
    const auto now = std::chrono::system_clock::now();
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    const auto millisecond = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &utc);
    std::random_device random;
    char suffix[8];
    std::snprintf(suffix, sizeof suffix, "%04x", static_cast<unsigned>(millisecond * 64 + (random() & 0x3fu)));
    return std::string(stamp) + "-" + suffix;
}

// Why no run was found: most often the state directory is not where the run put it.
std::string no_runs(const fs::path& state_dir) {
    std::error_code ec;
    if (fs::is_directory(state_dir, ec)) return "there are no runs in " + state_dir.string();
    return "there is no state directory " + state_dir.string() +
           " (`tfstage run` keeps it next to the rollout file, in .tfstage): run this from there, or pass --state-dir";
}

json read_json(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error(ErrorCode::not_found, "cannot read " + path.string());
    std::stringstream buffer;
    buffer << in.rdbuf();
    json doc = json::parse(buffer.str(), nullptr, false);
    if (!doc.is_object())
        throw Error(ErrorCode::parse_error, path.string() + " is not a tfstage journal (not a JSON object)");
    return doc;
}

}  // namespace

bool is_done(const std::string& status) { return status == stage_status::succeeded || status == stage_status::no_changes; }

Journal::Journal(fs::path run_dir, std::string run_id, json document)
    : run_dir_(std::move(run_dir)), run_id_(std::move(run_id)), document_(std::move(document)) {}

Journal::Journal(Journal&& other) noexcept
    : run_dir_(std::move(other.run_dir_)), run_id_(std::move(other.run_id_)), document_(std::move(other.document_)) {}

std::vector<std::string> Journal::run_ids(const fs::path& state_dir) {
    std::vector<std::string> ids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(state_dir / "runs", ec))
        if (fs::exists(entry.path() / kJournalFile)) ids.push_back(entry.path().filename().string());
    std::sort(ids.begin(), ids.end());
    return ids;
}

std::string Journal::new_run_id(const fs::path& state_dir) {
    std::string id = fresh_run_id();
    while (fs::exists(state_dir / "runs" / id)) id = fresh_run_id();  // two runs in the same millisecond
    return id;
}

Journal Journal::create(const fs::path& state_dir, json header, std::string run_id) {
    const std::string id = run_id.empty() ? new_run_id(state_dir) : std::move(run_id);
    const fs::path dir = state_dir / "runs" / id;
    std::error_code ec;
    fs::create_directories(dir / "plans", ec);
    if (ec) throw Error(ErrorCode::io, "cannot create " + dir.string() + ": " + ec.message());
    fs::permissions(state_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
    header["schema_version"] = 1;
    header["run"] = id;
    if (!header.contains("stages")) header["stages"] = json::array();
    Journal journal(dir, id, std::move(header));
    std::lock_guard lock(journal.mutex_);
    journal.save_locked();
    return journal;
}

Journal Journal::open(const fs::path& state_dir, const std::string& run_id) {
    const fs::path dir = state_dir / "runs" / run_id;
    if (run_id.empty() || run_id.find('/') != std::string::npos || !fs::exists(dir / kJournalFile)) {
        const auto ids = run_ids(state_dir);
        std::string known = ids.empty() ? no_runs(state_dir) : "known runs: ";
        for (std::size_t i = ids.size() > 5 ? ids.size() - 5 : 0; i < ids.size(); ++i)
            known += ids[i] + (i + 1 < ids.size() ? ", " : "");
        throw Error(ErrorCode::not_found, "no run '" + run_id + "' in " + state_dir.string() + "; " + known);
    }
    return Journal(dir, run_id, read_json(dir / kJournalFile));
}

std::optional<std::string> Journal::latest_run(const fs::path& state_dir) {
    const auto ids = run_ids(state_dir);
    if (ids.empty()) return std::nullopt;
    return ids.back();
}

std::string Journal::run_or_latest(const fs::path& state_dir, const std::string& run_id) {
    if (!run_id.empty()) return run_id;
    const auto latest = latest_run(state_dir);
    if (!latest) throw Error(ErrorCode::not_found, no_runs(state_dir));
    return *latest;
}

std::vector<json> Journal::history(const fs::path& state_dir) {
    std::vector<json> out;
    for (const auto& id : run_ids(state_dir)) {
        try {
            out.push_back(observed(read_json(state_dir / "runs" / id / kJournalFile)));
        } catch (const Error&) {
            out.push_back({{"run", id}, {"status", "unreadable"}});
        }
    }
    return out;
}

json Journal::snapshot() const {
    std::lock_guard lock(mutex_);
    return document_;
}

json Journal::stage(const std::string& name) const {
    std::lock_guard lock(mutex_);
    for (const auto& s : document_["stages"])
        if (s.value("name", "") == name) return s;
    return json::object();
}

json& Journal::stage_locked(json& doc, const std::string& name) {
    for (auto& s : doc["stages"])
        if (s.value("name", "") == name) return s;
    doc["stages"].push_back({{"name", name}, {"status", stage_status::pending}});
    return doc["stages"].back();
}

void Journal::save_locked() {
    document_["updated_at"] = now_iso8601();
    write_file_atomically(run_dir_ / kJournalFile, document_.dump(2) + "\n", 0600);
}

}  // namespace tfstage::rollout
