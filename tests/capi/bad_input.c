/* Bad input never crashes: NULL handles and strings, freed and foreign handles, invalid JSON,
 * schema versions, unknown keys and wrong types. Pure: no engine runs. */
#include <stdlib.h>

#include "capi_test.h"

/* A plan as `show -json` writes it: one create, a sensitive output whose value must never
 * come out of the library. */
static const char* kPlanJson =
    "{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned_values\":{},"
    "\"resource_changes\":[{\"address\":\"module.app.terraform_data.a\",\"module_address\":\"module.app\","
    "\"mode\":\"managed\",\"type\":\"terraform_data\",\"name\":\"a\",\"provider_name\":\"terraform.io/builtin/terraform\","
    "\"change\":{\"actions\":[\"create\"],\"before\":null,\"after\":{\"input\":\"x\"},\"after_unknown\":{},"
    "\"before_sensitive\":false,\"after_sensitive\":{}}},"
    "{\"address\":\"terraform_data.gone\",\"mode\":\"managed\",\"type\":\"terraform_data\",\"name\":\"gone\","
    "\"provider_name\":\"terraform.io/builtin/terraform\",\"change\":{\"actions\":[\"delete\"],\"before\":{},"
    "\"after\":null,\"after_unknown\":{},\"before_sensitive\":{},\"after_sensitive\":false}}],"
    "\"output_changes\":{\"password\":{\"actions\":[\"create\"],\"before\":null,\"after\":\"s3cr3t-value\","
    "\"after_unknown\":false,\"before_sensitive\":false,\"after_sensitive\":true}}}";

static tfs_plan* open_plan(void) {
    tfs_plan* plan = NULL;
    int rc = tfs_plan_open_json(&plan, kPlanJson, strlen(kPlanJson));
    if (rc != TFS_OK) {
        fprintf(stderr, "tfs_plan_open_json: %s: %s\n", tfs_status_name(rc), tfs_error_last()->message);
        capi_failures++;
    }
    return plan;
}

void scenario_errors(void) {
    const tfs_error* e;
    CHECK(strcmp(tfs_version(), TFS_VERSION) == 0);
    CHECK(strcmp(tfs_status_name(TFS_EINVAL), "TFS_EINVAL") == 0);
    CHECK(strcmp(tfs_status_name(TFS_EIO), "TFS_EIO") == 0);
    CHECK(strcmp(tfs_status_name(12345), "TFS_UNKNOWN") == 0);
    e = tfs_error_last();
    CHECK(e != NULL);
    CHECK(e->code == TFS_OK);
    CHECK(e->message != NULL && e->message[0] == '\0');
    CHECK(e->diagnostics_json != NULL && strcmp(e->diagnostics_json, "[]") == 0);
    CHECK_STATUS(tfs_address_parse(NULL, NULL), TFS_EINVAL);
    e = tfs_error_last();
    CHECK(e->code == TFS_EINVAL);
    CHECK(e->message[0] != '\0');
    /* a successful call does not clear the last error */
    {
        char* out = NULL;
        CHECK_STATUS(tfs_address_parse("aws_instance.web", &out), TFS_OK);
        tfs_string_free(out);
        CHECK(tfs_error_last()->code == TFS_EINVAL);
    }
    tfs_error_clear();
    CHECK(tfs_error_last()->code == TFS_OK);
    CHECK(strcmp(tfs_error_last()->message, "") == 0);
    CHECK(strcmp(tfs_error_last()->diagnostics_json, "[]") == 0);
    tfs_string_free(NULL);
}

void scenario_null_arguments(void) {
    char* s = (char*)"sentinel";
    const char* cs = "sentinel";
    int n = 7;
    tfs_engine* engine = (tfs_engine*)1;
    tfs_plan* plan = (tfs_plan*)1;
    tfs_rollout* rollout = (tfs_rollout*)1;
    tfs_run* run = (tfs_run*)1;

    /* frees accept NULL */
    tfs_engine_free(NULL);
    tfs_plan_free(NULL);
    tfs_rollout_free(NULL);
    tfs_run_free(NULL);

    /* engine */
    CHECK_STATUS(tfs_engine_open(NULL, ".", NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_open(&engine, NULL, NULL), TFS_EINVAL);
    CHECK(engine == NULL);
    CHECK_STATUS(tfs_engine_set_event_callback(NULL, NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_cancel(NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_version(NULL, &s), TFS_EINVAL);
    CHECK(s == NULL);
    CHECK_STATUS(tfs_engine_init(NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_list(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_show(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_new(NULL, "x"), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_select(NULL, "x"), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_select_or_create(NULL, "x"), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_workspace_delete(NULL, "x", 0), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_plan(NULL, NULL, &plan), TFS_EINVAL);
    CHECK(plan == NULL);
    CHECK_STATUS(tfs_engine_apply(NULL, NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_destroy(NULL, NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_show_state(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_outputs(NULL, 0, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_validate(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_state_list(NULL, NULL, &s), TFS_EINVAL);

    /* a live engine with NULL strings and out parameters: refused before anything runs */
    engine = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", NULL), TFS_OK);
    if (engine != NULL) {
        CHECK_STATUS(tfs_engine_version(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_list(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_show(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_new(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_new(engine, ""), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_select(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_select_or_create(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_workspace_delete(engine, NULL, 1), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_plan(engine, NULL, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_apply(engine, NULL, &s), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_show_state(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_outputs(engine, 0, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_validate(engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_state_list(engine, NULL, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_open_saved(&plan, engine, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_open_saved(NULL, engine, "x.plan"), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_open_saved(&plan, engine, "/nonexistent/x.plan"), TFS_ENOTFOUND);
        CHECK_STATUS(tfs_engine_set_event_callback(engine, NULL, NULL), TFS_OK);
        CHECK_STATUS(tfs_engine_cancel(engine), TFS_OK); /* idle: no effect */
        tfs_engine_free(engine);
        CHECK_STATUS(tfs_engine_cancel(engine), TFS_EINVAL); /* freed */
    }

    /* plan */
    CHECK_STATUS(tfs_plan_open_json_file(NULL, "x"), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_open_json_file(&plan, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_open_json(NULL, "{}", 2), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_open_json(&plan, NULL, 0), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_open_saved(NULL, NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_open_saved(&plan, NULL, "x.plan"), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_changes_present(NULL, &n), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_file(NULL, &cs), TFS_EINVAL);
    CHECK(cs == NULL);
    CHECK_STATUS(tfs_plan_summary(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_changes(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_provenance(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_hash(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_render(NULL, TFS_RENDER_TEXT, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_plan_evaluate_policy(NULL, "max_changes: 1", &s), TFS_EINVAL);

    /* a live plan with NULL out parameters and strings */
    plan = open_plan();
    if (plan != NULL) {
        CHECK_STATUS(tfs_plan_changes_present(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_file(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_summary(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_changes(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_provenance(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_hash(plan, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_render(plan, TFS_RENDER_TEXT, NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_evaluate_policy(plan, NULL, &s), TFS_EINVAL);
        CHECK_STATUS(tfs_plan_evaluate_policy(plan, "max_changes: 1", NULL), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_apply(NULL, plan, NULL), TFS_EINVAL);
        tfs_plan_free(plan);
    }

    /* address */
    CHECK_STATUS(tfs_address_parse(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_address_parse("aws_instance.a", NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_address_match(NULL, "aws_instance.a", &n), TFS_EINVAL);
    CHECK_STATUS(tfs_address_match("aws_instance.a", NULL, &n), TFS_EINVAL);
    CHECK_STATUS(tfs_address_match("aws_instance.a", "aws_instance.a", NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_address_expand(NULL, "[]", &s), TFS_EINVAL);
    CHECK_STATUS(tfs_address_expand("aws_instance", NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_address_expand("aws_instance", "[]", NULL), TFS_EINVAL);

    /* rollout */
    CHECK_STATUS(tfs_rollout_load(NULL, "x.yaml"), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_load(&rollout, NULL), TFS_EINVAL);
    CHECK(rollout == NULL);
    CHECK_STATUS(tfs_rollout_describe(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_graph(NULL, "dot", &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_run(NULL, "{}", NULL, NULL, &run), TFS_EINVAL);
    CHECK(run == NULL);
    CHECK_STATUS(tfs_rollout_resume(NULL, NULL, NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_approve(NULL, NULL, "stage", NULL, NULL, NULL, &run), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_approve(NULL, NULL, NULL, NULL, NULL, NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_cancel(NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_run_id(NULL, &cs), TFS_EINVAL);
    CHECK_STATUS(tfs_run_outcome(NULL, &n, &cs), TFS_EINVAL);
    CHECK_STATUS(tfs_run_journal(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_status(NULL, NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_status(".", NULL, NULL), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_history(NULL, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_history(".", NULL), TFS_EINVAL);
    CHECK(tfs_error_last()->code == TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "NULL");
}

void scenario_freed_handles(void) {
    char* s = NULL;
    int n = 0;
    const char* cs = NULL;
    tfs_plan* plan = open_plan();
    struct {
        long words[16];
    } foreign;
    memset(&foreign, 0, sizeof foreign);
    if (plan == NULL) return;
    CHECK_STATUS(tfs_plan_changes_present(plan, &n), TFS_OK);
    tfs_plan_free(plan);
    /* a freed handle: TFS_EINVAL, never a crash */
    CHECK_STATUS(tfs_plan_changes_present(plan, &n), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "not a live tfs_plan");
    CHECK_STATUS(tfs_plan_summary(plan, &s), TFS_EINVAL);
    CHECK(s == NULL);
    CHECK_STATUS(tfs_plan_file(plan, &cs), TFS_EINVAL);
    tfs_plan_free(plan); /* twice: ignored */
    /* foreign pointers of every handle type */
    CHECK_STATUS(tfs_plan_summary((const tfs_plan*)&foreign, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_version((tfs_engine*)&foreign, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_cancel((tfs_engine*)&foreign), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_describe((const tfs_rollout*)&foreign, &s), TFS_EINVAL);
    CHECK_STATUS(tfs_rollout_cancel((tfs_rollout*)&foreign), TFS_EINVAL);
    CHECK_STATUS(tfs_run_id((const tfs_run*)&foreign, &cs), TFS_EINVAL);
    /* a handle of the wrong type */
    plan = open_plan();
    if (plan != NULL) {
        CHECK_STATUS(tfs_engine_version((tfs_engine*)plan, &s), TFS_EINVAL);
        CHECK_STATUS(tfs_rollout_cancel((tfs_rollout*)plan), TFS_EINVAL);
        tfs_engine_free((tfs_engine*)plan); /* not an engine: ignored */
        CHECK_STATUS(tfs_plan_changes_present(plan, &n), TFS_OK);
        tfs_plan_free(plan);
    }
}

void scenario_invalid_json(void) {
    tfs_engine* engine = NULL;
    tfs_plan* plan = NULL;
    char* s = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{not json"), TFS_EPARSE);
    CHECK(engine == NULL);
    CHECK_STATUS(tfs_engine_open(&engine, ".", "[1,2]"), TFS_EPARSE);
    CHECK_STATUS(tfs_plan_open_json(&plan, "{\"format_version\":", 18), TFS_EPARSE);
    CHECK(plan == NULL);
    CHECK_STATUS(tfs_plan_open_json(&plan, "hello", 5), TFS_EPARSE);
    CHECK_STATUS(tfs_plan_open_json(&plan, "", 0), TFS_EPARSE);
    CHECK_STATUS(tfs_address_expand("aws_instance", "[\"aws_instance.a\"", &s), TFS_EPARSE);
    CHECK(s == NULL);
    CHECK_STATUS(tfs_address_parse("aws_instance.", &s), TFS_EPARSE);
    CHECK_STATUS(tfs_address_parse("module.a[", &s), TFS_EPARSE);
    CHECK_STATUS(tfs_plan_open_json_file(&plan, "/nonexistent/tfstage/plan.json"), TFS_ENOTFOUND);
    CHECK_STATUS(tfs_rollout_load(NULL, "/nonexistent/rollout.yaml"), TFS_EINVAL);
    {
        tfs_rollout* rollout = NULL;
        CHECK_STATUS(tfs_rollout_load(&rollout, "/nonexistent/rollout.yaml"), TFS_ENOTFOUND);
        CHECK(rollout == NULL);
    }
    plan = open_plan();
    if (plan != NULL) {
        CHECK_STATUS(tfs_plan_evaluate_policy(plan, "max_changes: [", &s), TFS_EPARSE);
        CHECK_STATUS(tfs_plan_evaluate_policy(plan, "max_changes: nope", &s), TFS_EPARSE);
        CHECK_STATUS(tfs_plan_evaluate_policy(plan, "deny_delete: [\"module.[\"]", &s), TFS_EPARSE);
        tfs_plan_free(plan);
    }
}

void scenario_schema_version(void) {
    tfs_engine* engine = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"schema_version\":2}"), TFS_EUNSUPPORTED);
    CHECK(engine == NULL);
    CHECK_CONTAINS(tfs_error_last()->message, "schema_version");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"schema_version\":\"1\"}"), TFS_EINVAL);
    /* an unknown key is refused, named, with the closest known one; a missing schema_version means 1 */
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"schema_version\":1,\"no_such_key\":{\"x\":[1]}}"), TFS_EINVAL);
    CHECK(engine == NULL);
    CHECK_CONTAINS(tfs_error_last()->message, "unknown key \"no_such_key\"");
    CHECK_CONTAINS(tfs_error_last()->message, "workspace");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"workspce\":\"default\"}"), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "did you mean \"workspace\"");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"workspace\":\"default\"}"), TFS_OK);
    tfs_engine_free(engine);
    engine = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", NULL), TFS_OK);
    CHECK(engine != NULL);
    if (engine != NULL) {
        tfs_plan* plan = NULL;
        /* options are checked before anything runs */
        CHECK_STATUS(tfs_engine_plan(engine, "{\"schema_version\":99}", &plan), TFS_EUNSUPPORTED);
        CHECK(plan == NULL);
        CHECK_STATUS(tfs_engine_init(engine, "{\"schema_version\":3}"), TFS_EUNSUPPORTED);
        /* a typo for "targets" never turns into an untargeted plan */
        CHECK_STATUS(tfs_engine_plan(engine, "{\"target\":[\"terraform_data.a\"]}", &plan), TFS_EINVAL);
        CHECK(plan == NULL);
        CHECK_CONTAINS(tfs_error_last()->message, "did you mean \"targets\"");
        {
            char* keys = NULL;
            CHECK_STATUS(tfs_options_keys("plan", &keys), TFS_OK);
            CHECK_CONTAINS(keys, "\"targets\"");
            CHECK_CONTAINS(keys, "\"kind\":\"plan\"");
            tfs_string_free(keys);
            keys = NULL;
            CHECK_STATUS(tfs_options_keys("nope", &keys), TFS_EINVAL);
            CHECK(keys == NULL);
            CHECK_CONTAINS(tfs_error_last()->message, "run");
            CHECK_STATUS(tfs_options_keys(NULL, &keys), TFS_EINVAL);
            CHECK_STATUS(tfs_options_keys("run", NULL), TFS_EINVAL);
        }
        tfs_engine_free(engine);
    }
    CHECK_STATUS(tfs_engine_open(&engine, "/nonexistent/root", NULL), TFS_ENOTFOUND);
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"binary\":\"/nonexistent/terraform\"}"), TFS_ENOTFOUND);
}

void scenario_wrong_types(void) {
    tfs_engine* engine = NULL;
    tfs_plan* plan = NULL;
    char* s = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"timeout_ms\":\"soon\"}"), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "timeout_ms");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"env\":{\"A\":1}}"), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "env");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"inherit_tf_cli_args\":\"yes\"}"), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "inherit_tf_cli_args");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"grace_ms\":-5}"), TFS_EINVAL);
    CHECK_STATUS(tfs_engine_open(&engine, ".", NULL), TFS_OK);
    if (engine != NULL) {
        CHECK_STATUS(tfs_engine_plan(engine, "{\"targets\":\"terraform_data.a\"}", &plan), TFS_EINVAL);
        CHECK_CONTAINS(tfs_error_last()->message, "targets");
        CHECK_STATUS(tfs_engine_plan(engine, "{\"targets\":[1]}", &plan), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_plan(engine, "{\"vars\":{\"password\":42}}", &plan), TFS_EINVAL);
        CHECK_CONTAINS(tfs_error_last()->message, "vars");
        CHECK_STATUS(tfs_engine_plan(engine, "{\"destroy\":1}", &plan), TFS_EINVAL);
        CHECK_CONTAINS(tfs_error_last()->message, "destroy");
        CHECK_STATUS(tfs_engine_plan(engine, "{\"targets\":[\"not an address!\"]}", &plan), TFS_EPARSE);
        CHECK_CONTAINS(tfs_error_last()->message, "targets");
        CHECK(plan == NULL);
        /* a secret never appears in a message */
        CHECK_STATUS(tfs_engine_plan(engine, "{\"vars\":{\"password\":\"hunter2-secret\"},\"parallelism\":\"x\"}", &plan),
                     TFS_EINVAL);
        CHECK(strstr(tfs_error_last()->message, "hunter2-secret") == NULL);
        CHECK_STATUS(tfs_engine_init(engine, "{\"backend_config\":\"a=b\"}"), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_state_list(engine, "{\"a\":1}", &s), TFS_EINVAL);
        CHECK_STATUS(tfs_engine_state_list(engine, "[1]", &s), TFS_EINVAL);
        CHECK(s == NULL);
        tfs_engine_free(engine);
    }
    CHECK_STATUS(tfs_address_expand("aws_instance", "{\"a\":1}", &s), TFS_EINVAL);
    CHECK_STATUS(tfs_address_expand("aws_instance", "[1,2]", &s), TFS_EINVAL);
    plan = open_plan();
    if (plan != NULL) {
        CHECK_STATUS(tfs_plan_render(plan, 42, &s), TFS_EINVAL);
        CHECK(s == NULL);
        CHECK_STATUS(tfs_plan_render(plan, -1, &s), TFS_EINVAL);
        tfs_plan_free(plan);
    }
}

void scenario_address(void) {
    char* s = NULL;
    int matches = -1;
    REQUIRE_OK(tfs_address_parse("module.kafka[\"a\"].aws_msk_cluster.this[0]", &s));
    CHECK_CONTAINS(s, "\"schema_version\":1");
    CHECK_CONTAINS(s, "\"type\":\"aws_msk_cluster\"");
    CHECK_CONTAINS(s, "\"is_module\":false");
    CHECK_CONTAINS(s, "\"name\":\"kafka\"");
    tfs_string_free(s);
    REQUIRE_OK(tfs_address_parse("module.a", &s));
    CHECK_CONTAINS(s, "\"is_module\":true");
    tfs_string_free(s);
    CHECK_STATUS(tfs_address_parse("aws_instance", &s), TFS_EPARSE); /* a bare type */
    CHECK_CONTAINS(tfs_error_last()->message, "aws_instance");
    CHECK_STATUS(tfs_address_parse("aws_instance.web[", &s), TFS_EPARSE);
    CHECK_CONTAINS(tfs_error_last()->message, "column");

    REQUIRE_OK(tfs_address_match("module.a", "module.a.aws_instance.x[1]", &matches));
    CHECK(matches == 1);
    REQUIRE_OK(tfs_address_match("module.*.aws_sns_topic.*", "module.b.aws_sns_topic.t", &matches));
    CHECK(matches == 1);
    REQUIRE_OK(tfs_address_match("module.a", "module.b.aws_instance.x", &matches));
    CHECK(matches == 0);
    CHECK_STATUS(tfs_address_match("module.[", "module.b", &matches), TFS_EPARSE);

    REQUIRE_OK(tfs_address_expand("aws_instance",
                                  "[\"aws_instance.a\",\"module.m.aws_instance.b[0]\",\"aws_s3_bucket.c\"]", &s));
    CHECK_CONTAINS(s, "aws_instance.a");
    CHECK_CONTAINS(s, "module.m.aws_instance.b[0]");
    CHECK(strstr(s, "aws_s3_bucket") == NULL);
    tfs_string_free(s);
    REQUIRE_OK(tfs_address_expand("module.*.aws_instance.*", "[]", &s));
    CHECK(strcmp(s, "[]") == 0);
    tfs_string_free(s);
}

void scenario_plan_json(void) {
    tfs_plan* plan = open_plan();
    char* s = NULL;
    const char* path = NULL;
    int present = -1;
    if (plan == NULL) return;
    REQUIRE_OK(tfs_plan_changes_present(plan, &present));
    CHECK(present == 1);
    REQUIRE_OK(tfs_plan_file(plan, &path));
    CHECK(path != NULL && strcmp(path, "") == 0);

    REQUIRE_OK(tfs_plan_summary(plan, &s));
    CHECK_CONTAINS(s, "\"schema_version\":1");
    CHECK_CONTAINS(s, "\"create\":1");
    CHECK_CONTAINS(s, "\"delete\":1");
    CHECK_CONTAINS(s, "\"terraform_version\":\"1.11.4\"");
    CHECK_CONTAINS(s, "module.app.terraform_data.a");
    CHECK(strstr(s, "s3cr3t") == NULL);
    tfs_string_free(s);

    REQUIRE_OK(tfs_plan_changes(plan, &s));
    CHECK_CONTAINS(s, "\"resource_changes\"");
    CHECK_CONTAINS(s, "\"provider_name\":\"terraform.io/builtin/terraform\"");
    CHECK_CONTAINS(s, "\"password\"");
    CHECK(strstr(s, "s3cr3t") == NULL);
    tfs_string_free(s);

    REQUIRE_OK(tfs_plan_render(plan, TFS_RENDER_TEXT, &s));
    CHECK_CONTAINS(s, "terraform_data.a");
    CHECK(strstr(s, "s3cr3t") == NULL);
    tfs_string_free(s);
    REQUIRE_OK(tfs_plan_render(plan, TFS_RENDER_MARKDOWN, &s));
    CHECK_CONTAINS(s, "terraform_data.gone");
    tfs_string_free(s);
    REQUIRE_OK(tfs_plan_render(plan, TFS_RENDER_JSON, &s));
    CHECK_CONTAINS(s, "\"schema_version\":1");
    tfs_string_free(s);

    CHECK_STATUS(tfs_plan_provenance(plan, &s), TFS_ENOTFOUND);
    CHECK_STATUS(tfs_plan_hash(plan, &s), TFS_ENOTFOUND);
    CHECK(s == NULL);

    REQUIRE_OK(tfs_plan_evaluate_policy(plan, "deny_delete: [\"terraform_data.*\"]\nmax_changes: 1\n", &s));
    CHECK_CONTAINS(s, "\"allowed\":false");
    CHECK_CONTAINS(s, "deny_delete");
    CHECK_CONTAINS(s, "max_changes");
    tfs_string_free(s);
    REQUIRE_OK(tfs_plan_evaluate_policy(plan, "{\"max_changes\": 10}", &s));
    CHECK_CONTAINS(s, "\"allowed\":true");
    tfs_string_free(s);
    tfs_plan_free(plan);

    /* the same document from a file */
    {
        scratch dir;
        char path[512];
        if (scratch_make(&dir) != 0) return;
        write_text(dir.path, "plan.json", kPlanJson);
        join_path(path, dir.path, "plan.json");
        plan = NULL;
        REQUIRE_OK(tfs_plan_open_json_file(&plan, path));
        REQUIRE_OK(tfs_plan_summary(plan, &s));
        CHECK_CONTAINS(s, "\"create\":1");
        tfs_string_free(s);
        tfs_plan_free(plan);
        write_text(dir.path, "bad.json", "{\"format_version\":\"7.0\"}");
        join_path(path, dir.path, "bad.json");
        CHECK_STATUS(tfs_plan_open_json_file(&plan, path), TFS_EUNSUPPORTED);
        scratch_remove(&dir);
    }
}

/* A freed handle stays refused even when the allocator gives its object's memory to the next
 * handle of the same type: the pointer C holds is a token that is never reused. */
void scenario_stale_handles(void) {
    tfs_plan* previous = NULL;
    tfs_plan* plan = NULL;
    char* s = NULL;
    int n = 0;
    int i;
    int stale_ok = 0;
    for (i = 0; i < 1000; ++i) {
        plan = open_plan();
        if (plan == NULL) return;
        CHECK(plan != previous);
        if (previous != NULL) {
            /* the previous, freed handle: refused, whatever now lives at its old address */
            int rc = tfs_plan_summary(previous, &s);
            if (rc != TFS_EINVAL) {
                stale_ok++;
                tfs_string_free(s);
            }
            CHECK(s == NULL || rc != TFS_EINVAL);
            s = NULL;
            if (tfs_plan_changes_present(previous, &n) != TFS_EINVAL) stale_ok++;
            tfs_plan_free(previous); /* freeing it again: harmless */
        }
        /* the new one works */
        if (tfs_plan_summary(plan, &s) != TFS_OK) {
            fprintf(stderr, "iteration %d: tfs_plan_summary(new): %s\n", i, tfs_error_last()->message);
            capi_failures++;
            tfs_plan_free(plan);
            return;
        }
        CHECK_CONTAINS(s, "\"create\":1");
        tfs_string_free(s);
        s = NULL;
        tfs_plan_free(plan);
        previous = plan;
    }
    if (stale_ok != 0) {
        fprintf(stderr, "a freed plan handle was accepted %d time(s) in 1000\n", stale_ok);
        capi_failures++;
    }
    CHECK_STATUS(tfs_plan_summary(previous, &s), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "not a live tfs_plan");

    /* a live handle of another type is never taken for this one, and freeing it as the wrong
     * type leaves it alone */
    plan = open_plan();
    if (plan != NULL) {
        const char* cs = NULL;
        CHECK_STATUS(tfs_engine_version((tfs_engine*)plan, &s), TFS_EINVAL);
        CHECK_CONTAINS(tfs_error_last()->message, "not a live tfs_engine");
        CHECK_STATUS(tfs_rollout_describe((const tfs_rollout*)plan, &s), TFS_EINVAL);
        CHECK_STATUS(tfs_run_id((const tfs_run*)plan, &cs), TFS_EINVAL);
        CHECK(cs == NULL);
        tfs_run_free((tfs_run*)plan);
        tfs_rollout_free((tfs_rollout*)plan);
        CHECK_STATUS(tfs_plan_changes_present(plan, &n), TFS_OK);
        tfs_plan_free(plan);
    }
    {
        tfs_engine* engine = NULL;
        CHECK_STATUS(tfs_engine_open(&engine, ".", NULL), TFS_OK);
        if (engine != NULL) {
            CHECK_STATUS(tfs_plan_summary((const tfs_plan*)engine, &s), TFS_EINVAL);
            CHECK_CONTAINS(tfs_error_last()->message, "not a live tfs_plan");
            CHECK_STATUS(tfs_engine_apply(engine, (const tfs_plan*)engine, &s), TFS_EINVAL);
            tfs_plan_free((tfs_plan*)engine);
            CHECK_STATUS(tfs_engine_cancel(engine), TFS_OK);
            tfs_engine_free(engine);
            CHECK_STATUS(tfs_engine_cancel(engine), TFS_EINVAL);
            tfs_engine_free(engine);
        }
    }
}

void scenario_version(void) {
    int major = -1, minor = -1, patch = -1;
    char text[64];
    int number = tfs_version_number(&major, &minor, &patch);
    CHECK(major == TFS_VERSION_MAJOR);
    CHECK(minor == TFS_VERSION_MINOR);
    CHECK(patch == TFS_VERSION_PATCH);
    CHECK(number == TFS_VERSION_NUMBER);
    CHECK(number == major * 1000000 + minor * 1000 + patch);
    CHECK(number >= 0);
    CHECK(tfs_version_number(NULL, NULL, NULL) == number);
    snprintf(text, sizeof text, "%d.%d.%d", major, minor, patch);
    CHECK(strcmp(text, tfs_version()) == 0);
    CHECK(strcmp(text, TFS_VERSION) == 0);

    /* the headers this test was compiled against */
    CHECK_STATUS(TFS_CHECK_VERSION(), TFS_OK);
    CHECK_STATUS(tfs_check_version(TFS_VERSION_MAJOR, TFS_VERSION_MINOR), TFS_OK);
    /* another major: never */
    CHECK_STATUS(tfs_check_version(TFS_VERSION_MAJOR + 1, 0), TFS_EUNSUPPORTED);
    CHECK_CONTAINS(tfs_error_last()->message, TFS_VERSION);
    snprintf(text, sizeof text, "%d.0", TFS_VERSION_MAJOR + 1);
    CHECK_CONTAINS(tfs_error_last()->message, text);
    /* a newer minor: never (its headers may declare what this library lacks) */
    CHECK_STATUS(tfs_check_version(TFS_VERSION_MAJOR, TFS_VERSION_MINOR + 1), TFS_EUNSUPPORTED);
    snprintf(text, sizeof text, "%d.%d", TFS_VERSION_MAJOR, TFS_VERSION_MINOR + 1);
    CHECK_CONTAINS(tfs_error_last()->message, text);
    CHECK_CONTAINS(tfs_error_last()->message, TFS_VERSION);
    /* an older minor: only from 1.0 (while 0.x, each minor may break the ABI) */
    if (TFS_VERSION_MINOR > 0)
        CHECK_STATUS(tfs_check_version(TFS_VERSION_MAJOR, TFS_VERSION_MINOR - 1),
                     TFS_VERSION_MAJOR == 0 ? TFS_EUNSUPPORTED : TFS_OK);
    if (TFS_VERSION_MAJOR == 0) CHECK_CONTAINS(tfs_error_last()->message, "same minor");
    CHECK_STATUS(tfs_check_version(-1, 0), TFS_EINVAL);
    CHECK_STATUS(tfs_check_version(0, -1), TFS_EINVAL);
}

/* A directory where a file is expected says so (TFS_EIO or TFS_ENOTFOUND), never "empty". */
void scenario_directories(void) {
    scratch dir;
    tfs_plan* plan = NULL;
    tfs_rollout* rollout = NULL;
    tfs_engine* engine = NULL;
    if (scratch_make(&dir) != 0) return;
    CHECK_STATUS(tfs_plan_open_json_file(&plan, dir.path), TFS_EIO);
    CHECK(plan == NULL);
    CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
    CHECK(strstr(tfs_error_last()->message, "empty") == NULL);
    CHECK_STATUS(tfs_rollout_load(&rollout, dir.path), TFS_ENOTFOUND);
    CHECK(rollout == NULL);
    CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
    CHECK(strstr(tfs_error_last()->message, "empty") == NULL);
    {
        char options[700];
        snprintf(options, sizeof options, "{\"cli_config\":\"%s\"}", dir.path);
        CHECK_STATUS(tfs_engine_open(&engine, dir.path, options), TFS_ENOTFOUND);
        CHECK(engine == NULL);
        CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
    }
    CHECK_STATUS(tfs_engine_open(&engine, dir.path, NULL), TFS_OK);
    if (engine != NULL) {
        char options[700];
        CHECK_STATUS(tfs_plan_open_saved(&plan, engine, dir.path), TFS_ENOTFOUND);
        CHECK(plan == NULL);
        CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
        /* refused before Terraform runs */
        snprintf(options, sizeof options, "{\"var_files\":[\"%s\"]}", dir.path);
        CHECK_STATUS(tfs_engine_plan(engine, options, &plan), TFS_ENOTFOUND);
        CHECK(plan == NULL);
        CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
        snprintf(options, sizeof options, "{\"out\":\"%s\"}", dir.path);
        CHECK_STATUS(tfs_engine_plan(engine, options, &plan), TFS_EIO);
        CHECK_CONTAINS(tfs_error_last()->message, "is a directory");
        tfs_engine_free(engine);
    }
    scratch_remove(&dir);
}

/* An empty workspace name is refused before anything runs. */
void scenario_empty_workspace(void) {
    tfs_engine* engine = NULL;
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"schema_version\":1,\"workspace\":\"\"}"), TFS_EINVAL);
    CHECK(engine == NULL);
    CHECK_CONTAINS(tfs_error_last()->message, "workspace");
    CHECK_CONTAINS(tfs_error_last()->message, "empty");
    CHECK_STATUS(tfs_engine_open(&engine, ".", "{\"workspace\":null}"), TFS_OK); /* null: the default */
    if (engine == NULL) return;
    CHECK_STATUS(tfs_engine_workspace_new(engine, ""), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "empty");
    CHECK_STATUS(tfs_engine_workspace_select(engine, ""), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "empty");
    CHECK_STATUS(tfs_engine_workspace_select_or_create(engine, ""), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "empty");
    CHECK_STATUS(tfs_engine_workspace_delete(engine, "", 0), TFS_EINVAL);
    CHECK_CONTAINS(tfs_error_last()->message, "empty");
    CHECK_STATUS(tfs_engine_workspace_delete(engine, "", 1), TFS_EINVAL);
    tfs_engine_free(engine);
}
