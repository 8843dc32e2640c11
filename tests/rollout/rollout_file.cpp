// Valid rollout files: YAML and JSON give the same model; defaults; durations.
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <sstream>

#include "rollout/graph.hpp"
#include "rollout/rollout_file.hpp"
#include "rollout/scratch.hpp"

using namespace tfstage::rollout;
using tfstage::test::RolloutScratch;
using Names = std::vector<std::string>;

namespace {

const char* const full_yaml = R"(version: 1
name: data-platform
roots:
  main: {path: infra, engine: terraform}
environments:
  dev:
    workspace: dev
    approval: auto
  prod:
    directory: environments/prod
    var_files: [prod.tfvars]
    vars: {region: eu-west-1, replicas: 3, public: false}
    approval: manual-when-deleting
    policies:
      deny_delete: ["module.data_stores.**"]
      max_changes: 25
      require_approval_for_delete: true
      deny_resource_types: [aws_iam_user]
    deadline: 1h30m
    git: {require_clean: true, require_branch: main, require_up_to_date: true}
stages:
  - name: vpc
    apply: {targets: [module.vpc]}
  - name: data
    apply:
      targets: ['module.data_stores', 'aws_kms_key.data_stores']
      excludes: ['module.data_stores.aws_s3_bucket.logs["x"]']
    vars: {kafka_broker_count: 9}
    approval: manual
    deadline: 20m
    checks:
      - name: kafka is active
        argv: [aws, kafka, describe-cluster, --cluster-arn, "${output.kafka_cluster_arn}"]
        env: {AWS_REGION: eu-west-1}
        expect_exit: 0
        retries: 3
        interval: 10s
        timeout: 250ms
  - name: canary
    needs: data
    run:
      argv: [scripts/shift.sh, "${env}", "${item}"]
      env: {WORKSPACE: "${workspace}"}
      cwd: scripts
      timeout: 90
      for_each: [5, 25, 50, 100]
      wait: 5m
    checks:
      - argv: [curl, -f, "https://green.example/health?weight=${item}"]
    rollback:
      - argv: [scripts/shift.sh, "${env}", "0"]
        timeout: 1m
  - name: blue-away
    needs: [canary, vpc]
    destroy: {targets: [module.blue_environment]}
    on_failure: stop
  - name: everything
    needs: []
    apply: all
converge: false
)";

const char* const full_json = R"({
  "version": 1,
  "name": "data-platform",
  "roots": {"main": {"path": "infra", "engine": "terraform"}},
  "environments": {
    "dev": {"workspace": "dev", "approval": "auto"},
    "prod": {
      "directory": "environments/prod",
      "var_files": ["prod.tfvars"],
      "vars": {"region": "eu-west-1", "replicas": 3, "public": false},
      "approval": "manual-when-deleting",
      "policies": {
        "deny_delete": ["module.data_stores.**"],
        "max_changes": 25,
        "require_approval_for_delete": true,
        "deny_resource_types": ["aws_iam_user"]
      },
      "deadline": "1h30m",
      "git": {"require_clean": true, "require_branch": "main", "require_up_to_date": true}
    }
  },
  "stages": [
    {"name": "vpc", "apply": {"targets": ["module.vpc"]}},
    {
      "name": "data",
      "apply": {
        "targets": ["module.data_stores", "aws_kms_key.data_stores"],
        "excludes": ["module.data_stores.aws_s3_bucket.logs[\"x\"]"]
      },
      "vars": {"kafka_broker_count": 9},
      "approval": "manual",
      "deadline": "20m",
      "checks": [{
        "name": "kafka is active",
        "argv": ["aws", "kafka", "describe-cluster", "--cluster-arn", "${output.kafka_cluster_arn}"],
        "env": {"AWS_REGION": "eu-west-1"},
        "expect_exit": 0, "retries": 3, "interval": "10s", "timeout": "250ms"
      }]
    },
    {
      "name": "canary",
      "needs": "data",
      "run": {
        "argv": ["scripts/shift.sh", "${env}", "${item}"],
        "env": {"WORKSPACE": "${workspace}"},
        "cwd": "scripts",
        "timeout": 90,
        "for_each": [5, 25, 50, 100],
        "wait": "5m"
      },
      "checks": [{"argv": ["curl", "-f", "https://green.example/health?weight=${item}"]}],
      "rollback": [{"argv": ["scripts/shift.sh", "${env}", "0"], "timeout": "1m"}]
    },
    {"name": "blue-away", "needs": ["canary", "vpc"], "destroy": {"targets": ["module.blue_environment"]}, "on_failure": "stop"},
    {"name": "everything", "needs": [], "apply": "all"}
  ],
  "converge": false
}
)";

std::string str(const std::vector<std::string>& items) {
    std::string out = "[";
    for (const auto& item : items) out += item + ";";
    return out + "]";
}

std::string str(const std::map<std::string, std::string>& items) {
    std::string out = "{";
    for (const auto& [key, value] : items) out += key + "=" + value + ";";
    return out + "}";
}

std::string str(const CommandSpec& c) {
    return "argv=" + str(c.argv) + " env=" + str(c.env) + " cwd=" + c.cwd.string() + " timeout=" + std::to_string(c.timeout.count());
}

// Everything the model holds except source locations (lines differ between the two files).
std::string dump(const Rollout& r) {
    std::ostringstream out;
    out << "name=" << r.name << " version=" << r.version << " converge=" << r.converge << " base=" << r.base_dir << "\n";
    for (const auto& root : r.roots) out << "root " << root.name << " " << root.path << " " << root.engine << "\n";
    for (const auto& e : r.environments) {
        out << "env " << e.name << " ws=" << e.workspace << " dir=" << e.directory << " approval=" << static_cast<int>(e.approval)
            << " vars=" << str(e.vars) << " deadline=" << (e.deadline ? e.deadline->count() : -1) << " git=" << e.git.require_clean
            << e.git.require_branch << e.git.require_up_to_date << "\n";
        for (const auto& f : e.var_files) out << "  var_file " << f << "\n";
        if (e.policies)
            out << "  policies " << str(e.policies->deny_delete) << " " << e.policies->max_changes.value_or(-1) << " "
                << e.policies->require_approval_for_delete << " " << str(e.policies->deny_resource_types) << "\n";
    }
    for (const auto& s : r.stages) {
        out << "stage " << s.name << " kind=" << static_cast<int>(s.kind) << " root=" << s.root << " targets=" << str(s.targets)
            << " excludes=" << str(s.excludes) << " vars=" << str(s.vars) << " approval=" << (s.approval ? static_cast<int>(*s.approval) : -1)
            << " command={" << str(s.command) << "} for_each=" << str(s.for_each) << " wait=" << s.wait.count() << " needs=" << str(s.needs)
            << s.needs_written << " deadline=" << (s.deadline ? s.deadline->count() : -1) << " on_failure=" << static_cast<int>(s.on_failure) << "\n";
        for (const auto& c : s.checks)
            out << "  check " << c.name << " " << str(c.command) << " exit=" << c.expect_exit << " retries=" << c.retries << " interval=" << c.interval.count() << "\n";
        for (const auto& c : s.rollback) out << "  rollback " << str(c) << "\n";
    }
    return out.str();
}

}  // namespace

TEST_CASE("rollout file: YAML and JSON give the same model") {
    RolloutScratch scratch;
    Rollout from_yaml = load_rollout_file(scratch.write("rollout.yaml", full_yaml));
    Rollout from_json = load_rollout_file(scratch.write("rollout.json", full_json));
    CHECK(dump(from_yaml) == dump(from_json));
    CHECK(from_yaml.stages[1].where.line == 24);
    CHECK(from_json.stages[1].where.line == 24);
}

TEST_CASE("rollout file: the model holds what the file says") {
    RolloutScratch scratch;
    Rollout r = load_rollout_file(scratch.write("rollout.yaml", full_yaml));
    CHECK(r.file == scratch.dir() / "rollout.yaml");
    CHECK(r.base_dir == scratch.dir());
    CHECK(r.name == "data-platform");
    CHECK_FALSE(r.converge);
    REQUIRE(r.roots.size() == 1);
    CHECK(r.roots[0].path == scratch.dir() / "infra");
    CHECK(r.roots[0].engine == "terraform");
    CHECK(r.roots[0].where.line == 4);

    const Environment* prod = r.find_environment("prod");
    REQUIRE(prod);
    CHECK(prod->workspace.empty());
    CHECK(prod->directory == "environments/prod");
    CHECK(prod->var_files == std::vector<std::filesystem::path>{scratch.dir() / "prod.tfvars"});
    CHECK(prod->vars == std::map<std::string, std::string>{{"public", "false"}, {"region", "eu-west-1"}, {"replicas", "3"}});
    CHECK(prod->approval == ApprovalRule::manual_when_deleting);
    REQUIRE(prod->policies);
    CHECK(prod->policies->max_changes == 25);
    CHECK(prod->deadline == std::chrono::minutes(90));
    CHECK(prod->git.require_branch == "main");
    CHECK(r.find_environment("dev")->approval == ApprovalRule::auto_approve);
    CHECK_FALSE(r.find_environment("dev")->policies);

    const Stage* data = r.find_stage("data");
    REQUIRE(data);
    CHECK(data->root == "main");
    CHECK(data->needs == Names{"vpc"});  // the default, filled in
    CHECK_FALSE(data->needs_written);
    CHECK(data->vars.at("kafka_broker_count") == "9");
    CHECK(data->approval == ApprovalRule::manual);
    REQUIRE(data->checks.size() == 1);
    CHECK(data->checks[0].name == "kafka is active");
    CHECK(data->checks[0].retries == 3);
    CHECK(data->checks[0].interval == std::chrono::seconds(10));
    CHECK(data->checks[0].command.timeout == std::chrono::milliseconds(250));
    CHECK(data->checks[0].command.cwd.empty());

    const Stage* canary = r.find_stage("canary");
    CHECK(canary->kind == StageKind::command);
    CHECK(canary->root == "main");  // the only root: its outputs feed ${output.NAME}
    CHECK(canary->command.cwd == scratch.dir() / "scripts");
    CHECK(canary->command.timeout == std::chrono::seconds(90));
    CHECK(canary->for_each == Names{"5", "25", "50", "100"});
    CHECK(canary->wait == std::chrono::minutes(5));
    CHECK(canary->checks[0].name == "check 1");
    CHECK(canary->on_failure == OnFailure::rollback);  // implied by the rollback steps
    CHECK(canary->rollback.size() == 1);

    CHECK(r.find_stage("blue-away")->kind == StageKind::destroy);
    CHECK(r.find_stage("blue-away")->needs == Names{"canary", "vpc"});
    CHECK(r.find_stage("everything")->targets.empty());
    CHECK(r.find_stage("everything")->needs.empty());
    CHECK(r.find_stage("everything")->needs_written);
    CHECK(r.find_stage("vpc")->needs.empty());
}

TEST_CASE("rollout file: the root shorthand, workspaces and defaults") {
    RolloutScratch scratch;
    Rollout r = parse_rollout("version: 1\nroot: infra\nenvironments:\n  dev:\nstages:\n  - {name: all, apply: {}}\n  - {name: again, apply: }\n",
                              scratch.dir() / "r.yaml");
    REQUIRE(r.roots.size() == 1);
    CHECK(r.roots[0].name == "main");
    CHECK(r.environments[0].workspace.empty());
    CHECK(r.environments[0].approval == ApprovalRule::manual);
    CHECK(r.stages[0].root == "main");
    CHECK(r.stages[1].needs == Names{"all"});
    CHECK(r.converge);
    CHECK_FALSE(r.environments[0].interrupt_grace);
}

TEST_CASE("rollout file: an environment's interrupt_grace") {
    RolloutScratch scratch;
    Rollout r = parse_rollout("version: 1\nroot: infra\nenvironments:\n  dev:\n  prod: {interrupt_grace: 90s}\n"
                              "stages:\n  - {name: all, apply: {}}\n",
                              scratch.dir() / "r.yaml");
    CHECK_FALSE(r.find_environment("dev")->interrupt_grace);
    REQUIRE(r.find_environment("prod")->interrupt_grace);
    CHECK(*r.find_environment("prod")->interrupt_grace == std::chrono::seconds(90));
}

TEST_CASE("rollout file: durations") {
    CHECK(parse_duration("90s") == std::chrono::seconds(90));
    CHECK(parse_duration("5m") == std::chrono::minutes(5));
    CHECK(parse_duration("1h30m") == std::chrono::minutes(90));
    CHECK(parse_duration("250ms") == std::chrono::milliseconds(250));
    CHECK(parse_duration("1m30s500ms") == std::chrono::milliseconds(90500));
    CHECK(parse_duration("30") == std::chrono::seconds(30));
    CHECK_FALSE(parse_duration(""));
    CHECK_FALSE(parse_duration("5"  "x"));
    CHECK_FALSE(parse_duration("m"));
    CHECK_FALSE(parse_duration("1.5h"));
    CHECK_FALSE(parse_duration("-5s"));
}

TEST_CASE("rollout file: a file that cannot be read") {
    CHECK_THROWS_AS(load_rollout_file("/nonexistent/rollout.yaml"), tfstage::Error);
}

TEST_CASE("rollout file: the example in docs/rollout-file.md is valid") {
    std::ifstream in(std::filesystem::path(TFSTAGE_SOURCE_DIR) / "docs" / "rollout-file.md");
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto begin = doc.find("```yaml\n");
    REQUIRE(begin != std::string::npos);
    begin += 8;
    std::string example = doc.substr(begin, doc.find("```", begin) - begin);

    RolloutScratch scratch;
    std::filesystem::create_directories(scratch.dir() / "environments");
    scratch.write("environments/prod.tfvars", "");
    Rollout r = load_rollout_file(scratch.write("rollout.yaml", example));
    CHECK(r.stages.size() == 5);
    CHECK(r.find_stage("report")->needs.empty());
    CHECK(r.find_stage("retire-blue")->needs == Names{"canary"});
}

TEST_CASE("rollout file: a cdk stage reads app and synth and stacks and concurrency and context") {
    RolloutScratch scratch;
    std::filesystem::create_directories(scratch.dir() / "app");
    const Rollout r = load_rollout_file(scratch.write("rollout.yaml", R"(version: 1
environments: {prod: {deadline: 90m}}
stages:
  - name: synth
    cdk: {dir: app, synth: cdk.out.consolidated, context: {environment: prod}}
    expected: 5m
  - name: apps
    cdk:
      dir: app
      app: cdk.out.consolidated
      deploy: [CeapDataPlatform-prod, CeapServingAPI-prod]
      concurrency: 2
      method: direct
      rollback: false
    approval: manual
    checks:
      - argv: [check, "${output.CeapDataPlatform-prod.IngestQueueUrl}"]
  - name: cleanup
    cdk: {dir: app, app: cdk.out.consolidated, destroy: [Old-prod]}
)"));
    const Stage* synth = r.find_stage("synth");
    REQUIRE(synth != nullptr);
    CHECK(synth->kind == StageKind::cdk);
    CHECK(synth->cdk.dir == scratch.dir() / "app");
    CHECK(synth->cdk.synth == scratch.dir() / "app" / "cdk.out.consolidated");
    CHECK(synth->cdk.synth_only());
    CHECK(synth->cdk.context == std::map<std::string, std::string>{{"environment", "prod"}});
    CHECK(synth->expected == Duration(std::chrono::minutes(5)));
    const Stage* apps = r.find_stage("apps");
    CHECK(apps->cdk.app == "cdk.out.consolidated");
    CHECK(apps->cdk.deploy == Names{"CeapDataPlatform-prod", "CeapServingAPI-prod"});
    CHECK(apps->cdk.concurrency == 2);
    CHECK(apps->cdk.method == "direct");
    CHECK_FALSE(apps->cdk.rollback);
    CHECK(apps->approval == ApprovalRule::manual);
    CHECK(apps->needs == Names{"synth"});
    CHECK(r.find_stage("cleanup")->cdk.destroy == Names{"Old-prod"});
    CHECK(describe_stage(*apps) == "cdk deploy: CeapDataPlatform-prod, CeapServingAPI-prod (concurrency 2); order from the assembly once synthesized");
    CHECK(describe_stage(*synth) == "cdk synth -> cdk.out.consolidated");
}

TEST_CASE("rollout file: every example's rollout file is valid") {
    int files = 0;
    std::filesystem::recursive_directory_iterator it(std::filesystem::path(TFSTAGE_SOURCE_DIR) / "examples");
    for (const auto& entry : it) {
        const auto path = entry.path();
        // npm's packages and synthesized cloud assemblies are not ours.
        if (entry.is_directory() && (path.filename() == "node_modules" || path.filename().string().starts_with("cdk.out"))) {
            it.disable_recursion_pending();
            continue;
        }
        if (path.extension() != ".yaml" || path.string().find("/.") != std::string::npos) continue;
        CAPTURE(path.string());
        const Rollout rollout = load_rollout_file(path);
        CHECK_FALSE(rollout.stages.empty());
        CHECK_FALSE(rollout.environments.empty());
        ++files;
    }
    CHECK(files >= 6);  // seed-000 (rollout, scale-kafka), seed-002, seed-003, ceap-cdk (before, rollout)
}
