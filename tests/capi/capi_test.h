/* The C ABI tests: a tiny harness (one scenario per ctest entry, named by argv[1]). */
#ifndef TFSTAGE_CAPI_TEST_H
#define TFSTAGE_CAPI_TEST_H

#include <stdio.h>
#include <string.h>

#include "tfstage/tfstage.h"

extern int capi_failures;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);  \
            capi_failures++;                                                          \
        }                                                                             \
    } while (0)

/* Checks a call's status; on a mismatch prints the last error's message. */
#define CHECK_STATUS(call, expected)                                                                          \
    do {                                                                                                      \
        int rc_ = (call);                                                                                     \
        if (rc_ != (expected)) {                                                                              \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s: %s\n", __FILE__, __LINE__, #call,            \
                    tfs_status_name(rc_), tfs_status_name(expected), tfs_error_last()->message);              \
            capi_failures++;                                                                                  \
        }                                                                                                     \
    } while (0)

/* As CHECK_STATUS(call, TFS_OK), but ends the scenario on failure. */
#define REQUIRE_OK(call)                                                                                      \
    do {                                                                                                      \
        int rc_ = (call);                                                                                     \
        if (rc_ != TFS_OK) {                                                                                  \
            fprintf(stderr, "%s:%d: %s returned %s: %s\ndiagnostics: %s\n", __FILE__, __LINE__, #call,        \
                    tfs_status_name(rc_), tfs_error_last()->message, tfs_error_last()->diagnostics_json);     \
            capi_failures++;                                                                                  \
            return;                                                                                           \
        }                                                                                                     \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                                      \
    do {                                                                                                      \
        const char* h_ = (haystack);                                                                          \
        if (h_ == NULL || strstr(h_, (needle)) == NULL) {                                                     \
            fprintf(stderr, "%s:%d: \"%s\" does not contain \"%s\"\n", __FILE__, __LINE__, h_ ? h_ : "(null)", \
                    (needle));                                                                                \
            capi_failures++;                                                                                  \
        }                                                                                                     \
    } while (0)

/* Scratch directories and files. */
typedef struct scratch {
    char path[512];
} scratch;
int scratch_make(scratch* s);  /* 0 on success */
void scratch_remove(scratch* s);
/* Writes `text` to dir/name (creating dir/ if needed, one level); returns 0 on success. */
int write_text(const char* dir, const char* name, const char* text);
/* dir/name into out (size 512). */
void join_path(char* out, const char* dir, const char* name);
/* The Terraform CLI config written by scripts/setup. */
const char* cli_config(void);
/* An engine on the root in root_dir (with the CLI config), initialised; NULL (and a failure
 * counted) when that fails. */
tfs_engine* open_initialised(const char* root_dir);

/* Scenarios. */
void scenario_errors(void);
void scenario_null_arguments(void);
void scenario_freed_handles(void);
void scenario_stale_handles(void);
void scenario_version(void);
void scenario_directories(void);
void scenario_empty_workspace(void);
void scenario_invalid_json(void);
void scenario_schema_version(void);
void scenario_wrong_types(void);
void scenario_address(void);
void scenario_plan_json(void);
void scenario_threads(void);
void scenario_rollout_file(void);
void scenario_callback_cancels(void);
void scenario_run_outlives_rollout(void);
void scenario_engine_workspaces(void);
void scenario_engine_plan_apply(void);
void scenario_engine_callback_cancels(void);
void scenario_engine_cancel_thread(void);
void scenario_rollout_gate(void);
void scenario_rollout_cancel_thread(void);
void scenario_validate_and_keys(void);
void scenario_engine_reads(void);
void scenario_plan_git_commit(void);
void scenario_rollout_git(void);

#endif
