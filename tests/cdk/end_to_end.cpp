// CDK rollouts end to end, through the command, with the real cdk CLI (aws-cdk 2.1148.1,
// aws-cdk-lib 2.270.0, installed by scripts/setup into examples/ceap-cdk/node_modules) against
// a private moto server: seed 001 as a rollout (examples/ceap-cdk), a broken stack and resume,
// and the rollout deadline. CDK commands cost seconds each on a small machine, so the cases are
// few and each checks much.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

#include "process/process.hpp"
#include "support/fixtures.hpp"
#include "support/moto.hpp"
#include "support/workdir.hpp"

using namespace tfstage;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

const char* kTfstage = TFSTAGE_BINARY_DIR "/cmd/tfstage/tfstage";

const std::vector<std::string> kLegacyStacks = {"CeapEtlWorkflow-prod",   "CeapFilterWorkflow-prod",   "CeapScoreWorkflow-prod",
                                                "CeapStoreWorkflow-prod", "CeapReactiveWorkflow-prod", "CeapOrchestration-prod"};

struct Cli {
    int exit_code = -1;
    std::string out;
    std::string err;
    std::vector<json> events;
    std::string text() const { return "exit " + std::to_string(exit_code) + "\nstdout:\n" + out + "\nstderr:\n" + err; }
};

std::map<std::string, std::string> aws_env(const test::MotoServer& moto) {
    return {{"AWS_ENDPOINT_URL", moto.endpoint()},  // "localhost": moto parses S3 template URLs by host name
            {"AWS_ACCESS_KEY_ID", "testing"},
            {"AWS_SECRET_ACCESS_KEY", "testing"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_DEFAULT_REGION", "us-east-1"},
            {"NO_COLOR", "1"}};
}

Cli tfstage_cli(const std::vector<std::string>& args, const test::MotoServer& moto, const fs::path& cwd) {
    process::Command command;
    command.argv = {kTfstage};
    command.argv.insert(command.argv.end(), args.begin(), args.end());
    command.env = aws_env(moto);
    command.cwd = cwd;
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

std::string final_status(const Cli& cli) {
    if (cli.events.empty() || cli.events.back().value("type", "") != "rollout_finished") return "(no rollout_finished)";
    return cli.events.back().value("status", "");
}

std::string run_id_of(const Cli& cli) { return cli.events.empty() ? "" : cli.events.front().value("run", ""); }

std::vector<json> events_of(const Cli& cli, const std::string& type, const std::string& stage = "") {
    std::vector<json> out;
    for (const auto& e : cli.events)
        if (e.value("type", "") == type && (stage.empty() || e.value("stage", "") == stage)) out.push_back(e);
    return out;
}

json journal_of(const fs::path& project, const std::string& run) {
    return json::parse(test::read_text(project / ".tfstage" / "runs" / run / "journal.json"), nullptr, false);
}

json stage_record(const json& journal, const std::string& name) {
    for (const auto& s : journal.value("stages", json::array()))
        if (s.value("name", "") == name) return s;
    return json::object();
}

json stack_record(const json& stage, const std::string& stack) {
    for (const auto& s : stage.value("stacks", json::array()))
        if (s.value("stack", "") == stack) return s;
    return json::object();
}

// The stacks moto holds (deleted ones left out): name -> {"status": .., "outputs": {key: value}}.
json stacks_in(const test::MotoServer& moto) {
    process::Command command;
    command.argv = {"python3", "-c",
                    "import boto3, json\n"
                    "cf = boto3.client('cloudformation')\n"
                    "out = {}\n"
                    "for s in cf.describe_stacks()['Stacks']:\n"
                    "    if s['StackStatus'] != 'DELETE_COMPLETE':\n"
                    "        body = cf.get_template(StackName=s['StackName'])['TemplateBody']\n"
                    "        if not isinstance(body, dict):  # the bootstrap stack's template is YAML\n"
                    "            body = json.loads(body) if body.lstrip().startswith('{') else {}\n"
                    "        out[s['StackName']] = {'status': s['StackStatus'], 'description': body.get('Description', ''),\n"
                    "            'outputs': {o['OutputKey']: o['OutputValue'] for o in s.get('Outputs', [])}}\n"
                    "print(json.dumps(out))\n"};
    command.env = aws_env(moto);
    const auto result = process::run(command);
    REQUIRE_MESSAGE(result.exit_code == 0, result.err);
    return json::parse(result.out);
}

// A copy of examples/ceap-cdk in a scratch directory, sharing the installed node_modules.
struct Project {
    test::TempDir tmp;
    fs::path dir;

    Project() {
        const fs::path source = test::source_dir("examples/ceap-cdk");
        REQUIRE_MESSAGE(fs::exists(source / "node_modules" / ".bin" / "cdk"),
                        "the CDK packages are not installed in examples/ceap-cdk: run scripts/setup");
        dir = tmp.path() / "ceap-cdk";
        fs::create_directories(dir);
        for (const auto& entry : fs::directory_iterator(source)) {
            const std::string name = entry.path().filename().string();
            if (name == "node_modules" || name.starts_with("cdk.out") || name == ".tfstage") continue;
            fs::copy(entry.path(), dir / name, fs::copy_options::recursive);
        }
        fs::create_directory_symlink(source / "node_modules", dir / "node_modules");
    }

    void replace_in(const std::string& file, const std::string& from, const std::string& to) const {
        std::string text = test::read_text(dir / file);
        const auto at = text.find(from);
        REQUIRE_MESSAGE(at != std::string::npos, std::string(from + " not in " + file));
        text.replace(at, from.size(), to);
        test::write_file(dir / file, text);
    }
};

// The account as seed 001 finds it: bootstrapped, with the six old workflow stacks.
void prepare_account(const Project& project, const test::MotoServer& moto) {
    const Cli before = tfstage_cli({"run", (project.dir / "before.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    REQUIRE_MESSAGE(final_status(before) == "succeeded", before.text());
    const json stacks = stacks_in(moto);
    for (const auto& name : kLegacyStacks) {
        CAPTURE(name);
        REQUIRE(stacks.contains(name));
        CHECK(stacks[name]["status"] == "CREATE_COMPLETE");
    }
}

bool spans_overlap(const json& a, const json& b) {
    // ISO-8601 UTC with milliseconds: text order is time order.
    const std::string a0 = a.value("started_at", ""), a1 = a.value("finished_at", "");
    const std::string b0 = b.value("started_at", ""), b1 = b.value("finished_at", "");
    return !a0.empty() && !a1.empty() && !b0.empty() && !b1.empty() && a0 < b1 && b0 < a1;
}

const std::string kQueueUrlOutput = "new cdk.CfnOutput(this, 'ReactiveEventsQueueUrl', { value: events.queueUrl });";
// A template CloudFormation (and moto) rejects: an attribute an SQS queue does not have.
const std::string kBrokenOutput =
    "new cdk.CfnOutput(this, 'ReactiveEventsQueueUrl', { value: cdk.Fn.getAtt(events.node.defaultChild.logicalId, "
    "'NoSuchAttribute').toString() });";

}  // namespace

TEST_CASE("cdk end to end: seed 001 rollout deploys the database then both app stacks together and deletes the old stacks") {
    test::MotoServer moto;
    Project project;
    prepare_account(project, moto);

    const Cli run = tfstage_cli({"run", (project.dir / "rollout.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    REQUIRE_MESSAGE(final_status(run) == "succeeded", run.text());
    CHECK(run.exit_code == 0);
    const json journal = journal_of(project.dir, run_id_of(run));

    // Phase by phase: the stages ran in the seed's order, and every check passed (the checks
    // read the stacks, tables, parameters and queues back from moto after each phase).
    std::vector<std::string> started;
    for (const auto& e : events_of(run, "stage_started")) started.push_back(e.value("stage", ""));
    CHECK(started == std::vector<std::string>{"synth", "database", "applications", "validation", "cleanup"});
    const auto checks = events_of(run, "check_finished");
    CHECK(checks.size() == 8);
    for (const auto& c : checks) {
        CAPTURE(c.dump());
        CHECK(c.value("passed", false));
    }

    // Phase 1: the database stack, with its six outputs (journal has their names, not values).
    const json database = stage_record(journal, "database");
    CHECK(database.value("status", "") == "succeeded");
    CHECK(stack_record(database, "CeapDatabase-prod").value("status", "") == "deployed");
    CHECK(database["outputs"]["CeapDatabase-prod"].size() == 6);

    // Phase 2: both app stacks in one wave, deployed at the same time (their spans overlap).
    const json apps = stage_record(journal, "applications");
    CHECK(apps["cdk"]["waves"] == json::parse(R"([["CeapDataPlatform-prod", "CeapServingAPI-prod"]])"));
    const json platform = stack_record(apps, "CeapDataPlatform-prod");
    const json serving = stack_record(apps, "CeapServingAPI-prod");
    CHECK(platform.value("status", "") == "deployed");
    CHECK(serving.value("status", "") == "deployed");
    CHECK_MESSAGE(spans_overlap(platform, serving), apps.dump(2));

    // Phase 5: the six old stacks are gone, the three new ones remain with their outputs.
    const json cleanup = stage_record(journal, "cleanup");
    for (const auto& name : kLegacyStacks) CHECK(stack_record(cleanup, name).value("status", "") == "destroyed");
    const json stacks = stacks_in(moto);
    std::set<std::string> names;
    for (const auto& [name, s] : stacks.items()) names.insert(name);
    CHECK(names == std::set<std::string>{"CDKToolkit", "CeapDatabase-prod", "CeapDataPlatform-prod", "CeapServingAPI-prod"});
    CHECK(stacks["CeapDatabase-prod"]["outputs"].size() == 6);
    CHECK(stacks["CeapServingAPI-prod"]["outputs"]["ScoreCacheTableArn"] ==
          stacks["CeapDatabase-prod"]["outputs"]["ScoreCacheTableArn"]);

    // Per-phase timings are journaled, and `status` prints the seed's target vs actual table.
    CHECK(stage_record(journal, "synth")["timings"].contains("synth_ms"));
    CHECK(apps["timings"].contains("deploy_ms"));
    CHECK(apps["timings"].contains("checks_ms"));
    CHECK(apps.value("expected_ms", 0) == 15 * 60 * 1000);
    const Cli status = tfstage_cli({"status", run_id_of(run), "--state-dir", (project.dir / ".tfstage").string()}, moto, project.dir);
    CHECK(status.exit_code == 0);
    CHECK(status.out.find("timings (target vs actual)") != std::string::npos);
    CHECK(status.out.find("applications") != std::string::npos);
    CHECK(status.out.find("15.0 min") != std::string::npos);
    CHECK(status.out.find("total (sum of phases)") != std::string::npos);
    // The whole rollout's wall-clock time against the seed's 90-minute deadline.
    CHECK(journal.value("deadline_ms", 0) == 90 * 60 * 1000);
    CHECK(journal.value("elapsed_ms", 0) > 0);
    CHECK(status.out.find("rollout (wall clock, deadline)") != std::string::npos);
    CHECK(status.out.find("90.0 min") != std::string::npos);

    // `tfstage graph` shows the CDK structure, read from the synthesized assembly.
    const Cli graph = tfstage_cli({"graph", (project.dir / "rollout.yaml").string()}, moto, project.dir);
    CHECK(graph.exit_code == 0);
    CHECK(graph.out.find("cdk deploy: [CeapDataPlatform-prod + CeapServingAPI-prod] (concurrency 2)") != std::string::npos);
    CHECK(graph.out.find("cdk synth -> cdk.out.consolidated") != std::string::npos);
}

TEST_CASE("cdk end to end: a broken app stack stops the rollout naming it and resume after the fix skips the database") {
    test::MotoServer moto;
    Project project;
    prepare_account(project, moto);
    project.replace_in("lib/serving-api.js", kQueueUrlOutput, kBrokenOutput);

    const Cli failed = tfstage_cli({"run", (project.dir / "rollout.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    CHECK_MESSAGE(final_status(failed) == "failed", failed.text());
    CHECK(failed.exit_code != 0);
    const std::string run = run_id_of(failed);
    const json journal = journal_of(project.dir, run);
    const json apps = stage_record(journal, "applications");
    CHECK(apps.value("status", "") == "failed");
    CHECK(apps["failed_stacks"] == json::array({"CeapServingAPI-prod"}));
    CHECK(stack_record(apps, "CeapServingAPI-prod").value("status", "") == "failed");
    const std::string message = apps["error"].value("message", "");
    CHECK(message.find("CeapServingAPI-prod") != std::string::npos);
    CHECK(message.find("CeapServingAPI-prod: ValidationError: Template error: resource Queue does not support attribute type "
                       "NoSuchAttribute") != std::string::npos);
    // The rollout stopped there: no validation, no cleanup; the old stacks are still there.
    CHECK(stage_record(journal, "validation").value("status", "pending") == "pending");
    CHECK(stage_record(journal, "cleanup").value("status", "pending") == "pending");
    const json database_before = stage_record(journal, "database");
    CHECK(database_before.value("status", "") == "succeeded");
    json stacks = stacks_in(moto);
    CHECK_FALSE(stacks.contains("CeapServingAPI-prod"));
    CHECK(stacks.contains("CeapOrchestration-prod"));

    // Fixed: resume synthesizes again, does not touch the database stage, and finishes.
    project.replace_in("lib/serving-api.js", kBrokenOutput, kQueueUrlOutput);
    const Cli resumed =
        tfstage_cli({"resume", run, "--state-dir", (project.dir / ".tfstage").string(), "--json"}, moto, project.dir);
    REQUIRE_MESSAGE(final_status(resumed) == "succeeded", resumed.text());
    CHECK(events_of(resumed, "stage_started", "database").empty());
    CHECK(events_of(resumed, "stage_reused", "database").size() == 1);
    CHECK(events_of(resumed, "stage_changed", "database").empty());
    CHECK(events_of(resumed, "stage_started", "synth").size() == 1);
    const json after = journal_of(project.dir, run);
    CHECK(stage_record(after, "database").value("started_at", "") == database_before.value("started_at", ""));
    CHECK(stage_record(after, "applications").value("status", "") == "succeeded");
    CHECK(stack_record(stage_record(after, "applications"), "CeapServingAPI-prod").value("status", "") == "deployed");
    stacks = stacks_in(moto);
    CHECK(stacks["CeapServingAPI-prod"]["status"] == "CREATE_COMPLETE");
    CHECK_FALSE(stacks.contains("CeapOrchestration-prod"));
}

TEST_CASE("cdk end to end: resume deploys a finished stack again when its template changed since") {
    test::MotoServer moto;
    Project project;
    prepare_account(project, moto);
    // moto 5.2 cannot update a stack whose template has CDK's BootstrapVersion parameter
    // (KeyError in UpdateStack): the database stack goes without it, so that it can be updated.
    project.replace_in("lib/database.js", "super(scope, id, props);",
                       "super(scope, id, { ...props, synthesizer: new cdk.DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });");
    project.replace_in("lib/serving-api.js", kQueueUrlOutput, kBrokenOutput);
    const Cli failed = tfstage_cli({"run", (project.dir / "rollout.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    REQUIRE_MESSAGE(final_status(failed) == "failed", failed.text());
    const std::string run = run_id_of(failed);
    const json database_before = stage_record(journal_of(project.dir, run), "database");
    REQUIRE(database_before.value("status", "") == "succeeded");
    CHECK(database_before["templates"]["CeapDatabase-prod"].get<std::string>().size() == 64);

    // The fix also touches the database stack: its new template must reach CloudFormation.
    project.replace_in("lib/serving-api.js", kBrokenOutput, kQueueUrlOutput);
    project.replace_in("lib/database.js", "generateBootstrapVersionRule: false }) });",
                       "generateBootstrapVersionRule: false }) });\n    this.templateOptions.description = 'ceap storage, revision 2';");
    const Cli resumed =
        tfstage_cli({"resume", run, "--state-dir", (project.dir / ".tfstage").string(), "--json"}, moto, project.dir);
    REQUIRE_MESSAGE(final_status(resumed) == "succeeded", std::string(resumed.text() + "\nmoto:\n" + moto.output()));
    CHECK(events_of(resumed, "stage_changed", "database").size() == 1);
    CHECK(events_of(resumed, "stage_started", "database").size() == 1);
    CHECK(events_of(resumed, "stage_reused", "database").empty());
    const json database_after = stage_record(journal_of(project.dir, run), "database");
    CHECK(database_after.value("started_at", "") != database_before.value("started_at", ""));
    CHECK(database_after["templates"]["CeapDatabase-prod"] != database_before["templates"]["CeapDatabase-prod"]);
    const json stacks = stacks_in(moto);
    // The template CloudFormation now holds is the new one.
    CHECK(stacks["CeapDatabase-prod"]["description"] == "ceap storage, revision 2");
    CHECK(stacks["CeapServingAPI-prod"]["status"] == "CREATE_COMPLETE");
}

TEST_CASE("cdk end to end: the rollout deadline stops a slow rollout during its synth") {
    test::MotoServer moto;
    Project project;
    // The seed's rollout with its 90-minute deadline cut to one second: the synth alone (node
    // loading aws-cdk-lib) takes longer, so the rollout stops there and deploys nothing.
    project.replace_in("rollout.yaml", "deadline: 90m", "deadline: 1s");
    const Cli run = tfstage_cli({"run", (project.dir / "rollout.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    CHECK_MESSAGE(final_status(run) == "deadline_exceeded", run.text());
    CHECK(run.exit_code != 0);
    CHECK(events_of(run, "deadline_exceeded").size() >= 1);
    const json journal = journal_of(project.dir, run_id_of(run));
    CHECK(journal.value("status", "") == "deadline_exceeded");
    CHECK(stage_record(journal, "synth").value("status", "") == "deadline_exceeded");
    CHECK(events_of(run, "stage_started", "database").empty());
    CHECK(stacks_in(moto).empty());
    CHECK(journal.value("elapsed_ms", 0) >= 1000);

    // The deadline is the rollout's, not each attempt's: a resume has no time left either.
    const Cli resumed = tfstage_cli(
        {"resume", run_id_of(run), "--state-dir", (project.dir / ".tfstage").string(), "--json"}, moto, project.dir);
    CHECK_MESSAGE(final_status(resumed) == "deadline_exceeded", resumed.text());
    CHECK(events_of(resumed, "stage_started", "database").empty());
    CHECK(stacks_in(moto).empty());
}

TEST_CASE("cdk end to end: a manual gate shows cdk diff and stops in awaiting_approval before deploying") {
    test::MotoServer moto;
    Project project;
    project.replace_in("rollout.yaml", "approval: auto ", "approval: manual ");
    const Cli run = tfstage_cli({"run", (project.dir / "rollout.yaml").string(), "-e", "prod", "--json"}, moto, project.dir);
    CHECK_MESSAGE(final_status(run) == "awaiting_approval", run.text());
    CHECK(run.exit_code == 3);
    const auto waiting = events_of(run, "awaiting_approval", "database");
    REQUIRE(waiting.size() == 1);
    const fs::path diff_file = waiting[0].value("diff_file", "");
    const std::string diff = test::read_text(diff_file);
    CHECK(diff.find("CeapDatabase-prod") != std::string::npos);
    CHECK(diff.find("AWS::DynamoDB::Table") != std::string::npos);
    const json database = stage_record(journal_of(project.dir, run_id_of(run)), "database");
    CHECK(database.value("status", "") == "awaiting_approval");
    CHECK(database["diff"].value("stacks_with_differences", -1) == 1);
    CHECK(database["timings"].contains("diff_ms"));
    CHECK_FALSE(database.contains("stacks"));
    CHECK(stacks_in(moto).empty());
}
