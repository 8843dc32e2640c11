// Invalid rollout files: each gives its precise problem (line, key path, message).
#include <doctest/doctest.h>

#include "rollout/rollout_file.hpp"
#include "rollout/scratch.hpp"

using namespace tfstage::rollout;
using tfstage::test::RolloutScratch;

namespace {

// Lines 1-5; stages follow from line 6.
const std::string head = "version: 1\nroot: infra\nenvironments:\n  prod: {workspace: prod}\nstages:\n";

struct Case {
    const char* what;
    std::string text;
    int line;
    const char* key;
    const char* message;  // a fragment of the message
};

const std::vector<Case> cases = {
    {"empty file", "", 0, "", "the file is empty"},
    {"top level is a list", "- a\n- b\n", 1, "", "expected a map at the top level"},
    {"not YAML", "version: [1\n", 2, "", "not valid YAML or JSON"},
    {"version missing", "root: infra\nenvironments: {prod: {}}\nstages: [{name: a, apply: all}]\n", 1, "version", "missing required key 'version'"},
    {"version 2", "version: 2\nroot: infra\nenvironments: {prod: {}}\nstages: [{name: a, apply: all}]\n", 1, "version", "unsupported version 2"},
    {"unknown top-level key", "version: 1\nroot: infra\nenvironment: {prod: {}}\nenvironments: {prod: {}}\nstages: [{name: a, apply: all}]\n", 3,
     "environment", "did you mean 'environments'?"},
    {"unknown key in apply", head + "  - name: vpc\n    apply:\n      target: [module.vpc]\n", 8, "stages[0].apply.target", "did you mean 'targets'?"},
    {"unknown key without a near one", head + "  - name: vpc\n    apply: all\n    colour: blue\n", 8, "stages[0].colour", "unknown key 'colour' (known keys: name, apply"},
    {"targets not a list", head + "  - name: vpc\n    apply: {targets: module.vpc}\n", 7, "stages[0].apply.targets", "expected a list, found a scalar"},
    {"needs a map", head + "  - name: vpc\n    apply: all\n    needs: {a: b}\n", 8, "stages[0].needs", "expected a stage name or a list of them"},
    {"retries not an integer", head + "  - name: vpc\n    apply: all\n    checks:\n      - argv: [true]\n        retries: many\n", 10,
     "stages[0].checks[0].retries", "expected an integer, found 'many'"},
    {"converge not a boolean", "version: 1\nroot: infra\nenvironments: {prod: {}}\nstages: [{name: a, apply: all}]\nconverge: maybe\n", 5, "converge",
     "expected a boolean"},
    {"bad duration", head + "  - name: vpc\n    apply: all\n    deadline: 5 minutes\n", 8, "stages[0].deadline", "expected a duration such as 90s"},
    {"stage without a name", head + "  - apply: all\n", 6, "stages[0].name", "missing required key 'name'"},
    {"invalid stage name", head + "  - name: deploy vpc\n    apply: all\n", 6, "stages[0].name", "invalid stage name 'deploy vpc'"},
    {"duplicate stage name", head + "  - name: vpc\n    apply: all\n  - name: vpc\n    apply: all\n", 8, "stages[1].name",
     "duplicate stage name 'vpc' (first used at line 6)"},
    {"unknown stage in needs", head + "  - name: vpc\n    apply: all\n  - name: data\n    needs: [vcp]\n    apply: all\n", 9, "stages[1].needs",
     "unknown stage 'vcp' in needs; did you mean 'vpc'?"},
    {"cycle in needs", head + "  - name: a\n    needs: c\n    apply: all\n  - name: b\n    apply: all\n  - name: c\n    apply: all\n", 7, "stages[0].needs",
     "the needs form a cycle: a -> c -> b -> a"},
    {"unknown root", head + "  - name: vpc\n    root: network\n    apply: all\n", 7, "stages[0].root", "unknown root 'network' (roots: main)"},
    {"root directory missing", "version: 1\nroots:\n  net: {path: nowhere}\nenvironments: {prod: {}}\nstages: [{name: a, apply: all}]\n", 3,
     "roots.net.path", "root directory"},
    {"several roots and no root on a stage",
     "version: 1\nroots:\n  a: infra\n  b: {path: infra}\nenvironments: {prod: {}}\nstages:\n  - name: x\n    apply: all\n", 7, "stages[0].root",
     "the file has several roots (roots: a, b)"},
    {"apply without any root", "version: 1\nenvironments: {prod: {}}\nstages:\n  - name: x\n    apply: all\n", 4, "stages[0]",
     "apply needs a root, and the file defines none"},
    {"interrupt_grace too short", "version: 1\nroot: infra\nenvironments:\n  prod:\n    interrupt_grace: 500ms\nstages: [{name: a, apply: all}]\n", 5,
     "environments.prod.interrupt_grace", "interrupt_grace must be between 1s and 1h"},
    {"interrupt_grace not a duration", "version: 1\nroot: infra\nenvironments:\n  prod:\n    interrupt_grace: soon\nstages: [{name: a, apply: all}]\n", 5,
     "environments.prod.interrupt_grace", "expected a duration such as 90s"},
    {"workspace and directory", "version: 1\nroot: infra\nenvironments:\n  prod:\n    workspace: prod\n    directory: environments/prod\nstages: [{name: a, apply: all}]\n",
     6, "environments.prod.directory", "a workspace or a directory, not both"},
    {"missing var file", "version: 1\nroot: infra\nenvironments:\n  prod:\n    var_files: [prod.tfvars, missing.tfvars]\nstages: [{name: a, apply: all}]\n", 5,
     "environments.prod.var_files[1]", "missing.tfvars not found"},
    {"environment directory missing", "version: 1\nroot: infra\nenvironments:\n  staging:\n    directory: environments/staging\nstages: [{name: a, apply: all}]\n",
     5, "environments.staging.directory", "does not exist in root 'main'"},
    {"unknown approval rule", "version: 1\nroot: infra\nenvironments:\n  prod:\n    approval: sometimes\nstages: [{name: a, apply: all}]\n", 5,
     "environments.prod.approval", "expected auto, manual or manual-when-deleting"},
    {"unknown policy key", "version: 1\nroot: infra\nenvironments:\n  prod:\n    policies:\n      max_change: 3\nstages: [{name: a, apply: all}]\n", 6,
     "environments.prod.policies.max_change", "did you mean 'max_changes'?"},
    {"bad policy pattern", "version: 1\nroot: infra\nenvironments:\n  prod:\n    policies:\n      deny_delete: ['module..x']\nstages: [{name: a, apply: all}]\n",
     6, "environments.prod.policies.deny_delete[0]", "invalid resource address 'module..x'"},
    {"invalid target address", head + "  - name: vpc\n    apply:\n      targets: ['module.vpc[']\n", 8, "stages[0].apply.targets[0]",
     "invalid resource address 'module.vpc['"},
    {"bare type target", head + "  - name: sg\n    apply:\n      targets:\n        - module.vpc\n        - aws_security_group\n", 10,
     "stages[0].apply.targets[1]", "'aws_security_group' is a bare resource type, which Terraform rejects as a target"},
    {"bare type exclude", head + "  - name: sg\n    apply: {excludes: [module.a.aws_instance]}\n", 7, "stages[0].apply.excludes[0]",
     "such as 'module.a.aws_instance.NAME'"},
    {"destroy without targets", head + "  - name: blue\n    destroy: {}\n", 7, "stages[0].destroy.targets", "missing required key 'targets'"},
    {"destroy with an empty target list", head + "  - name: blue\n    destroy: {targets: []}\n", 7, "stages[0].destroy.targets", "at least one target"},
    {"apply with a word", head + "  - name: vpc\n    apply: everything\n", 7, "stages[0].apply", "expected a map with targets and excludes, {} or 'all'"},
    {"cdk stage that does nothing", head + "  - name: app\n    cdk: {context: {environment: prod}}\n", 7, "stages[0].cdk",
     "a cdk stage needs synth, deploy or destroy"},
    {"cdk stage deploys and destroys", head + "  - name: app\n    cdk:\n      deploy: [Api]\n      destroy: [Old]\n", 9,
     "stages[0].cdk.destroy", "a cdk stage deploys or destroys, not both"},
    {"cdk concurrency 0", head + "  - name: app\n    cdk: {deploy: [Api], concurrency: 0}\n", 7, "stages[0].cdk.concurrency",
     "expected an integer from 1 to 100"},
    {"cdk unknown method", head + "  - name: app\n    cdk: {deploy: [Api], method: quick}\n", 7, "stages[0].cdk.method",
     "unknown method 'quick'; expected direct, change-set or prepare-change-set"},
    {"cdk misspelt key", head + "  - name: app\n    cdk: {deploy: [Api], concurency: 2}\n", 7, "stages[0].cdk.concurency",
     "did you mean 'concurrency'?"},
    {"cdk stack pattern", head + "  - name: app\n    cdk: {deploy: [\"Ceap*\"]}\n", 7, "stages[0].cdk.deploy[0]",
     "'Ceap*' is not a stack name"},
    {"cdk empty stack list", head + "  - name: app\n    cdk: {destroy: []}\n", 7, "stages[0].cdk.destroy", "expected at least one stack name"},
    {"cdk app directory missing", head + "  - name: app\n    cdk: {dir: nowhere, synth: true}\n", 7, "stages[0].cdk.dir",
     "the CDK app directory"},
    {"vars on a cdk stage", head + "  - name: app\n    cdk: {deploy: [Api]}\n    vars: {a: b}\n", 8, "stages[0].vars",
     "a cdk stage takes cdk.context"},
    {"no body", head + "  - name: vpc\n    needs: []\n    deadline: 5m\n", 6, "stages[0]", "a stage needs one of apply, destroy, run or cdk"},
    {"two bodies", head + "  - name: vpc\n    apply: all\n    run: {argv: [true]}\n", 8, "stages[0].run", "found both apply and run"},
    {"run without argv", head + "  - name: shift\n    run: {env: {A: b}}\n", 7, "stages[0].run.argv", "missing required key 'argv'"},
    {"run with empty argv", head + "  - name: shift\n    run: {argv: []}\n", 7, "stages[0].run.argv", "expected at least the program"},
    {"argv as a string", head + "  - name: shift\n    run:\n      argv: scripts/shift.sh 5\n", 8, "stages[0].run.argv", "expected a list, found a scalar"},
    {"unknown placeholder", head + "  - name: shift\n    run:\n      argv: [shift.sh, '${region}']\n", 8, "stages[0].run.argv[1]",
     "unknown placeholder '${region}'"},
    {"item outside for_each", head + "  - name: shift\n    run:\n      argv: [shift.sh]\n      env: {WEIGHT: '${item}'}\n", 9, "stages[0].run.env.WEIGHT",
     "${item} is only set in a stage with for_each"},
    {"unterminated placeholder in a check", head + "  - name: vpc\n    apply: all\n    checks:\n      - argv: [curl, '${output.url']\n", 9,
     "stages[0].checks[0].argv[1]", "unterminated '${'"},
    {"for_each on an apply stage", head + "  - name: vpc\n    apply: all\n    for_each: [1, 2]\n", 8, "stages[0].for_each", "for_each is only for run stages"},
    {"wait on a destroy stage", head + "  - name: blue\n    destroy: {targets: [module.blue]}\n    wait: 5m\n", 8, "stages[0].wait", "wait is only for run stages"},
    {"on_failure rollback without steps", head + "  - name: vpc\n    apply: all\n    on_failure: rollback\n", 8, "stages[0].on_failure",
     "needs rollback steps"},
    {"unknown on_failure", head + "  - name: vpc\n    apply: all\n    on_failure: retry\n", 8, "stages[0].on_failure", "expected stop or rollback"},
    {"vars not scalars", "version: 1\nroot: infra\nenvironments:\n  prod:\n    vars: {tags: [a, b]}\nstages: [{name: a, apply: all}]\n", 5,
     "environments.prod.vars.tags", "expected a string, found a list"},
    {"duplicate key", head + "  - name: vpc\n    apply: all\n    deadline: 5m\n    deadline: 10m\n", 9, "stages[0].deadline",
     "duplicate key (first written at line 8)"},
    {"stages not a list", "version: 1\nroot: infra\nenvironments: {prod: {}}\nstages: {vpc: {apply: all}}\n", 4, "stages", "expected a list, found a map"},
    {"expect_exit out of range", head + "  - name: vpc\n    apply: all\n    checks: [{argv: [true], expect_exit: 300}]\n", 8,
     "stages[0].checks[0].expect_exit", "expected an integer from 0 to 255"},
    {"JSON: unknown key", "{\n  \"version\": 1,\n  \"root\": \"infra\",\n  \"environments\": {\"prod\": {}},\n  \"stages\": [\n    {\"name\": \"a\",\n     \"aply\": {}}\n  ]\n}\n",
     7, "stages[0].aply", "did you mean 'apply'?"},
    {"JSON: syntax error", "{\n  \"version\": 1,\n  \"root\": \"infra\"\n  \"stages\": []\n}\n", 4, "", "not valid YAML or JSON"},
};

std::vector<Problem> problems_of(const std::string& text) {
    RolloutScratch scratch;
    try {
        load_rollout_file(scratch.write("rollout.yaml", text));
    } catch (const ValidationError& e) {
        CHECK(e.code() == tfstage::ErrorCode::invalid_argument);
        return e.problems();
    }
    return {};
}

}  // namespace

TEST_CASE("invalid rollout files: each gives its precise problem") {
    for (const auto& c : cases) {
        std::string what = c.what;
        CAPTURE(what);
        auto problems = problems_of(c.text);
        REQUIRE(problems.size() == 1);
        const Problem& p = problems[0];
        CAPTURE(p.str());
        CHECK(p.where.line == c.line);
        CHECK(p.key == c.key);
        CHECK(p.message.find(c.message) != std::string::npos);
        CHECK(p.where.file.ends_with("rollout.yaml"));
    }
}

TEST_CASE("invalid rollout files: every problem at once, one per line") {
    RolloutScratch scratch;
    auto file = scratch.write("rollout.yaml", head + "  - name: vpc\n    aply: all\n  - name: data\n    needs: nope\n    apply: {targets: [aws_vpc]}\n");
    try {
        load_rollout_file(file);
        FAIL("expected a ValidationError");
    } catch (const ValidationError& e) {
        REQUIRE(e.problems().size() == 3);
        std::string f = file.string();
        CHECK(std::string(e.what()) ==
              f + ":7:5: stages[0].aply: unknown key 'aply'; did you mean 'apply'?\n" +
              f + ":10:23: stages[1].apply.targets[0]: " + e.problems()[1].message + "\n" +
              f + ":9:12: stages[1].needs: unknown stage 'nope' in needs (stages: vpc, data)");
    }
}

TEST_CASE("problem: str without a line or a key") {
    CHECK(Problem{{"r.yaml", 0, 0}, "", "the file is empty"}.str() == "r.yaml: the file is empty");
    CHECK(Problem{{"r.yaml", 3, 7}, "stages[0].needs", "unknown"}.str() == "r.yaml:3:7: stages[0].needs: unknown");
}
