/* Rollouts through the C ABI: files, runs with events, gates, cancellation. Command-only
 * rollouts need no engine (unit); the others run the real Terraform (integration). */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "capi_test.h"

typedef struct recorder {
    pthread_mutex_t mutex;
    int events;
    int with_schema;
    int started;      /* stage_started events */
    int applying;     /* stage_applying events */
    int awaiting;     /* events that mention awaiting_approval */
    int cancel_at;    /* return non-zero at this event (0: never) */
} recorder;

static int record(const char* event_json, void* payload) {
    recorder* r = (recorder*)payload;
    int stop;
    pthread_mutex_lock(&r->mutex);
    if (getenv("TFSTAGE_CAPI_VERBOSE") != NULL) fprintf(stderr, "event: %s\n", event_json);
    r->events++;
    if (strstr(event_json, "\"schema_version\":1") != NULL) r->with_schema++;
    if (strstr(event_json, "\"type\":\"stage_started\"") != NULL) r->started++;
    if (strstr(event_json, "\"type\":\"stage_applying\"") != NULL) r->applying++;
    if (strstr(event_json, "awaiting_approval") != NULL) r->awaiting++;
    stop = r->cancel_at != 0 && r->events >= r->cancel_at;
    pthread_mutex_unlock(&r->mutex);
    return stop;
}

static void recorder_init(recorder* r, int cancel_at) {
    memset(r, 0, sizeof *r);
    pthread_mutex_init(&r->mutex, NULL);
    r->cancel_at = cancel_at;
}

static double now_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Loads dir/rollout.yaml after writing `yaml` there. */
static tfs_rollout* load(scratch* s, const char* yaml) {
    tfs_rollout* rollout = NULL;
    char path[512];
    int rc;
    if (write_text(s->path, "rollout.yaml", yaml) != 0) {
        capi_failures++;
        return NULL;
    }
    join_path(path, s->path, "rollout.yaml");
    rc = tfs_rollout_load(&rollout, path);
    if (rc != TFS_OK) {
        fprintf(stderr, "tfs_rollout_load: %s: %s\n%s\n", tfs_status_name(rc), tfs_error_last()->message,
                tfs_error_last()->diagnostics_json);
        capi_failures++;
    }
    return rollout;
}

static const char* kCommandRollout =
    "version: 1\n"
    "name: commands\n"
    "environments:\n"
    "  dev: {approval: auto}\n"
    "stages:\n"
    "  - name: first\n"
    "    run: {argv: [sleep, \"30\"]}\n"
    "  - name: second\n"
    "    run: {argv: [\"true\"]}\n"
    "converge: false\n";

void scenario_rollout_file(void) {
    scratch s;
    tfs_rollout* rollout = NULL;
    char* out = NULL;
    char path[512];
    if (scratch_make(&s) != 0) return;
    rollout = load(&s, kCommandRollout);
    if (rollout == NULL) return;
    REQUIRE_OK(tfs_rollout_describe(rollout, &out));
    CHECK_CONTAINS(out, "\"schema_version\":1");
    CHECK_CONTAINS(out, "\"name\":\"commands\"");
    CHECK_CONTAINS(out, "\"kind\":\"command\"");
    CHECK_CONTAINS(out, "\"needs\":[\"first\"]");
    tfs_string_free(out);
    REQUIRE_OK(tfs_rollout_graph(rollout, "dot", &out));
    CHECK_CONTAINS(out, "digraph");
    tfs_string_free(out);
    REQUIRE_OK(tfs_rollout_graph(rollout, "mermaid", &out));
    tfs_string_free(out);
    REQUIRE_OK(tfs_rollout_graph(rollout, "json", &out));
    CHECK_CONTAINS(out, "\"order\":[\"first\",\"second\"]");
    tfs_string_free(out);
    CHECK_STATUS(tfs_rollout_graph(rollout, "png", &out), TFS_EINVAL);
    CHECK(out == NULL);
    /* run options: errors before anything starts */
    {
        tfs_run* run = NULL;
        CHECK_STATUS(tfs_rollout_run(rollout, NULL, NULL, NULL, &run), TFS_EINVAL); /* no environment */
        CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":\"prod\"}", NULL, NULL, &run), TFS_ENOTFOUND);
        /* an unknown stage is a bad argument, as the runner and the command say */
        CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":\"dev\",\"only\":[\"nope\"]}", NULL, NULL, &run),
                     TFS_EINVAL);
        CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":\"dev\",\"parallelism\":\"4\"}", NULL, NULL, &run),
                     TFS_EINVAL);
        CHECK_CONTAINS(tfs_error_last()->message, "parallelism");
        CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":\"dev\",\"schema_version\":2}", NULL, NULL, &run),
                     TFS_EUNSUPPORTED);
        CHECK_STATUS(tfs_rollout_run(rollout, "{\"environment\":", NULL, NULL, &run), TFS_EPARSE);
        CHECK(run == NULL);
    }
    join_path(path, s.path, ".tfstage");
    CHECK_STATUS(tfs_rollout_status(path, NULL, &out), TFS_ENOTFOUND);
    REQUIRE_OK(tfs_rollout_history(path, &out));
    CHECK(strcmp(out, "[]") == 0);
    tfs_string_free(out);
    tfs_rollout_free(rollout);

    /* every problem of a bad file at once, as diagnostics */
    {
        tfs_rollout* bad = NULL;
        join_path(path, s.path, "bad.yaml");
        write_text(s.path, "bad.yaml",
                   "version: 1\nenvironments:\n  dev: {approval: sometimes}\nstages:\n  - name: a\n    needs: [zzz]\n"
                   "    run: {argv: [\"true\"]}\n");
        CHECK_STATUS(tfs_rollout_load(&bad, path), TFS_EPARSE);
        CHECK(bad == NULL);
        CHECK_CONTAINS(tfs_error_last()->diagnostics_json, "\"line\":");
        CHECK_CONTAINS(tfs_error_last()->diagnostics_json, "approval");
        CHECK_CONTAINS(tfs_error_last()->diagnostics_json, "zzz");
    }
    scratch_remove(&s);
}

void scenario_callback_cancels(void) {
    scratch s;
    tfs_rollout* rollout;
    tfs_run* run = NULL;
    recorder r;
    int outcome = 0;
    const char* word = NULL;
    double started;
    if (scratch_make(&s) != 0) return;
    rollout = load(&s, kCommandRollout);
    if (rollout == NULL) return;
    recorder_init(&r, 1); /* the first event cancels */
    started = now_seconds();
    REQUIRE_OK(tfs_rollout_run(rollout, "{\"environment\":\"dev\",\"grace_ms\":1000}", record, &r, &run));
    CHECK(now_seconds() - started < 20.0);
    REQUIRE_OK(tfs_run_outcome(run, &outcome, &word));
    CHECK(outcome == TFS_ECANCELLED);
    CHECK(word != NULL && strcmp(word, "interrupted") == 0);
    CHECK(r.events >= 1);
    tfs_run_free(run);
    tfs_rollout_free(rollout);
    scratch_remove(&s);
}

void scenario_run_outlives_rollout(void) {
    scratch s;
    tfs_rollout* rollout;
    tfs_run* run = NULL;
    recorder r;
    int outcome = -1;
    const char* id = NULL;
    char* out = NULL;
    char state_dir[512];
    if (scratch_make(&s) != 0) return;
    rollout = load(&s, "version: 1\nenvironments:\n  dev: {approval: auto}\nstages:\n  - name: only\n"
                       "    run: {argv: [\"true\"]}\nconverge: false\n");
    if (rollout == NULL) return;
    recorder_init(&r, 0);
    REQUIRE_OK(tfs_rollout_run(rollout, "{\"environment\":\"dev\"}", record, &r, &run));
    CHECK(r.events >= 2);
    CHECK(r.with_schema == r.events);
    tfs_rollout_free(rollout);
    /* the run stays usable after its rollout is freed */
    REQUIRE_OK(tfs_run_outcome(run, &outcome, NULL));
    CHECK(outcome == TFS_OK);
    REQUIRE_OK(tfs_run_id(run, &id));
    CHECK(id != NULL && id[0] != '\0');
    REQUIRE_OK(tfs_run_journal(run, &out));
    CHECK_CONTAINS(out, "\"status\":\"succeeded\"");
    CHECK_CONTAINS(out, id);
    tfs_string_free(out);
    join_path(state_dir, s.path, ".tfstage");
    REQUIRE_OK(tfs_rollout_status(state_dir, NULL, &out));
    CHECK_CONTAINS(out, id);
    tfs_string_free(out);
    REQUIRE_OK(tfs_rollout_status(state_dir, id, &out));
    CHECK_CONTAINS(out, "\"schema_version\"");
    tfs_string_free(out);
    CHECK_STATUS(tfs_rollout_status(state_dir, "no-such-run", &out), TFS_ENOTFOUND);
    REQUIRE_OK(tfs_rollout_history(state_dir, &out));
    CHECK_CONTAINS(out, id);
    CHECK_CONTAINS(out, "\"environment\":\"dev\"");
    tfs_string_free(out);
    tfs_run_free(run);
    CHECK_STATUS(tfs_run_id(run, &id), TFS_EINVAL);
    scratch_remove(&s);
}

/* --- with Terraform ------------------------------------------------------------------------ */

static int write_root(scratch* s, const char* main_tf) {
    char dir[512];
    join_path(dir, s->path, "infra");
    return write_text(dir, "main.tf", main_tf);
}

void scenario_rollout_gate(void) {
    scratch s;
    tfs_rollout* rollout;
    tfs_run* run = NULL;
    tfs_run* approved = NULL;
    recorder r;
    int outcome = 0;
    const char* id = NULL;
    const char* word = NULL;
    char options[1024];
    char* out = NULL;
    char state_dir[512];
    if (scratch_make(&s) != 0) return;
    write_root(&s, "resource \"terraform_data\" \"a\" {\n  input = \"one\"\n}\n"
                   "resource \"terraform_data\" \"b\" {\n  input = \"two\"\n}\n");
    rollout = load(&s, "version: 1\nroot: infra\nenvironments:\n  staging: {workspace: staging, approval: manual}\n"
                       "stages:\n  - name: first\n    apply: {targets: [terraform_data.a]}\n"
                       "  - name: rest\n    apply: {}\n    approval: auto\n");
    if (rollout == NULL) return;
    snprintf(options, sizeof options, "{\"schema_version\":1,\"environment\":\"staging\",\"cli_config\":\"%s\"}",
             cli_config());
    recorder_init(&r, 0);
    REQUIRE_OK(tfs_rollout_run(rollout, options, record, &r, &run));
    REQUIRE_OK(tfs_run_outcome(run, &outcome, &word));
    CHECK(outcome == TFS_EAWAITING_APPROVAL);
    CHECK(word != NULL && strcmp(word, "awaiting_approval") == 0);
    CHECK(r.events > 0);
    CHECK(r.with_schema == r.events);
    CHECK(r.awaiting > 0);
    REQUIRE_OK(tfs_run_id(run, &id));
    join_path(state_dir, s.path, ".tfstage");
    REQUIRE_OK(tfs_rollout_status(state_dir, id, &out));
    CHECK_CONTAINS(out, "\"status\":\"awaiting_approval\"");
    tfs_string_free(out);
    CHECK_STATUS(tfs_rollout_approve(rollout, id, "no-such-stage", options, NULL, NULL, &approved), TFS_EINVAL);

    recorder_init(&r, 0);
    REQUIRE_OK(tfs_rollout_approve(rollout, id, "first", options, record, &r, &approved));
    REQUIRE_OK(tfs_run_outcome(approved, &outcome, &word));
    CHECK(outcome == TFS_OK);
    if (outcome != TFS_OK) {
        char* journal = NULL;
        if (tfs_run_journal(approved, &journal) == TFS_OK) fprintf(stderr, "journal: %s\n", journal);
        tfs_string_free(journal);
    }
    CHECK(r.started >= 1);
    REQUIRE_OK(tfs_rollout_history(state_dir, &out));
    CHECK_CONTAINS(out, "\"status\":\"succeeded\"");
    tfs_string_free(out);
    tfs_run_free(approved);
    tfs_run_free(run);
    tfs_rollout_free(rollout);
    scratch_remove(&s);
}

typedef struct canceller {
    tfs_rollout* rollout;
    recorder* events;
    int status;
} canceller;

/* Waits for the slow stage to apply, lets it run a little, then cancels from this thread. */
static void* cancel_later(void* argument) {
    canceller* c = (canceller*)argument;
    int i, started = 0;
    for (i = 0; i < 1200 && !started; ++i) {
        pthread_mutex_lock(&c->events->mutex);
        started = c->events->applying;
        pthread_mutex_unlock(&c->events->mutex);
        if (!started) {
            struct timespec pause = {0, 50 * 1000 * 1000};
            nanosleep(&pause, NULL);
        }
    }
    sleep(2);
    c->status = tfs_rollout_cancel(c->rollout);
    return NULL;
}

void scenario_rollout_cancel_thread(void) {
    scratch s;
    tfs_rollout* rollout;
    tfs_run* run = NULL;
    recorder r;
    canceller c;
    pthread_t thread;
    int outcome = 0;
    const char* word = NULL;
    char options[1024];
    double started;
    if (scratch_make(&s) != 0) return;
    write_root(&s, "resource \"terraform_data\" \"slow\" {\n  provisioner \"local-exec\" {\n"
                   "    command = \"sleep 60\"\n  }\n}\n");
    rollout = load(&s, "version: 1\nroot: infra\nenvironments:\n  dev: {approval: auto}\n"
                       "stages:\n  - name: slow\n    apply: {}\n  - name: after\n    run: {argv: [touch, after.marker]}\n");
    if (rollout == NULL) return;
    /* nothing runs: cancel is a no-op */
    REQUIRE_OK(tfs_rollout_cancel(rollout));
    snprintf(options, sizeof options, "{\"environment\":\"dev\",\"cli_config\":\"%s\",\"grace_ms\":3000}", cli_config());
    recorder_init(&r, 0);
    c.rollout = rollout;
    c.events = &r;
    c.status = -100;
    pthread_create(&thread, NULL, cancel_later, &c);
    started = now_seconds();
    REQUIRE_OK(tfs_rollout_run(rollout, options, record, &r, &run));
    pthread_join(thread, NULL);
    CHECK(c.status == TFS_OK);
    CHECK(now_seconds() - started < 50.0);
    REQUIRE_OK(tfs_run_outcome(run, &outcome, &word));
    CHECK(outcome == TFS_ECANCELLED);
    CHECK(word != NULL && strcmp(word, "interrupted") == 0);
    {
        char marker[512];
        join_path(marker, s.path, "after.marker");
        CHECK(access(marker, F_OK) != 0);
    }
    tfs_run_free(run);
    tfs_rollout_free(rollout);
    scratch_remove(&s);
}
