/* Several threads at once: plan queries on one shared plan, and each thread's own last error. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdlib.h>

#include "capi_test.h"

static const char* kPlan =
    "{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"resource_changes\":[{\"address\":\"terraform_data.a\","
    "\"mode\":\"managed\",\"type\":\"terraform_data\",\"name\":\"a\",\"provider_name\":\"terraform.io/builtin/terraform\","
    "\"change\":{\"actions\":[\"create\"],\"before\":null,\"after\":{},\"after_unknown\":{},\"before_sensitive\":false,"
    "\"after_sensitive\":{}}}]}";

typedef struct worker {
    tfs_plan* plan;
    int index;
    int failures;
} worker;

static void* work(void* argument) {
    worker* w = (worker*)argument;
    char bad[64];
    int i;
    snprintf(bad, sizeof bad, "module.thread%d[", w->index);
    for (i = 0; i < 200; ++i) {
        char* s = NULL;
        if (tfs_plan_summary(w->plan, &s) != TFS_OK || strstr(s, "\"create\":1") == NULL) w->failures++;
        tfs_string_free(s);
        s = NULL;
        if (tfs_plan_render(w->plan, i % 3, &s) != TFS_OK) w->failures++;
        tfs_string_free(s);
        /* this thread's error is its own */
        if (tfs_address_parse(bad, &s) != TFS_EPARSE) w->failures++;
        if (tfs_error_last()->code != TFS_EPARSE || strstr(tfs_error_last()->message, bad) == NULL) w->failures++;
    }
    return NULL;
}

void scenario_threads(void) {
    enum { kThreads = 4 };
    pthread_t threads[kThreads];
    worker workers[kThreads];
    tfs_plan* plan = NULL;
    int i;
    REQUIRE_OK(tfs_plan_open_json(&plan, kPlan, strlen(kPlan)));
    tfs_error_clear();
    for (i = 0; i < kThreads; ++i) {
        workers[i].plan = plan;
        workers[i].index = i;
        workers[i].failures = 0;
        pthread_create(&threads[i], NULL, work, &workers[i]);
    }
    for (i = 0; i < kThreads; ++i) {
        pthread_join(threads[i], NULL);
        CHECK(workers[i].failures == 0);
    }
    /* the other threads' errors never became this thread's */
    CHECK(tfs_error_last()->code == TFS_OK);
    tfs_plan_free(plan);
}
