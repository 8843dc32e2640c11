/*
 * tfstage/common.h: the export macro, versions, status codes, errors and returned strings.
 *
 * Conventions of the whole C ABI (libgit2 is the model):
 *   - Every call returns an int: TFS_OK (0) or a negative tfs_status. tfs_error_last() then
 *     holds the detail for the calling thread. Each declaration's @return names the codes it
 *     can return; besides those, any int-returning call may return TFS_ERROR when memory runs
 *     out or on an unexpected internal error (the message says which). The *_free functions
 *     return nothing and never fail.
 *   - Handles are opaque. They are created through an out parameter that comes first and
 *     freed by the matching *_free, which accepts NULL (and ignores a handle freed already).
 *     A handle is a token, not the object's address: it is never handed out twice while the
 *     process lives, and the library keeps a registry of live ones. Passing a freed handle
 *     (even when a newer object took its memory), a handle of another type, or one never
 *     created returns TFS_EINVAL, never crashes.
 *   - A child handle (a plan made by an engine) keeps what it needs of its parent alive: it
 *     stays usable after the parent is freed.
 *   - Requests and results that may grow are UTF-8 JSON text with a "schema_version" (1 for
 *     now). In requests (options), an unknown key is refused with TFS_EINVAL naming it and
 *     the closest known key (tfs_options_keys lists them); readers of results ignore keys
 *     they do not know. A missing schema_version means 1; a newer one is refused with
 *     TFS_EUNSUPPORTED; a key of the wrong type gives TFS_EINVAL naming the key.
 *   - `char **out` strings are allocated by the library and released with tfs_string_free.
 *     `const char **out` strings are borrowed: they live as long as the handle they came from.
 *     On failure, out parameters are set to NULL (or left at 0).
 *   - No secret value (-var values, sensitive outputs unless asked for) appears in any
 *     message, event or journal.
 *
 * Threading: the library may be used from several threads at once. A given handle may be used
 * by one thread at a time unless its header says otherwise (tfs_plan queries, the cancel
 * functions and tfs_error_last are safe from any thread).
 */
#ifndef TFSTAGE_COMMON_H
#define TFSTAGE_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TFSTAGE_BUILDING_LIBRARY)
#define TFS_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define TFS_EXTERN(type) type
#endif

/**
 * Compile-time version of the headers. These lines are the project's one version: CMake reads
 * its PROJECT_VERSION (and so the library's tfs_version(), its package files and its
 * SOVERSION checks) from them.
 */
#define TFS_VERSION_MAJOR 0
#define TFS_VERSION_MINOR 1
#define TFS_VERSION_PATCH 0
#define TFS_VERSION "0.1.0"
/** The headers' version as one number, as tfs_version_number() returns it: 0.1.0 is 1000. */
#define TFS_VERSION_NUMBER (TFS_VERSION_MAJOR * 1000000 + TFS_VERSION_MINOR * 1000 + TFS_VERSION_PATCH)

/** The JSON schema version this header documents (requests, results and events). */
#define TFS_SCHEMA_VERSION 1

/**
 * Status codes returned by every call: 0 for success, negative for failure. The values are
 * never renumbered; new codes are only added.
 */
typedef enum tfs_status {
    TFS_OK = 0,
    TFS_ERROR = -1,               /**< generic failure */
    TFS_EINVAL = -2,              /**< an argument is invalid (NULL, freed handle, wrong type) */
    TFS_ENOTFOUND = -3,           /**< a file, binary, workspace, run or stage does not exist */
    TFS_EENGINE = -4,             /**< terraform/tofu/cdk failed; diagnostics are attached */
    TFS_ESTALE = -5,              /**< a saved plan no longer matches the state or its file */
    TFS_ELOCKED = -6,             /**< the state (or a rollout) is locked by someone else */
    TFS_ECANCELLED = -7,          /**< cancelled by the caller or by a callback */
    TFS_ETIMEOUT = -8,            /**< a timeout ran out */
    TFS_EPARSE = -9,              /**< malformed JSON, YAML, rollout file or address */
    TFS_EUNSUPPORTED = -10,       /**< the engine, version or schema_version lacks a feature */
    TFS_EPOLICY = -11,            /**< a policy refused the plan */
    TFS_EAWAITING_APPROVAL = -12, /**< a gate waits for approval */
    TFS_EDEADLINE = -13,          /**< a deadline passed */
    TFS_EIO = -14,                /**< reading or writing a file failed */
    TFS_EUNCONVERGED = -15        /**< a rollout ended with changes left (its final plan is not empty) */
} tfs_status;

/** The runtime version of the library, "MAJOR.MINOR.PATCH". Never NULL; owned by the library. */
TFS_EXTERN(const char *) tfs_version(void);

/**
 * The runtime version of the library as numbers.
 *
 * @param major, minor, patch receive the parts of the version; each may be NULL.
 * @return the version as one number, MAJOR * 1000000 + MINOR * 1000 + PATCH (0.1.0 is 1000;
 *     compare it with TFS_VERSION_NUMBER). Never negative, never fails.
 */
TFS_EXTERN(int) tfs_version_number(int *major, int *minor, int *patch);

/**
 * Whether this library serves a program compiled against headers of version major.minor
 * (call it as TFS_CHECK_VERSION(), once, before any other call). Compatible means:
 *   - while the library is 0.x: the same major (0) and the same minor (0.x releases may
 *     change the ABI between minors);
 *   - from 1.0: the same major, and a minor no newer than the library's (a newer header may
 *     declare functions this library lacks).
 * The patch level never matters.
 *
 * @return TFS_OK when compatible; TFS_EUNSUPPORTED when not, with a message naming both
 *     versions and what to do; TFS_EINVAL for a negative number.
 */
TFS_EXTERN(int) tfs_check_version(int major, int minor);

/**
 * Checks the loaded library against the headers this file was compiled with: TFS_OK, or
 * TFS_EUNSUPPORTED (see tfs_check_version and tfs_error_last()->message). Typical use:
 *
 *     if (TFS_CHECK_VERSION() != TFS_OK) {
 *         fprintf(stderr, "%s\n", tfs_error_last()->message);
 *         return 1;
 *     }
 */
#define TFS_CHECK_VERSION() tfs_check_version(TFS_VERSION_MAJOR, TFS_VERSION_MINOR)

/**
 * The name of a status code ("TFS_EINVAL"), or "TFS_UNKNOWN" for a value not in the enum.
 * Never NULL; static storage.
 */
TFS_EXTERN(const char *) tfs_status_name(int status);

/** Detail of the last failed call on the calling thread. */
typedef struct tfs_error {
    /** The tfs_status the call returned; TFS_OK when no call failed (or after tfs_error_clear). */
    int code;
    /** What went wrong and what to do, in one or more lines. Never NULL; "" when no error. */
    const char *message;
    /**
     * The diagnostics as a JSON array (never NULL; "[]" when none). Each element:
     * {"severity","summary","detail","filename","line","column","address"}. Rollout file
     * problems come as diagnostics with filename/line/column and the key in "address".
     */
    const char *diagnostics_json;
} tfs_error;

/**
 * The last error of the calling thread. Never NULL. The struct and its strings belong to the
 * library and stay valid until the next failing call (or tfs_error_clear) on the same thread.
 * A successful call does not clear it.
 */
TFS_EXTERN(const tfs_error *) tfs_error_last(void);

/** Resets the calling thread's last error to TFS_OK / "" / "[]". */
TFS_EXTERN(void) tfs_error_clear(void);

/** Frees a string returned through a `char **out` parameter. Accepts NULL. */
TFS_EXTERN(void) tfs_string_free(char *string);

/**
 * The keys a kind of JSON options accepts: any other key in those options is refused with
 * TFS_EINVAL (naming it and the closest known key), never ignored.
 *
 * @param kind      "engine" (tfs_engine_open), "init", "plan", "destroy", "run"
 *                  (tfs_rollout_run, tfs_rollout_resume, tfs_rollout_approve), "rollback"
 *                  (tfs_rollout_rollback), or "plan_source" (tfs_engine_stages_suggest,
 *                  tfs_engine_targets_expand).
 * @param out_json  receives {"schema_version":1,"kind":KIND,"keys":[...]} (sorted); free with
 *                  tfs_string_free. NULL on failure.
 * @return TFS_OK; TFS_EINVAL for a NULL argument or an unknown kind (the message lists the kinds).
 */
TFS_EXTERN(int) tfs_options_keys(const char *kind, char **out_json);

/**
 * The callback that receives events (JSON text, schema_version 1, documented in
 * docs/events.md) while a long call runs. `event_json` is valid only during the call.
 * Callbacks of one operation never run concurrently, but may run on a thread other than the
 * caller's. Returning non-zero cancels the operation: it stops as after a cancel (children get
 * SIGINT, state locks are released) and the operation returns TFS_ECANCELLED (or, for a
 * rollout, ends with outcome TFS_ECANCELLED, journal status "interrupted").
 */
typedef int (*tfs_event_cb)(const char *event_json, void *payload);

#ifdef __cplusplus
}
#endif

#endif
