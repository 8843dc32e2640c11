// Git end to end, through the command and the real Terraform, in real repositories made by the
// tests: provenance in the journal and in every plan's provenance record, the guards and their
// overrides, --changed-since, and rollback to the last good commit. terraform_data only.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <sstream>

#include "git/repo.hpp"
#include "process/process.hpp"
#include "support/fixtures.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const char* kTfstage = TFSTAGE_BINARY_DIR "/cmd/tfstage/tfstage";

struct Cli {
    int exit_code = -1;
    std::string out;
    std::string err;
    std::vector<json> events;
    std::string text() const { return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "\nstderr:\n" + err; }
};

Cli tfstage_cli(const std::vector<std::string>& args, const fs::path& cwd = {}) {
    process::Command command;
    command.argv = {kTfstage};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.cwd = cwd;
    command.env = {{"TFSTAGE_CLI_CONFIG", test::cli_config().string()}, {"NO_COLOR", "1"}};
    command.env_drop = {"TFSTAGE_TERRAFORM", "TF_WORKSPACE", "TF_CLI_ARGS*", "GIT_DIR", "GIT_WORK_TREE"};
    const auto result = process::run(command);
    Cli cli{result.exit_code, result.out, result.err, {}};
    std::istringstream in(result.out);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line.front() != '{') continue;
        auto event = json::parse(line, nullptr, false);
        if (event.is_object()) cli.events.push_back(std::move(event));
    }
    return cli;
}

std::vector<json> events_of(const Cli& cli, const std::string& type) {
    std::vector<json> out;
    for (const auto& e : cli.events)
        if (e.value("type", "") == type) out.push_back(e);
    return out;
}

std::string run_id_of(const Cli& cli) { return cli.events.empty() ? "" : cli.events.front().value("run", ""); }

json read_json(const fs::path& path) { return json::parse(test::read_text(path), nullptr, false); }

std::set<std::string> state_addresses(const fs::path& state_file) {
    std::set<std::string> out;
    if (!fs::exists(state_file)) return out;
    for (const auto& r : read_json(state_file).value("resources", json::array()))
        if (r.value("mode", "") == "managed") {
            std::string address = r.value("module", "");
            address += (address.empty() ? "" : ".") + r.value("type", "") + "." + r.value("name", "");
            out.insert(address);
        }
    return out;
}

std::vector<std::string> strings(const json& list) {
    std::vector<std::string> out;
    for (const auto& item : list) out.push_back(item.get<std::string>());
    return out;
}

// A repository holding a root `infra` with modules vpc, kafka and app (terraform_data only), a
// var file, and a rollout file in the subdirectory `deploy` (so that everything is found from
// subdirectories of the repository):
//   vpc <- kafka <- app,   vpc <- monitoring (a root resource; watches dashboards/)
struct GitProject {
    test::TempDir tmp;
    test::GitRepo repo{tmp.path() / "repo"};

    fs::path rollout() const { return repo.dir / "deploy" / "rollout.yaml"; }
    fs::path state_dir() const { return repo.dir / "deploy" / ".tfstage"; }
    fs::path infra() const { return repo.dir / "infra"; }
    fs::path state_file(const std::string& workspace = "default") const {
        return workspace == "default" ? infra() / "terraform.tfstate"
                                      : infra() / "terraform.tfstate.d" / workspace / "terraform.tfstate";
    }
    json journal(const std::string& run) const { return read_json(state_dir() / "runs" / run / "journal.json"); }

    explicit GitProject(const std::string& extra_environments = "") {
        repo.write(".gitignore", ".terraform/\n*.tfstate\n*.tfstate.*\nterraform.tfstate.d/\n.tfstage/\n.terraform.lock.hcl\n");
        repo.write("infra/main.tf", R"(
variable "env_name" {
  type = string
}
module "vpc" {
  source = "./modules/vpc"
}
module "kafka" {
  source = "./modules/kafka"
}
module "app" {
  source = "./modules/app"
}
resource "terraform_data" "monitoring" {
  input = var.env_name
}
)");
        repo.write("infra/modules/vpc/main.tf", "resource \"terraform_data\" \"network\" {\n  input = \"vpc\"\n}\n");
        repo.write("infra/modules/kafka/main.tf",
                   "resource \"terraform_data\" \"broker\" {\n  input = \"a broker of the kafka cluster, version one\"\n}\n");
        repo.write("infra/modules/app/main.tf", "resource \"terraform_data\" \"service\" {\n  input = \"app\"\n}\n");
        repo.write("infra/prod.tfvars", "env_name = \"prod\"\n");
        repo.write("dashboards/kafka.json", "{}\n");
        repo.write("deploy/rollout.yaml", R"(
version: 1
root: ../infra
environments:
  dev:
    approval: auto
    var_files: [../infra/prod.tfvars]
)" + extra_environments + R"(
stages:
  - name: vpc
    apply: {targets: [module.vpc]}
  - name: kafka
    apply: {targets: [module.kafka]}
    needs: [vpc]
  - name: app
    apply: {targets: [module.app]}
    needs: [kafka]
  - name: monitoring
    apply: {targets: [terraform_data.monitoring]}
    needs: [vpc]
    watch: [../dashboards]
    rollback: false
)");
        repo.commit("the first configuration");
    }
};

const char* kGuardedEnvironments = R"(
  clean:
    workspace: clean
    approval: auto
    var_files: [../infra/prod.tfvars]
    git: {require_clean: true}
  branch:
    workspace: branch
    approval: auto
    var_files: [../infra/prod.tfvars]
    git: {require_branch: main}
  uptodate:
    workspace: uptodate
    approval: auto
    var_files: [../infra/prod.tfvars]
    git: {require_up_to_date: true}
)";

json selection_of(const Cli& cli) {
    const auto selections = events_of(cli, "selection");
    REQUIRE_MESSAGE(selections.size() == 1, cli.text());
    return selections.front();
}

std::set<std::string> selected_stages(const json& selection) {
    std::set<std::string> out;
    for (const auto& s : selection["stages"])
        if (s.value("selected", false)) out.insert(s.value("name", ""));
    return out;
}

std::string reasons_of(const json& selection, const std::string& stage) {
    for (const auto& s : selection["stages"])
        if (s.value("name", "") == stage) return s["reasons"].dump();
    return "";
}

}  // namespace

// Provenance --------------------------------------------------------------------------------

TEST_CASE("git e2e: a run journals the commit of git rev-parse HEAD and every plan provenance record carries it") {
    GitProject p;
    const std::string head = p.repo.head();
    const auto clean = tfstage_cli({"run", p.rollout().string(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(clean.exit_code == 0, clean.text());
    const std::string run1 = run_id_of(clean);
    const json journal1 = p.journal(run1);
    REQUIRE(journal1["git"].is_object());
    CHECK(journal1["git"]["commit"] == head);
    CHECK(journal1["git"]["branch"] == "main");
    CHECK(journal1["git"]["dirty"] == false);
    CHECK(journal1["git"]["upstream"].is_null());
    int records = 0;
    for (const auto& stage : journal1["stages"]) {
        REQUIRE(stage.contains("plan"));
        CHECK(stage["plan"]["git_commit"] == head);
        const json provenance = read_json(stage["plan"]["file"].get<std::string>() + ".provenance.json");
        CHECK(provenance["git"]["commit"] == head);
        ++records;
    }
    CHECK(records == 4);

    // Dirty: a modified root file and an untracked module file are listed; Terraform's own
    // working data (state, .terraform) is not.
    p.repo.write("infra/main.tf", test::read_text(p.infra() / "main.tf") + "\n# a local edit\n");
    p.repo.write("infra/modules/app/extra.tf", "# not committed\n");
    const auto dirty = tfstage_cli({"run", p.rollout().string(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(dirty.exit_code == 0, dirty.text());
    const std::string run2 = run_id_of(dirty);
    const json git2 = p.journal(run2)["git"];
    CHECK(git2["dirty"] == true);
    CHECK(strings(git2["modified"]) == std::vector<std::string>{"infra/main.tf"});
    CHECK(strings(git2["untracked"]) == std::vector<std::string>{"infra/modules/app/extra.tf"});

    // A plan saved by `engine plan --out` carries the same record, and `show` prints it.
    const fs::path plan_file = p.tmp.path() / "by-hand.tfplan";
    const std::string var_file = (p.infra() / "prod.tfvars").string();
    const auto by_hand = tfstage_cli({"-C", p.infra().string(), "engine", "plan", "--var-file", var_file, "--out", plan_file.string()});
    REQUIRE_MESSAGE(by_hand.exit_code == 0, by_hand.text());
    const json by_hand_record = read_json(plan_file.string() + ".provenance.json");
    CHECK(by_hand_record["git"]["commit"] == head);
    CHECK(strings(by_hand_record["git"]["untracked"]) == std::vector<std::string>{"infra/modules/app/extra.tf"});
    const auto shown = tfstage_cli({"show", plan_file.string()}, p.infra());
    CHECK_MESSAGE(shown.out.find("commit:    " + head + " (on main), with uncommitted changes") != std::string::npos, shown.text());

    // status and history show each run's commit.
    const auto status = tfstage_cli({"status", run1, "--state-dir", p.state_dir().string()});
    CHECK_MESSAGE(status.out.find("commit " + head + " on main") != std::string::npos, status.text());
    const auto history = tfstage_cli({"history", "--state-dir", p.state_dir().string()});
    CHECK(history.out.find(run1) != std::string::npos);
    CHECK_MESSAGE(history.out.find(head.substr(0, 12) + "+dirty") != std::string::npos, history.text());
    const auto history_json = tfstage_cli({"history", "--state-dir", p.state_dir().string(), "--json"});
    REQUIRE(history_json.events.size() == 2);
    CHECK(history_json.events[0]["git"]["commit"] == head);
}

TEST_CASE("git e2e: outside a repository a run records no git and succeeds") {
    test::TempDir tmp;
    test::write_file(tmp.path() / "infra" / "main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"a\"\n}\n");
    test::write_file(tmp.path() / "rollout.yaml", R"(
version: 1
root: infra
environments:
  dev: {approval: auto}
stages:
  - name: a
    apply: {}
)");
    const auto cli = tfstage_cli({"run", (tmp.path() / "rollout.yaml").string(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(cli.exit_code == 0, cli.text());
    const json journal = read_json(tmp.path() / ".tfstage" / "runs" / run_id_of(cli) / "journal.json");
    CHECK(journal["git"].is_null());
    for (const auto& stage : journal["stages"]) {
        const json provenance = read_json(stage["plan"]["file"].get<std::string>() + ".provenance.json");
        CHECK(provenance["git"].is_null());
    }
    // --changed-since cannot mean anything here: a clear refusal.
    const auto changed = tfstage_cli({"plan", (tmp.path() / "rollout.yaml").string(), "-e", "dev", "--changed-since", "main"});
    CHECK(changed.exit_code != 0);
    CHECK_MESSAGE(changed.err.find("needs a git repository") != std::string::npos, changed.text());
}

// Guards ------------------------------------------------------------------------------------

TEST_CASE("git e2e: require_clean refuses naming the modified and untracked files and --allow-dirty is journaled") {
    GitProject p(kGuardedEnvironments);
    p.repo.write("infra/modules/kafka/main.tf", "resource \"terraform_data\" \"broker\" {\n  input = \"edited\"\n}\n");
    p.repo.write("infra/notes.tf", "# untracked\n");
    const auto refused = tfstage_cli({"run", p.rollout().string(), "-e", "clean", "--json"});
    CHECK_MESSAGE(refused.exit_code == 4, refused.text());
    CHECK(refused.err.find("require_clean") != std::string::npos);
    CHECK(refused.err.find("modified: infra/modules/kafka/main.tf") != std::string::npos);
    CHECK(refused.err.find("untracked: infra/notes.tf") != std::string::npos);
    CHECK(refused.err.find("--allow-dirty") != std::string::npos);
    CHECK_FALSE(fs::exists(p.state_file("clean")));  // nothing ran
    const json refused_journal = p.journal(run_id_of(refused));
    CHECK(refused_journal["status"] == "policy_violation");

    // A plan applies nothing: it shows the refusal as a warning and plans anyway.
    const auto planned = tfstage_cli({"plan", p.rollout().string(), "-e", "clean", "--json"});
    CHECK_MESSAGE(planned.exit_code == 0, planned.text());
    const json planned_journal = p.journal(run_id_of(planned));
    REQUIRE(planned_journal["warnings"].size() == 1);
    CHECK(planned_journal["warnings"][0]["guard"] == "require_clean");
    CHECK(planned_journal["warnings"][0]["override"] == "plan");
    CHECK_FALSE(fs::exists(p.state_file("clean")));  // still nothing applied

    const auto allowed = tfstage_cli({"run", p.rollout().string(), "-e", "clean", "--allow-dirty", "--json"});
    REQUIRE_MESSAGE(allowed.exit_code == 0, allowed.text());
    const json journal = p.journal(run_id_of(allowed));
    REQUIRE(journal["warnings"].size() == 1);
    CHECK(journal["warnings"][0]["guard"] == "require_clean");
    CHECK(journal["warnings"][0]["override"] == "--allow-dirty");
    CHECK(journal["warnings"][0]["message"].get<std::string>().find("infra/notes.tf") != std::string::npos);
    CHECK(journal["options"]["allow_dirty"] == true);
    CHECK(events_of(allowed, "warning").size() == 1);
    CHECK(state_addresses(p.state_file("clean")).count("module.kafka.terraform_data.broker") == 1);
}

TEST_CASE("git e2e: require_branch refuses naming the branch and --allow-branch is journaled") {
    GitProject p(kGuardedEnvironments);
    p.repo.git({"checkout", "-q", "-b", "feature/kafka"});
    const auto refused = tfstage_cli({"run", p.rollout().string(), "-e", "branch"});
    CHECK_MESSAGE(refused.exit_code == 4, refused.text());
    CHECK(refused.err.find("deploys from branch main, and HEAD is branch feature/kafka") != std::string::npos);
    CHECK_FALSE(fs::exists(p.state_file("branch")));

    p.repo.git({"checkout", "-q", "--detach"});
    const auto detached = tfstage_cli({"run", p.rollout().string(), "-e", "branch"});
    CHECK(detached.exit_code == 4);
    CHECK_MESSAGE(detached.err.find("a detached HEAD at " + p.repo.head().substr(0, 12)) != std::string::npos, detached.text());

    const auto allowed = tfstage_cli({"run", p.rollout().string(), "-e", "branch", "--allow-branch", "--json"});
    REQUIRE_MESSAGE(allowed.exit_code == 0, allowed.text());
    const json journal = p.journal(run_id_of(allowed));
    REQUIRE(journal["warnings"].size() == 1);
    CHECK(journal["warnings"][0]["guard"] == "require_branch");
    CHECK(journal["warnings"][0]["override"] == "--allow-branch");
    CHECK(journal["git"]["detached"] == true);

    // On main, the guard passes and nothing is journaled as a warning.
    p.repo.git({"checkout", "-q", "main"});
    const auto on_main = tfstage_cli({"run", p.rollout().string(), "-e", "branch", "--json"});
    REQUIRE_MESSAGE(on_main.exit_code == 0, on_main.text());
    CHECK_FALSE(p.journal(run_id_of(on_main)).contains("warnings"));
}

TEST_CASE("git e2e: require_up_to_date refuses naming the commits behind the upstream and --allow-behind is journaled") {
    GitProject origin(kGuardedEnvironments);
    test::TempDir tmp;
    const fs::path clone_dir = tmp.path() / "clone";
    origin.repo.git({"clone", "-q", origin.repo.dir.string(), clone_dir.string()}, tmp.path());
    origin.repo.write("infra/modules/app/main.tf", "resource \"terraform_data\" \"service\" {\n  input = \"app v2\"\n}\n");
    const std::string upstream = origin.repo.commit("app v2 upstream");
    test::GitRepo clone{clone_dir};  // (re-initialising an existing repository changes nothing)
    const fs::path rollout = clone_dir / "deploy" / "rollout.yaml";

    // Up to date with what the last fetch saw: the guard passes.
    const auto before_fetch = tfstage_cli({"plan", rollout.string(), "-e", "uptodate", "--json"});
    CHECK_MESSAGE(before_fetch.exit_code == 0, before_fetch.text());
    CHECK(events_of(before_fetch, "warning").empty());

    clone.git({"fetch", "-q"});
    const auto refused = tfstage_cli({"run", rollout.string(), "-e", "uptodate"});
    CHECK_MESSAGE(refused.exit_code == 4, refused.text());
    CHECK(refused.err.find("main is 1 commit(s) behind origin/main") != std::string::npos);
    CHECK(refused.err.find(upstream.substr(0, 7) + " app v2 upstream") != std::string::npos);

    const auto allowed = tfstage_cli({"run", rollout.string(), "-e", "uptodate", "--allow-behind", "--json"});
    REQUIRE_MESSAGE(allowed.exit_code == 0, allowed.text());
    const json journal = read_json(clone_dir / "deploy" / ".tfstage" / "runs" / run_id_of(allowed) / "journal.json");
    REQUIRE(journal["warnings"].size() == 1);
    CHECK(journal["warnings"][0]["guard"] == "require_up_to_date");
    CHECK(journal["warnings"][0]["override"] == "--allow-behind");
    CHECK(journal["git"]["upstream"] == "origin/main");
    CHECK(journal["git"]["behind"] == 1);
    CHECK(journal["git"]["ahead"] == 0);
}

// --changed-since ---------------------------------------------------------------------------

TEST_CASE("git e2e: --changed-since with a change under module kafka selects only kafka and its dependants") {
    GitProject p;
    p.repo.git({"checkout", "-q", "-b", "feature"});
    p.repo.write("infra/modules/kafka/main.tf",
                 "resource \"terraform_data\" \"broker\" {\n  input = \"a broker of the kafka cluster, version two\"\n}\n");
    p.repo.commit("kafka v2");
    const auto cli = tfstage_cli({"plan", p.rollout().string(), "-e", "dev", "--changed-since", "main", "--json"});
    REQUIRE_MESSAGE(cli.exit_code == 0, cli.text());
    const json selection = selection_of(cli);
    CHECK(selected_stages(selection) == std::set<std::string>{"kafka", "app"});
    CHECK(reasons_of(selection, "kafka").find("infra/modules/kafka/main.tf") != std::string::npos);
    CHECK(reasons_of(selection, "app").find("needs kafka") != std::string::npos);
    // Only the selected stages were planned; the others were skipped.
    std::set<std::string> planned;
    for (const auto& e : events_of(cli, "stage_planned")) planned.insert(e.value("stage", ""));
    CHECK(planned == std::set<std::string>{"kafka", "app"});
    const json journal = p.journal(run_id_of(cli));
    CHECK(journal["selection"]["merge_base"] == p.repo.git({"merge-base", "main", "HEAD"}).substr(0, 40));

    // The text output shows the selection and why.
    const auto text = tfstage_cli({"plan", p.rollout().string(), "-e", "dev", "--changed-since", "main"});
    REQUIRE_MESSAGE(text.exit_code == 0, text.text());
    CHECK(text.out.find("+ kafka: module source infra/modules/kafka/ changed: infra/modules/kafka/main.tf") != std::string::npos);
    CHECK(text.out.find("+ app: needs kafka") != std::string::npos);
    CHECK_MESSAGE(text.out.find("- vpc: no change in its code") != std::string::npos, text.text());

    // A watched path selects its stage.
    p.repo.write("dashboards/kafka.json", "{\"panels\": []}\n");
    const auto watched = tfstage_cli({"run", p.rollout().string(), "-e", "dev", "--changed-since", "main", "--dry-run", "--json"});
    REQUIRE_MESSAGE(watched.exit_code == 0, watched.text());
    CHECK(selected_stages(selection_of(watched)) == std::set<std::string>{"kafka", "app", "monitoring"});
    CHECK(reasons_of(selection_of(watched), "monitoring").find("watched path dashboards") != std::string::npos);
}

TEST_CASE("git e2e: --changed-since with a changed tfvars file selects every stage of the root") {
    GitProject p;
    p.repo.write("infra/prod.tfvars", "env_name = \"production\"\n");  // uncommitted: the working tree counts
    const auto cli = tfstage_cli({"plan", p.rollout().string(), "-e", "dev", "--changed-since", "HEAD", "--json"});
    REQUIRE_MESSAGE(cli.exit_code == 0, cli.text());
    const json selection = selection_of(cli);
    CHECK(selected_stages(selection) == std::set<std::string>{"vpc", "kafka", "app", "monitoring"});
    CHECK(reasons_of(selection, "vpc").find("root file changed: infra/prod.tfvars") != std::string::npos);
}

TEST_CASE("git e2e: --changed-since counts a renamed file as a change") {
    GitProject p;
    p.repo.git({"mv", "infra/modules/kafka/main.tf", "infra/modules/kafka/brokers.tf"});
    p.repo.commit("rename the kafka file");
    const auto cli = tfstage_cli({"plan", p.rollout().string(), "-e", "dev", "--changed-since", "HEAD~1", "--json"});
    REQUIRE_MESSAGE(cli.exit_code == 0, cli.text());
    const json selection = selection_of(cli);
    CHECK(selected_stages(selection) == std::set<std::string>{"kafka", "app"});
    const std::string reasons = reasons_of(selection, "kafka");
    CHECK(reasons.find("infra/modules/kafka/brokers.tf") != std::string::npos);
    CHECK(reasons.find("infra/modules/kafka/main.tf") != std::string::npos);

    const auto unknown = tfstage_cli({"plan", p.rollout().string(), "-e", "dev", "--changed-since", "no-such-ref"});
    CHECK(unknown.exit_code == 2);
    CHECK_MESSAGE(unknown.err.find("unknown revision 'no-such-ref'") != std::string::npos, unknown.text());
    // Refused before a run was journaled: only the first plan is in the history.
    const auto history = tfstage_cli({"history", "--state-dir", p.state_dir().string(), "--json"});
    CHECK(history.events.size() == 1);
}

// Rollback ----------------------------------------------------------------------------------

TEST_CASE("git e2e: rollback returns module kafka to the last good commit and leaves the working tree alone") {
    GitProject p;
    const std::string commit_a = p.repo.head();
    const auto run_a = tfstage_cli({"run", p.rollout().string(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(run_a.exit_code == 0, run_a.text());

    // Commit B adds a resource to module.kafka (and changes the monitoring input).
    p.repo.write("infra/modules/kafka/main.tf", test::read_text(p.infra() / "modules/kafka/main.tf") +
                                                    "resource \"terraform_data\" \"extra\" {\n  input = \"new in B\"\n}\n");
    p.repo.write("infra/prod.tfvars", "env_name = \"prod-b\"\n");
    const std::string commit_b = p.repo.commit("B: an extra kafka resource");
    const auto run_b = tfstage_cli({"run", p.rollout().string(), "-e", "dev", "--json"});
    REQUIRE_MESSAGE(run_b.exit_code == 0, run_b.text());
    REQUIRE(state_addresses(p.state_file()).count("module.kafka.terraform_data.extra") == 1);

    const std::string tree_before = test::read_text(p.infra() / "modules/kafka/main.tf");
    const std::string status_before = p.repo.git({"status", "--porcelain", "--ignored"});

    const auto rollback = tfstage_cli({"rollback", run_id_of(run_b), "--state-dir", p.state_dir().string(), "--json"});
    REQUIRE_MESSAGE(rollback.exit_code == 0, rollback.text());

    // The state is A's again for module.kafka (and the other rolled-back stages).
    const auto addresses = state_addresses(p.state_file());
    CHECK(addresses.count("module.kafka.terraform_data.broker") == 1);
    CHECK(addresses.count("module.kafka.terraform_data.extra") == 0);
    CHECK(addresses.count("module.vpc.terraform_data.network") == 1);
    CHECK(addresses.count("module.app.terraform_data.service") == 1);

    // The journal: a run of kind rollback, to run A's commit; monitoring (rollback: false) skipped.
    const json journal = p.journal(run_id_of(rollback));
    CHECK(journal["kind"] == "rollback");
    CHECK(journal["status"] == "succeeded");
    CHECK(journal["rollback_of"] == run_id_of(run_b));
    CHECK(journal["rollback_to"]["run"] == run_id_of(run_a));
    CHECK(journal["rollback_to"]["commit"] == commit_a);
    CHECK(journal["git"]["commit"] == commit_a);
    REQUIRE(journal["rollback"]["skipped"].size() == 1);
    CHECK(journal["rollback"]["skipped"][0]["stage"] == "monitoring");
    CHECK(strings(journal["rollback"]["stages"]) == std::vector<std::string>{"app", "kafka", "vpc"});
    // Stages in reverse order.
    std::vector<std::string> started;
    for (const auto& e : events_of(rollback, "stage_started")) started.push_back(e.value("stage", ""));
    CHECK(started == std::vector<std::string>{"app", "kafka", "vpc"});
    const auto target = events_of(rollback, "rollback_target");
    REQUIRE(target.size() == 1);
    CHECK(target[0]["commit"] == commit_a);
    // The monitoring stage kept B's value: rollback: false leaves it alone.
    CHECK(test::read_text(p.state_file()).find("prod-b") != std::string::npos);

    // The user's working tree, index and HEAD are untouched; the temporary tree is gone.
    CHECK(p.repo.head() == commit_b);
    CHECK(test::read_text(p.infra() / "modules/kafka/main.tf") == tree_before);
    CHECK(p.repo.git({"status", "--porcelain", "--ignored"}) == status_before);
    CHECK_FALSE(fs::exists(journal["rollback"]["tree"].get<std::string>()));

    // status shows it; rolling back needs a good run before.
    const auto status = tfstage_cli({"status", run_id_of(rollback), "--state-dir", p.state_dir().string()});
    CHECK_MESSAGE(status.out.find("rollback of run " + run_id_of(run_b)) != std::string::npos, status.text());
    const auto nothing = tfstage_cli({"rollback", run_id_of(run_a), "--state-dir", p.state_dir().string()});
    CHECK(nothing.exit_code != 0);
    CHECK_MESSAGE(nothing.err.find("no successful run") != std::string::npos, nothing.text());
}

TEST_CASE("git e2e: rollback in a workspace stops at the same gates and applies once approved") {
    GitProject p(R"(
  staging:
    workspace: staging
    approval: manual
    var_files: [../infra/prod.tfvars]
)");
    const auto run_a = tfstage_cli({"run", p.rollout().string(), "-e", "staging", "--auto-approve", "--json"});
    REQUIRE_MESSAGE(run_a.exit_code == 0, run_a.text());
    p.repo.write("infra/modules/kafka/main.tf", test::read_text(p.infra() / "modules/kafka/main.tf") +
                                                    "resource \"terraform_data\" \"extra\" {\n  input = \"new in B\"\n}\n");
    p.repo.commit("B");
    const auto run_b = tfstage_cli({"run", p.rollout().string(), "-e", "staging", "--auto-approve", "--json"});
    REQUIRE_MESSAGE(run_b.exit_code == 0, run_b.text());
    REQUIRE(state_addresses(p.state_file("staging")).count("module.kafka.terraform_data.extra") == 1);

    // The environment's rule is manual: the kafka stage (which deletes) stops at its gate.
    const auto gated = tfstage_cli({"rollback", run_id_of(run_b), "--state-dir", p.state_dir().string(), "--json"});
    CHECK_MESSAGE(gated.exit_code == 3, gated.text());
    const json gated_journal = p.journal(run_id_of(gated));
    CHECK(gated_journal["kind"] == "rollback");
    CHECK(gated_journal["status"] == "awaiting_approval");
    CHECK(state_addresses(p.state_file("staging")).count("module.kafka.terraform_data.extra") == 1);
    // A rollback is not resumed: it is run again.
    const auto resumed = tfstage_cli({"resume", run_id_of(gated), "--state-dir", p.state_dir().string()});
    CHECK(resumed.exit_code == 2);
    CHECK_MESSAGE(resumed.err.find("is a rollback") != std::string::npos, resumed.text());

    const auto approved =
        tfstage_cli({"rollback", run_id_of(run_b), "--state-dir", p.state_dir().string(), "--approve", "kafka", "--json"});
    REQUIRE_MESSAGE(approved.exit_code == 0, approved.text());
    const auto addresses = state_addresses(p.state_file("staging"));
    CHECK(addresses.count("module.kafka.terraform_data.extra") == 0);
    CHECK(addresses.count("module.kafka.terraform_data.broker") == 1);
    CHECK_FALSE(fs::exists(p.state_file("default")));  // the workspace's state, nothing else
}
