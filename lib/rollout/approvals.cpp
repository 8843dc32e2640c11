#include "rollout/approvals.hpp"

#include <algorithm>
#include <cctype>

#include "rollout/journal.hpp"
#include "support/error.hpp"

using json = nlohmann::json;

namespace tfstage::rollout {
namespace {

constexpr std::size_t kMinPrefix = 8;

bool is_hex(const std::string& text) {
    return std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

const json* stage_in(const json& journal, const std::string& name) {
    if (!journal.contains("stages") || !journal["stages"].is_array()) return nullptr;
    for (const auto& s : journal["stages"])
        if (s.is_object() && s.value("name", "") == name) return &s;
    return nullptr;
}

// The hash of what a stage's gate showed: the saved plan's sha256 (Terraform) or that of the
// `cdk diff` text (CDK).
std::string awaiting_hash(const json& stage) {
    if (stage.contains("plan") && stage["plan"].is_object()) return stage["plan"].value("sha256", "");
    if (stage.contains("diff") && stage["diff"].is_object()) return stage["diff"].value("sha256", "");
    return "";
}

}  // namespace

ApprovalRequest parse_approval(const std::string& text) {
    const auto equals = text.find('=');
    ApprovalRequest request{text.substr(0, equals), ""};
    if (equals == std::string::npos) return request;
    request.sha256_prefix = lower(text.substr(equals + 1));
    if (request.stage.empty() || request.sha256_prefix.size() < kMinPrefix || request.sha256_prefix.size() > 64 ||
        !is_hex(request.sha256_prefix))
        throw Error(ErrorCode::invalid_argument,
                    "--approve " + text + ": write STAGE or STAGE=SHA256, the plan's sha256 (at least its first " +
                        std::to_string(kMinPrefix) + " hex digits) as the awaiting-approval line prints it");
    return request;
}

std::map<std::string, std::string> bind_approvals(const std::set<std::string>& requests, const json& journal) {
    std::map<std::string, std::string> bound;
    const std::string run = journal.value("run", "");
    for (const auto& text : requests) {
        const ApprovalRequest request = parse_approval(text);
        const json* stage = stage_in(journal, request.stage);
        const std::string status = stage != nullptr ? stage->value("status", "") : std::string("not started");
        if (status != stage_status::awaiting_approval)
            throw Error(ErrorCode::invalid_argument,
                        "--approve " + request.stage + ": run " + run + " has no plan awaiting approval for stage '" +
                            request.stage + "' (its status is " + (status.empty() ? "unknown" : status) +
                            "); an approval is for a plan you have seen: resume without --approve, and approve the plan "
                            "when the stage stops at its gate");
        const std::string hash = awaiting_hash(*stage);
        if (hash.empty())
            throw Error(ErrorCode::invalid_argument, "--approve " + request.stage + ": the journal of run " + run +
                                                         " records no hash for the plan awaiting approval; resume "
                                                         "without --approve to plan the stage again");
        if (!request.sha256_prefix.empty() && hash.rfind(request.sha256_prefix, 0) != 0)
            throw Error(ErrorCode::invalid_argument,
                        "--approve " + text + ": the plan awaiting approval for stage '" + request.stage +
                            "' is sha256 " + hash + ", not the one you named: it changed since you saw it; review it "
                            "(tfstage status " + run + ") and approve that one");
        bound[request.stage] = hash;
    }
    return bound;
}

json rejections_of(const json& journal) {
    json out = json::array();
    if (!journal.is_object() || !journal.contains("stages") || !journal["stages"].is_array()) return out;
    for (const auto& s : journal["stages"]) {
        if (!s.is_object() || !s.contains("rejected") || !s["rejected"].is_object()) continue;
        json r = s["rejected"];
        r["stage"] = s.value("name", "");
        out.push_back(std::move(r));
    }
    return out;
}

std::string rejection_warning(const std::string& run, const json& rejection) {
    return "in run " + run + ", " + rejection.value("by", std::string("someone")) + " rejected the plan of stage '" +
           rejection.value("stage", "") + "' (sha256 " + rejection.value("plan_sha256", std::string("?")).substr(0, 12) +
           ") at " + rejection.value("at", std::string("?")) + "; review this run's plan with that in mind";
}

json rejected_before(const std::filesystem::path& state_dir, const json& new_run) {
    json previous;
    const auto ids = Journal::run_ids(state_dir);
    for (auto id = ids.rbegin(); id != ids.rend() && !previous.is_object(); ++id) {
        if (*id == new_run.value("run", "")) continue;
        json run;
        try {
            run = Journal::open(state_dir, *id).snapshot();
        } catch (const Error&) {
            continue;  // an unreadable journal says nothing about rejections
        }
        if (run.value("rollout_file", "") == new_run.value("rollout_file", "") &&
            run.value("environment", "") == new_run.value("environment", ""))
            previous = std::move(run);
    }
    json warnings = json::array();
    if (!previous.is_object()) return warnings;
    for (const auto& rejection : rejections_of(previous))
        warnings.push_back({{"warning", "rejected_before"},
                            {"run", previous.value("run", "")},
                            {"stage", rejection.value("stage", "")},
                            {"message", rejection_warning(previous.value("run", ""), rejection)}});
    return warnings;
}

}  // namespace tfstage::rollout
