/* tfstage_capi_tests SCENARIO: runs one scenario; exit 0 when all its checks pass. */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capi_test.h"

int capi_failures = 0;

static const struct {
    const char* name;
    void (*run)(void);
} scenarios[] = {
    {"errors", scenario_errors},
    {"null_arguments", scenario_null_arguments},
    {"freed_handles", scenario_freed_handles},
    {"stale_handles", scenario_stale_handles},
    {"version", scenario_version},
    {"directories", scenario_directories},
    {"empty_workspace", scenario_empty_workspace},
    {"invalid_json", scenario_invalid_json},
    {"schema_version", scenario_schema_version},
    {"wrong_types", scenario_wrong_types},
    {"address", scenario_address},
    {"plan_json", scenario_plan_json},
    {"threads", scenario_threads},
    {"rollout_file", scenario_rollout_file},
    {"callback_cancels", scenario_callback_cancels},
    {"run_outlives_rollout", scenario_run_outlives_rollout},
    {"engine_workspaces", scenario_engine_workspaces},
    {"engine_plan_apply", scenario_engine_plan_apply},
    {"engine_callback_cancels", scenario_engine_callback_cancels},
    {"engine_cancel_thread", scenario_engine_cancel_thread},
    {"rollout_gate", scenario_rollout_gate},
    {"rollout_cancel_thread", scenario_rollout_cancel_thread},
    {"validate_and_keys", scenario_validate_and_keys},
    {"engine_reads", scenario_engine_reads},
    {"plan_git_commit", scenario_plan_git_commit},
    {"rollout_git", scenario_rollout_git},
};

int scratch_make(scratch* s) {
    const char* tmp = getenv("TMPDIR");
    snprintf(s->path, sizeof s->path, "%s/tfstage-capi-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(s->path) != NULL) return 0;
    /* A scenario that cannot start has failed. */
    fprintf(stderr, "cannot make a scratch directory %s\n", s->path);
    capi_failures++;
    return -1;
}

void scratch_remove(scratch* s) {
    char command[600];
    if (getenv("TFSTAGE_KEEP_TEST_DIRS") != NULL || strncmp(s->path, "/", 1) != 0) return;
    snprintf(command, sizeof command, "rm -rf '%s'", s->path);
    if (system(command) != 0) fprintf(stderr, "could not remove %s\n", s->path);
}

void join_path(char* out, const char* dir, const char* name) { snprintf(out, 512, "%s/%s", dir, name); }

int write_text(const char* dir, const char* name, const char* text) {
    char path[512];
    FILE* f;
    mkdir(dir, 0700);
    join_path(path, dir, name);
    f = fopen(path, "w");
    if (f == NULL) return -1;
    fputs(text, f);
    return fclose(f);
}

const char* cli_config(void) { return TFSTAGE_CLI_CONFIG; }

int main(int argc, char** argv) {
    size_t i;
    if (argc != 2) {
        fprintf(stderr, "usage: %s SCENARIO\n", argv[0]);
        return 2;
    }
    for (i = 0; i < sizeof scenarios / sizeof scenarios[0]; ++i) {
        if (strcmp(scenarios[i].name, argv[1]) == 0) {
            scenarios[i].run();
            if (capi_failures != 0) fprintf(stderr, "%s: %d check(s) failed\n", argv[1], capi_failures);
            return capi_failures == 0 ? 0 : 1;
        }
    }
    fprintf(stderr, "no scenario '%s'\n", argv[1]);
    return 2;
}
