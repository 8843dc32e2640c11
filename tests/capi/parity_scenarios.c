/* What the command can do, done from C through the same operations (issue 12, "one operations
 * layer"): validation documents, the run outcome codes, option keys, engine reads (show -json
 * of a saved plan, one output raw, stage suggestion, target expansion), a plan's git commit,
 * the git guard overrides and rollback. terraform_data only where Terraform runs. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>

#include "capi_test.h"

/* Runs a shell line for test setup (git); a failure fails the scenario. */
static int sh(const char* line) {
    int rc = system(line);
    if (rc != 0) {
        fprintf(stderr, "setup command failed (%d): %s\n", rc, line);
        capi_failures++;
    }
    return rc;
}

static int git_commit_all(const char* dir, const char* message) {
    char line[1024];
    snprintf(line, sizeof line,
             "cd '%s' && git add -A && GIT_CONFIG_NOSYSTEM=1 git -c user.name=test -c user.email=test@example.com "
             "commit -q -m '%s'",
             dir, message);
    return sh(line);
}

static int git_init(const char* dir) {
    char line[1024];
    snprintf(line, sizeof line, "cd '%s' && git init -q -b main", dir);
    return sh(line);
}

/* HEAD's full commit id into out (size 64). */
static void git_head(const char* dir, char* out) {
    char line[1024];
    FILE* p;
    out[0] = '\0';
    snprintf(line, sizeof line, "cd '%s' && git rev-parse HEAD", dir);
    p = popen(line, "r");
    if (p == NULL) return;
    if (fgets(out, 64, p) == NULL) out[0] = '\0';
    pclose(p);
    out[strcspn(out, "\n")] = '\0';
}

static const char* kValid =
    "version: 1\nenvironments:\n  dev: {approval: auto}\nstages:\n"
    "  - name: first\n    run: {argv: [\"true\"]}\n"
    "  - name: build\n    cdk: {synth: cdk.out}\n"
    "converge: false\n";

static const char* kInvalid =
    "version: 1\nenvironments:\n  dev: {approval: auto}\nstages:\n"
    "  - name: first\n    run: {argv: [\"true\"]}\n    needs: [nowhere]\n"
    "converge: false\n";

void scenario_validate_and_keys(void) {
    scratch s;
    char path[512];
    char* out = NULL;
    tfs_rollout* rollout = NULL;
    tfs_run* run = NULL;
    if (scratch_make(&s) != 0) return;

    /* A valid file: the same document as `tfstage validate --json`. */
    write_text(s.path, "valid.yaml", kValid);
    join_path(path, s.path, "valid.yaml");
    REQUIRE_OK(tfs_rollout_validate(path, &out));
    CHECK_CONTAINS(out, "\"schema_version\":1");
    CHECK_CONTAINS(out, "\"valid\":true");
    CHECK_CONTAINS(out, "\"problems\":[]");
    CHECK_CONTAINS(out, "\"stages\":2");
    tfs_string_free(out);

    /* A CDK stage is described as "cdk", not "apply". */
    REQUIRE_OK(tfs_rollout_load(&rollout, path));
    REQUIRE_OK(tfs_rollout_describe(rollout, &out));
    CHECK_CONTAINS(out, "\"kind\":\"cdk\"");
    tfs_string_free(out);

    /* An unknown stage is TFS_EINVAL everywhere, as in the runner and the command. */
    CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":\"dev\",\"from\":\"nowhere\"}", NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_approve(rollout, NULL, "nowhere", NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_rollback(rollout, "20000101-000000-0000", "{\"approve\":[\"nowhere\"]}", NULL, NULL, &run),
                 TFS_EINVAL);
    /* rollback: a run is required, unknown keys are refused, an unknown run is not found */
    CHECK_STATUS(tfs_rollout_rollback(rollout, NULL, NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_rollback(rollout, "", NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_rollback(rollout, "x", "{\"environment\":\"dev\"}", NULL, NULL, &run), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "environment");
    CHECK_STATUS(tfs_rollout_rollback(rollout, "20000101-000000-0000", NULL, NULL, NULL, &run), TFS_ENOTFOUND);
    CHECK(run == NULL);
    tfs_rollout_free(rollout);

    /* An invalid file: a result, each problem in the diagnostic shape of tfs_error. */
    write_text(s.path, "invalid.yaml", kInvalid);
    join_path(path, s.path, "invalid.yaml");
    REQUIRE_OK(tfs_rollout_validate(path, &out));
    CHECK_CONTAINS(out, "\"valid\":false");
    CHECK_CONTAINS(out, "\"address\":\"stages[0].needs\"");
    CHECK_CONTAINS(out, "\"severity\":\"error\"");
    CHECK_CONTAINS(out, "invalid.yaml");
    /* ... the very objects tfs_rollout_load reports as its diagnostics */
    CHECK_STATUS(tfs_rollout_load(&rollout, path), TFS_EPARSE);
    {
        const char* diagnostics = tfs_error_last()->diagnostics_json;
        char first[1024];
        size_t length = strcspn(diagnostics + 1, "}") + 1;
        CHECK(diagnostics[0] == '[' && length < sizeof first);
        if (length < sizeof first) {
            memcpy(first, diagnostics + 1, length);
            first[length] = '\0';
            CHECK_CONTAINS(out, first);
        }
    }
    tfs_string_free(out);
    join_path(path, s.path, "missing.yaml");
    CHECK_STATUS(tfs_rollout_validate(path, &out), TFS_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_STATUS(tfs_rollout_validate(NULL, &out), TFS_EINVAL);

    /* The option keys of the new operations. */
    REQUIRE_OK(tfs_options_keys("run", &out));
    CHECK_CONTAINS(out, "\"allow_dirty\"");
    CHECK_CONTAINS(out, "\"allow_branch\"");
    CHECK_CONTAINS(out, "\"allow_behind\"");
    CHECK_CONTAINS(out, "\"changed_since\"");
    tfs_string_free(out);
    REQUIRE_OK(tfs_options_keys("rollback", &out));
    CHECK_CONTAINS(out, "\"approve\"");
    CHECK(strstr(out, "\"environment\"") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_options_keys("plan_source", &out));
    CHECK_CONTAINS(out, "\"plan\"");
    CHECK_CONTAINS(out, "\"var_files\"");
    tfs_string_free(out);

    /* NULL handles and arguments of the new functions: TFS_EINVAL, out parameters NULL. */
    out = (char*)"untouched";
    CHECK_STATUS(tfs_engine_show_plan(NULL, "x.tfplan", &out), TFS_EINVAL);
    CHECK(out == NULL);
    CHECK_STATUS(tfs_engine_output_raw(NULL, "x", 0, &out), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_stages_suggest(NULL, NULL, &out), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_targets_expand(NULL, "terraform_data", NULL, &out), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_rollback(NULL, "x", NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK(run == NULL);
    CHECK_STATUS(tfs_rollout_validate(path, NULL), TFS_EINVAL);
    CHECK(out == NULL);

    /* The run outcome of an unconverged rollout has its own code (the command exits 6). */
    CHECK(strcmp(tfs_status_name(TFS_EUNCONVERGED), "TFS_EUNCONVERGED") == 0);
    scratch_remove(&s);
}

/* --- with Terraform ------------------------------------------------------------------------ */

static const char* kModuleRoot =
    "module \"net\" {\n  source = \"./modules/net\"\n}\n"
    "module \"app\" {\n  source = \"./modules/app\"\n  net_id = module.net.id\n}\n"
    "resource \"terraform_data\" \"a\" {\n  input = \"alpha\"\n}\n"
    "variable \"secret\" {\n  type = string\n  default = \"hush\"\n  sensitive = true\n}\n"
    "output \"a_input\" {\n  value = terraform_data.a.output\n}\n"
    "output \"secret\" {\n  value = var.secret\n  sensitive = true\n}\n";

static tfs_engine* open_module_root(scratch* s) {
    char dir[512];
    if (scratch_make(s) != 0) return NULL;
    write_text(s->path, "main.tf", kModuleRoot);
    join_path(dir, s->path, "modules");
    write_text(dir, ".keep", "");
    join_path(dir, s->path, "modules/net");
    write_text(dir, "main.tf", "resource \"terraform_data\" \"n\" {}\noutput \"id\" {\n  value = terraform_data.n.id\n}\n");
    join_path(dir, s->path, "modules/app");
    write_text(dir, "main.tf", "variable \"net_id\" {}\nresource \"terraform_data\" \"x\" {\n  input = var.net_id\n}\n");
    return open_initialised(s->path);
}

void scenario_engine_reads(void) {
    scratch s;
    tfs_plan* plan = NULL;
    char* out = NULL;
    char plan_file[512];
    char options[1024];
    tfs_engine* engine = open_module_root(&s);
    if (engine == NULL) return;

    /* stages suggest: net before app (app uses net) */
    REQUIRE_OK(tfs_engine_stages_suggest(engine, NULL, &out));
    CHECK_CONTAINS(out, "\"groups\":[[\"net\"],[\"app\"]]");
    CHECK_CONTAINS(out, "\"depends_on\"");
    tfs_string_free(out);
    CHECK_STATUS(tfs_engine_stages_suggest(engine, "{\"nope\":1}", &out), TFS_EINVAL);

    /* targets expand: a bare type selects every resource of that type the root knows, in every
     * module; a pattern only where it says */
    REQUIRE_OK(tfs_engine_targets_expand(engine, "terraform_data", NULL, &out));
    CHECK_CONTAINS(out, "\"addresses\":[\"module.app.terraform_data.x\",\"module.net.terraform_data.n\",\"terraform_data.a\"]");
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_targets_expand(engine, "module.*.terraform_data.*", NULL, &out));
    CHECK_CONTAINS(out, "\"addresses\":[\"module.app.terraform_data.x\",\"module.net.terraform_data.n\"]");
    tfs_string_free(out);
    CHECK_STATUS(tfs_engine_targets_expand(engine, "module.[", NULL, &out), TFS_EPARSE);

    /* show -json of a saved plan: the engine's whole document */
    join_path(plan_file, s.path, "saved.tfplan");
    snprintf(options, sizeof options, "{\"out\":\"%s\"}", plan_file);
    REQUIRE_OK(tfs_engine_plan(engine, options, &plan));
    REQUIRE_OK(tfs_engine_show_plan(engine, plan_file, &out));
    CHECK_CONTAINS(out, "\"format_version\"");
    CHECK_CONTAINS(out, "\"resource_changes\"");
    CHECK_CONTAINS(out, "\"configuration\"");
    tfs_string_free(out);
    /* ... the same plan read from its own JSON: stages suggested from the saved plan */
    snprintf(options, sizeof options, "{\"plan\":\"%s\"}", plan_file);
    REQUIRE_OK(tfs_engine_stages_suggest(engine, options, &out));
    CHECK_CONTAINS(out, "\"net\"");
    tfs_string_free(out);
    CHECK_STATUS(tfs_engine_show_plan(engine, s.path, &out), TFS_ENOTFOUND);
    CHECK_STATUS(tfs_engine_show_plan(engine, "/nonexistent/x.tfplan", &out), TFS_ENOTFOUND);
    CHECK(out == NULL);

    /* one output, raw; a sensitive one only when asked for */
    REQUIRE_OK(tfs_engine_apply(engine, plan, NULL));
    REQUIRE_OK(tfs_engine_output_raw(engine, "a_input", 0, &out));
    CHECK(strcmp(out, "alpha") == 0);
    tfs_string_free(out);
    CHECK_STATUS(tfs_engine_output_raw(engine, "secret", 0, &out), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "sensitive");
    CHECK(strstr(tfs_error_last()->message, "hush") == NULL);
    CHECK(out == NULL);
    REQUIRE_OK(tfs_engine_output_raw(engine, "secret", 1, &out));
    CHECK(strcmp(out, "hush") == 0);
    tfs_string_free(out);
    CHECK_STATUS(tfs_engine_output_raw(engine, "no_such_output", 0, &out), TFS_ENOTFOUND);
    CHECK_STATUS(tfs_engine_output_raw(engine, NULL, 0, &out), TFS_EINVAL);
    tfs_plan_free(plan);
    tfs_engine_free(engine);
    scratch_remove(&s);
}

/* A plan made from C records the configuration's git commit. */
void scenario_plan_git_commit(void) {
    scratch s;
    tfs_engine* engine = NULL;
    tfs_plan* plan = NULL;
    char* provenance = NULL;
    char head[64];
    if (scratch_make(&s) != 0) return;
    write_text(s.path, "main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"one\"\n}\n");
    write_text(s.path, ".gitignore", ".terraform/\n.terraform.lock.hcl\n");
    if (git_init(s.path) != 0 || git_commit_all(s.path, "the configuration") != 0) return;
    git_head(s.path, head);
    CHECK(strlen(head) == 40);
    engine = open_initialised(s.path);
    if (engine == NULL) return;
    REQUIRE_OK(tfs_engine_plan(engine, NULL, &plan));
    REQUIRE_OK(tfs_plan_provenance(plan, &provenance));
    CHECK_CONTAINS(provenance, "\"git\":{");
    CHECK_CONTAINS(provenance, head);
    CHECK_CONTAINS(provenance, "\"branch\":\"main\"");
    CHECK_CONTAINS(provenance, "\"dirty\":false");
    tfs_string_free(provenance);
    tfs_plan_free(plan);
    tfs_engine_free(engine);
    scratch_remove(&s);
}

static const char* kGuardedRollout =
    "version: 1\nroot: infra\n"
    "environments:\n"
    "  dev: {approval: auto}\n"
    "  clean: {workspace: clean, approval: auto, git: {require_clean: true}}\n"
    "stages:\n  - name: app\n    apply: {}\n";

static int run_once(tfs_rollout* rollout, const char* options, char* id_out) {
    tfs_run* run = NULL;
    const char* id = NULL;
    int outcome = TFS_ERROR;
    int rc = tfs_rollout_run(rollout, options, NULL, NULL, &run);
    if (rc != TFS_OK) return rc;
    tfs_run_outcome(run, &outcome, NULL);
    tfs_run_id(run, &id);
    if (id_out != NULL && id != NULL) snprintf(id_out, 64, "%s", id);
    tfs_run_free(run);
    return outcome;
}

/* Git guard overrides, changed_since and rollback, from C. */
void scenario_rollout_git(void) {
    scratch s;
    tfs_rollout* rollout = NULL;
    tfs_run* run = NULL;
    char path[512];
    char infra[512];
    char options[1024];
    char first_run[64] = "";
    char second_run[64] = "";
    char first_commit[64];
    char* journal = NULL;
    int outcome = TFS_ERROR;
    const char* word = NULL;
    if (scratch_make(&s) != 0) return;
    join_path(infra, s.path, "infra");
    write_text(infra, "main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"one\"\n}\n");
    write_text(s.path, "rollout.yaml", kGuardedRollout);
    write_text(s.path, ".gitignore", ".terraform/\n.terraform.lock.hcl\n.tfstage/\nterraform.tfstate*\n");
    if (git_init(s.path) != 0 || git_commit_all(s.path, "one") != 0) return;
    git_head(s.path, first_commit);
    join_path(path, s.path, "rollout.yaml");
    REQUIRE_OK(tfs_rollout_load(&rollout, path));

    snprintf(options, sizeof options, "{\"environment\":\"dev\",\"cli_config\":\"%s\"}", cli_config());
    CHECK_STATUS(run_once(rollout, options, first_run), TFS_OK);
    write_text(infra, "main.tf", "resource \"terraform_data\" \"a\" {\n  input = \"two\"\n}\n");
    if (git_commit_all(s.path, "two") != 0) return;
    CHECK_STATUS(run_once(rollout, options, second_run), TFS_OK);

    /* changed_since: accepted, and an unknown revision is refused before anything runs */
    snprintf(options, sizeof options, "{\"environment\":\"dev\",\"changed_since\":\"HEAD\",\"cli_config\":\"%s\"}",
             cli_config());
    CHECK_STATUS(run_once(rollout, options, NULL), TFS_OK);
    snprintf(options, sizeof options,
             "{\"environment\":\"dev\",\"changed_since\":\"no-such-ref\",\"cli_config\":\"%s\"}", cli_config());
    CHECK_STATUS(run_once(rollout, options, NULL), TFS_EINVAL);

    /* require_clean refuses a dirty tree; allow_dirty goes on (journaled) */
    write_text(infra, "notes.txt", "uncommitted\n");
    snprintf(options, sizeof options, "{\"environment\":\"clean\",\"cli_config\":\"%s\"}", cli_config());
    CHECK_STATUS(run_once(rollout, options, NULL), TFS_EPOLICY);
    snprintf(options, sizeof options, "{\"environment\":\"clean\",\"allow_dirty\":true,\"cli_config\":\"%s\"}",
             cli_config());
    REQUIRE_OK(tfs_rollout_run(rollout, options, NULL, NULL, &run));
    REQUIRE_OK(tfs_run_outcome(run, &outcome, NULL));
    CHECK(outcome == TFS_OK);
    REQUIRE_OK(tfs_run_journal(run, &journal));
    CHECK_CONTAINS(journal, "allow-dirty");
    tfs_string_free(journal);
    tfs_run_free(run);

    /* rollback of the second run: the first run's commit, applied again */
    snprintf(options, sizeof options, "{\"cli_config\":\"%s\"}", cli_config());
    REQUIRE_OK(tfs_rollout_rollback(rollout, second_run, options, NULL, NULL, &run));
    REQUIRE_OK(tfs_run_outcome(run, &outcome, &word));
    CHECK(outcome == TFS_OK);
    REQUIRE_OK(tfs_run_journal(run, &journal));
    CHECK_CONTAINS(journal, "\"kind\":\"rollback\"");
    CHECK_CONTAINS(journal, "\"rollback_of\":\"");
    CHECK_CONTAINS(journal, second_run);
    CHECK_CONTAINS(journal, first_commit);
    CHECK_CONTAINS(journal, "\"schema_version\":1");
    tfs_string_free(journal);
    tfs_run_free(run);
    tfs_rollout_free(rollout);
    scratch_remove(&s);
}
