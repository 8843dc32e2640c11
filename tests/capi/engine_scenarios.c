/* The engine through the C ABI with the real Terraform, on terraform_data-only roots. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "capi_test.h"

static const char* kRoot =
    "resource \"terraform_data\" \"a\" {\n  input = \"alpha\"\n}\n"
    "resource \"terraform_data\" \"b\" {\n  input = \"beta\"\n}\n"
    "variable \"secret\" {\n  type = string\n  default = \"none\"\n  sensitive = true\n}\n"
    "output \"a_input\" {\n  value = terraform_data.a.output\n}\n"
    "output \"secret\" {\n  value = var.secret\n  sensitive = true\n}\n";

static const char* kSlowRoot =
    "resource \"terraform_data\" \"slow\" {\n  provisioner \"local-exec\" {\n    command = \"sleep 60\"\n  }\n}\n";

/* An engine on a new root in `s` holding main.tf, initialised. */
static tfs_engine* open_root(scratch* s, const char* main_tf) {
    if (scratch_make(s) != 0 || write_text(s->path, "main.tf", main_tf) != 0) {
        fprintf(stderr, "cannot make a scratch root\n");
        capi_failures++;
        return NULL;
    }
    return open_initialised(s->path);
}

tfs_engine* open_initialised(const char* root_dir) {
    tfs_engine* engine = NULL;
    char options[1024];
    int rc;
    snprintf(options, sizeof options, "{\"schema_version\":1,\"cli_config\":\"%s\",\"grace_ms\":2000}", cli_config());
    rc = tfs_engine_open(&engine, root_dir, options);
    if (rc == TFS_OK) rc = tfs_engine_init(engine, NULL);
    if (rc != TFS_OK) {
        fprintf(stderr, "open/init: %s: %s\n", tfs_status_name(rc), tfs_error_last()->message);
        capi_failures++;
        tfs_engine_free(engine);
        return NULL;
    }
    return engine;
}

typedef struct counter {
    int events;
    int with_schema;
    int cancel_after; /* return non-zero at this event (0: never) */
} counter;

static int count_events(const char* event_json, void* payload) {
    counter* c = (counter*)payload;
    c->events++;
    if (strstr(event_json, "\"schema_version\":1") != NULL) c->with_schema++;
    return c->cancel_after != 0 && c->events >= c->cancel_after ? 1 : 0;
}

void scenario_engine_workspaces(void) {
    scratch s;
    char* out = NULL;
    tfs_engine* engine = open_root(&s, kRoot);
    if (engine == NULL) return;
    REQUIRE_OK(tfs_engine_version(engine, &out));
    CHECK_CONTAINS(out, "\"flavour\"");
    CHECK_CONTAINS(out, "\"schema_version\":1");
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_workspace_new(engine, "blue"));
    CHECK_STATUS(tfs_engine_workspace_new(engine, "blue"), TFS_EENGINE);
    REQUIRE_OK(tfs_engine_workspace_show(engine, &out));
    CHECK(strcmp(out, "blue") == 0);
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_workspace_list(engine, &out));
    CHECK_CONTAINS(out, "\"default\"");
    CHECK_CONTAINS(out, "\"blue\"");
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_workspace_select(engine, "default"));
    CHECK_STATUS(tfs_engine_workspace_select(engine, "no-such-workspace"), TFS_ENOTFOUND);
    REQUIRE_OK(tfs_engine_workspace_select_or_create(engine, "green"));
    REQUIRE_OK(tfs_engine_workspace_select_or_create(engine, "green"));
    REQUIRE_OK(tfs_engine_workspace_show(engine, &out));
    CHECK(strcmp(out, "green") == 0);
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_workspace_select(engine, "default"));
    REQUIRE_OK(tfs_engine_workspace_delete(engine, "blue", 0));
    REQUIRE_OK(tfs_engine_workspace_delete(engine, "green", 1));
    CHECK_STATUS(tfs_engine_workspace_delete(engine, "green", 0), TFS_ENOTFOUND);
    CHECK_CONTAINS(tfs_error_last()->message, "there is no workspace 'green'");
    REQUIRE_OK(tfs_engine_workspace_list(engine, &out));
    CHECK(strstr(out, "blue") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_validate(engine, &out));
    CHECK_CONTAINS(out, "\"valid\":true");
    tfs_string_free(out);
    tfs_engine_free(engine);
    scratch_remove(&s);
}

void scenario_engine_plan_apply(void) {
    scratch s;
    char* out = NULL;
    const char* file = NULL;
    int present = 0;
    counter events = {0, 0, 0};
    tfs_plan* plan = NULL;
    tfs_engine* other = NULL;
    char options[1024];
    tfs_engine* engine = open_root(&s, kRoot);
    if (engine == NULL) return;
    REQUIRE_OK(tfs_engine_set_event_callback(engine, count_events, &events));
    REQUIRE_OK(tfs_engine_plan(engine,
                               "{\"schema_version\":1,\"targets\":[\"terraform_data.a\"],"
                               "\"vars\":{\"secret\":\"hunter2-secret\"}}",
                               &plan));
    CHECK(events.events > 0);
    CHECK(events.with_schema == events.events);
    REQUIRE_OK(tfs_plan_changes_present(plan, &present));
    CHECK(present == 1);
    REQUIRE_OK(tfs_plan_file(plan, &file));
    CHECK_CONTAINS(file, "tfstage-plans");
    REQUIRE_OK(tfs_plan_summary(plan, &out));
    CHECK_CONTAINS(out, "\"create\":1");
    CHECK_CONTAINS(out, "terraform_data.a");
    CHECK(strstr(out, "terraform_data.b") == NULL);
    CHECK(strstr(out, "hunter2") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_changes(plan, &out));
    CHECK_CONTAINS(out, "\"type\":\"terraform_data\"");
    CHECK(strstr(out, "hunter2") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_provenance(plan, &out));
    CHECK_CONTAINS(out, "\"plan_sha256\"");
    CHECK_CONTAINS(out, "\"targets\":[\"terraform_data.a\"]");
    CHECK_CONTAINS(out, "\"plan_matches\":true");
    CHECK(strstr(out, "hunter2") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_hash(plan, &out));
    CHECK(strlen(out) == 64);
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_render(plan, TFS_RENDER_TEXT, &out));
    CHECK_CONTAINS(out, "terraform_data.a");
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_render(plan, TFS_RENDER_MARKDOWN, &out));
    tfs_string_free(out);
    REQUIRE_OK(tfs_plan_evaluate_policy(plan, "deny_resource_types: [terraform_data]", &out));
    CHECK_CONTAINS(out, "\"allowed\":false");
    tfs_string_free(out);

    /* the plan outlives its engine; another engine on the same root applies it */
    tfs_engine_free(engine);
    engine = NULL;
    REQUIRE_OK(tfs_plan_summary(plan, &out));
    tfs_string_free(out);
    snprintf(options, sizeof options, "{\"cli_config\":\"%s\"}", cli_config());
    REQUIRE_OK(tfs_engine_open(&other, s.path, options));
    REQUIRE_OK(tfs_engine_apply(other, plan, &out));
    CHECK_CONTAINS(out, "\"add\":1");
    tfs_string_free(out);
    /* applying it again: the state moved past it */
    CHECK_STATUS(tfs_engine_apply(other, plan, NULL), TFS_ESTALE);

    REQUIRE_OK(tfs_engine_state_list(other, NULL, &out));
    CHECK_CONTAINS(out, "terraform_data.a");
    CHECK(strstr(out, "terraform_data.b") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_state_list(other, "[\"terraform_data.a\"]", &out));
    CHECK_CONTAINS(out, "terraform_data.a");
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_outputs(other, 0, &out));
    CHECK_CONTAINS(out, "\"a_input\"");
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_show_state(other, &out));
    CHECK_CONTAINS(out, "terraform_data.a");
    tfs_string_free(out);
    tfs_plan_free(plan);

    /* an untargeted plan and apply with a secret: outputs hide it unless revealed */
    REQUIRE_OK(tfs_engine_plan(other, "{\"vars\":{\"secret\":\"hunter2-secret\"}}", &plan));
    REQUIRE_OK(tfs_engine_apply(other, plan, NULL));
    tfs_plan_free(plan);
    REQUIRE_OK(tfs_engine_outputs(other, 0, &out));
    CHECK(strstr(out, "hunter2") == NULL);
    tfs_string_free(out);
    REQUIRE_OK(tfs_engine_outputs(other, 1, &out));
    CHECK_CONTAINS(out, "hunter2-secret");
    tfs_string_free(out);

    /* a saved plan file of our own ("out"), opened again from the file, then tampered with */
    {
        tfs_plan* reopened = NULL;
        char saved[512];
        char* hash1 = NULL;
        char* hash2 = NULL;
        FILE* f;
        REQUIRE_OK(tfs_engine_plan(other, "{\"out\":\"saved.tfplan\",\"destroy\":true}", &plan));
        join_path(saved, s.path, "saved.tfplan");
        REQUIRE_OK(tfs_plan_open_saved(&reopened, other, saved));
        REQUIRE_OK(tfs_plan_hash(plan, &hash1));
        REQUIRE_OK(tfs_plan_hash(reopened, &hash2));
        CHECK(strcmp(hash1, hash2) == 0);
        tfs_string_free(hash1);
        tfs_string_free(hash2);
        REQUIRE_OK(tfs_plan_provenance(reopened, &out));
        CHECK_CONTAINS(out, "\"plan_matches\":true");
        tfs_string_free(out);
        REQUIRE_OK(tfs_plan_summary(reopened, &out));
        CHECK_CONTAINS(out, "\"delete\":2");
        tfs_string_free(out);
        tfs_plan_free(plan);
        CHECK(access(saved, F_OK) == 0); /* "out" files are the caller's: kept */
        f = fopen(saved, "ab");
        if (f != NULL) {
            fputc('x', f);
            fclose(f);
        }
        CHECK_STATUS(tfs_engine_apply(other, reopened, NULL), TFS_ESTALE);
        CHECK_CONTAINS(tfs_error_last()->message, "changed since it was made");
        tfs_plan_free(reopened);
    }

    REQUIRE_OK(tfs_engine_destroy(other, "{\"vars\":{\"secret\":\"hunter2-secret\"}}", &out));
    CHECK_CONTAINS(out, "\"remove\":2");
    tfs_string_free(out);
    tfs_engine_free(other);
    scratch_remove(&s);
}

void scenario_engine_callback_cancels(void) {
    scratch s;
    tfs_plan* plan = NULL;
    counter events = {0, 0, 1};
    tfs_engine* engine = open_root(&s, kSlowRoot);
    if (engine == NULL) return;
    REQUIRE_OK(tfs_engine_plan(engine, NULL, &plan));
    REQUIRE_OK(tfs_engine_set_event_callback(engine, count_events, &events));
    /* the apply runs `sleep 60`: the first event cancels it */
    CHECK_STATUS(tfs_engine_apply(engine, plan, NULL), TFS_ECANCELLED);
    CHECK(events.events >= 1);
    REQUIRE_OK(tfs_engine_set_event_callback(engine, NULL, NULL));
    tfs_plan_free(plan);
    tfs_engine_free(engine);
    scratch_remove(&s);
}

typedef struct engine_canceller {
    tfs_engine* engine;
    counter* events;
    int status;
} engine_canceller;

static void* cancel_engine_later(void* argument) {
    engine_canceller* c = (engine_canceller*)argument;
    struct timespec pause = {0, 100 * 1000 * 1000};
    int i;
    for (i = 0; i < 600 && c->events->events < 2; ++i) nanosleep(&pause, NULL);
    pause.tv_sec = 2;
    pause.tv_nsec = 0;
    nanosleep(&pause, NULL);
    c->status = tfs_engine_cancel(c->engine);
    return NULL;
}

void scenario_engine_cancel_thread(void) {
    scratch s;
    tfs_plan* plan = NULL;
    counter events = {0, 0, 0};
    engine_canceller c;
    pthread_t thread;
    time_t started;
    tfs_engine* engine = open_root(&s, kSlowRoot);
    if (engine == NULL) return;
    REQUIRE_OK(tfs_engine_plan(engine, NULL, &plan));
    REQUIRE_OK(tfs_engine_set_event_callback(engine, count_events, &events));
    c.engine = engine;
    c.events = &events;
    c.status = -100;
    pthread_create(&thread, NULL, cancel_engine_later, &c);
    started = time(NULL);
    CHECK_STATUS(tfs_engine_apply(engine, plan, NULL), TFS_ECANCELLED);
    pthread_join(thread, NULL);
    CHECK(c.status == TFS_OK);
    CHECK(time(NULL) - started < 45);
    tfs_plan_free(plan);
    tfs_engine_free(engine);
    scratch_remove(&s);
}
