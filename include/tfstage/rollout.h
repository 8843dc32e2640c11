/*
 * tfstage/rollout.h: rollout files and their runs (what `tfstage run/plan/resume/status/
 * history/graph` do).
 *
 * Threading: one run or resume at a time per rollout handle; tfs_rollout_cancel may be called
 * from any thread while it runs. tfs_rollout_describe and tfs_rollout_graph are safe from any
 * thread. Event callbacks run on library threads, never two at once.
 */
#ifndef TFSTAGE_ROLLOUT_H
#define TFSTAGE_ROLLOUT_H

#include "tfstage/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tfs_rollout tfs_rollout;
typedef struct tfs_run tfs_run;

/**
 * Loads and validates a rollout file (YAML or JSON). Every problem of the file is reported
 * at once: TFS_EPARSE, with one diagnostic per problem (filename, line, column, the key in
 * "address", the message in "summary").
 *
 * @param out  receives the rollout; free it with tfs_rollout_free.
 * @param path the rollout file; relative paths in it are taken from its directory.
 * @return TFS_OK; TFS_EINVAL (NULL argument); TFS_ENOTFOUND (the file cannot be opened, or the
 *     path is a directory);
 *     TFS_EPARSE (not YAML or JSON, or not a valid rollout file).
 */
TFS_EXTERN(int) tfs_rollout_load(tfs_rollout **out, const char *path);

/** Frees a rollout. Accepts NULL. Runs made from it stay usable. Must not be running. */
TFS_EXTERN(void) tfs_rollout_free(tfs_rollout *rollout);

/**
 * The loaded file: {"schema_version":1,"file","name","roots":[{"name","path"}],
 * "environments":[{"name","workspace","approval"}],"stages":[{"name","kind","root","targets",
 * "needs"}]}, plus "environments[].directory", "vars" (names only) and "interrupt_grace_ms"
 * (when the file sets interrupt_grace), and "stages[].excludes",
 * "description" and "approval". Variable values are never included.
 *
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed rollout, NULL out_json).
 */
TFS_EXTERN(int) tfs_rollout_describe(const tfs_rollout *rollout, char **out_json);

/**
 * The stage graph.
 * @param format   "dot", "mermaid" or "json" ({"schema_version":1,"stages":[{"name","needs",
 *     "label"}],"order":[names]}).
 * @param out_text receives the text; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed rollout, NULL argument, another format).
 */
TFS_EXTERN(int) tfs_rollout_graph(const tfs_rollout *rollout, const char *format, char **out_text);

/**
 * Runs the rollout in one environment (`tfstage run`), blocking until the run ends.
 *
 * @param options_json {"schema_version":1,"environment": name (required),
 *     "auto_approve": false (approve every gate of the run),
 *     "approve": refused here (TFS_EINVAL): a new run has no plan anyone has seen; see
 *     tfs_rollout_approve,
 *     "only": [stage names], "from": stage name, "parallelism": 4,
 *     "plan_only": false (`tfstage plan`), "state_dir": path (default: <file's dir>/.tfstage),
 *     "cli_config": path, "converge": true, "unconverged": "failure"|"warning",
 *     "grace_ms": 60000 (between SIGINT and SIGKILL for every child; an environment's
 *         interrupt_grace replaces it), "approver": name,
 *     "allow_dirty", "allow_branch", "allow_behind": false (go on although the environment's
 *         require_clean, require_branch or require_up_to_date guard refuses; the override is
 *         journaled and reported as a "warning" event; `--allow-dirty` ...),
 *     "changed_since": a git revision (only the stages whose code changed since the
 *         merge-base of it and HEAD, plus the working tree, and the stages that need them;
 *         `--changed-since`; an unknown revision is TFS_EINVAL before anything runs)}
 * @param callback  events (docs/events.md) as they happen; NULL for none. Returning non-zero
 *     cancels the run. `event_json` is valid only during the call.
 * @param payload   passed unchanged to the callback.
 * @param out_run   receives the run once it has started (a journal exists), whatever its
 *     outcome; free it with tfs_run_free. NULL whenever the call returns an error.
 * @return TFS_OK when the run started and ended: its outcome (succeeded, failed,
 *     awaiting_approval, cancelled, deadline) is tfs_run_outcome. Before starting:
 *     TFS_EINVAL (NULL or freed rollout, NULL out_run, an option of the wrong type or out of
 *     range, no "environment", a stage name the file does not have, a run or resume already in
 *     progress on this handle); TFS_EPARSE (invalid JSON); TFS_EUNSUPPORTED (schema_version);
 *     TFS_ENOTFOUND (environment); TFS_ELOCKED (a root and workspace is locked by another run; the message names
 *     it); TFS_EPOLICY (the environment's git guards refuse the run; not for "plan_only");
 *     TFS_EIO (the state directory, journal or lock file cannot be written, or the rollout
 *     file can no longer be read). An ELOCKED refusal writes nothing (no journal); an EPOLICY
 *     refusal is journaled (status "policy_violation"), which tfs_rollout_history lists, but
 *     gives no tfs_run.
 */
TFS_EXTERN(int) tfs_rollout_run(tfs_rollout *rollout, const char *options_json, tfs_event_cb callback,
                                void *payload, tfs_run **out_run);

/**
 * Continues a run from its journal (`tfstage resume`): run_id NULL for the latest run in the
 * state directory. options_json as for tfs_rollout_run (the environment comes from the
 * journal; "approve": ["STAGE" or "STAGE=SHA256"] approves the plans now awaiting approval
 * for those stages, see tfs_rollout_approve). The rollout file is read again from
 * the path the journal names; `rollout` gives the default state directory (<file's dir>/.tfstage)
 * and checks the stage names of options_json.
 *
 * @param run_id   the run to continue; NULL or "" for the latest.
 * @param out_run  as for tfs_rollout_run.
 * @return as tfs_rollout_run (with the environment from the journal), and also:
 *     TFS_ENOTFOUND (no run to resume, no run run_id, or the rollout file cannot be opened);
 *     TFS_EINVAL (the run already succeeded or is a rollback, the file no longer has the run's
 *     environment or stages, or no longer validates: TFS_EINVAL here, not TFS_EPARSE; an
 *     "approve" entry for a stage with no plan awaiting approval, or whose hash is not the
 *     awaiting plan's); TFS_ELOCKED (the run's process is still alive on this machine);
 *     TFS_EPARSE (the journal is not a JSON object).
 */
TFS_EXTERN(int) tfs_rollout_resume(tfs_rollout *rollout, const char *run_id, const char *options_json,
                                   tfs_event_cb callback, void *payload, tfs_run **out_run);

/**
 * Approves the plan awaiting approval for one stage and continues the run:
 * tfs_rollout_resume with "approve": [stage]. The approval is for that plan only (the one the
 * gate showed, whose sha256 the journal and tfs_rollout_status give): it is applied only if
 * its hash still matches; a plan made again (stale, or the stage's inputs changed) stops at
 * the gate again, and no other stage's plan is approved by it.
 *
 * @param stage "STAGE", or "STAGE=SHA256" (the plan's sha256 or a prefix of at least 8 hex
 *     digits) to refuse the approval unless that is the plan awaiting.
 * @return as tfs_rollout_resume; TFS_EINVAL also for a NULL stage or a stage not in the file.
 */
TFS_EXTERN(int) tfs_rollout_approve(tfs_rollout *rollout, const char *run_id, const char *stage,
                                    const char *options_json, tfs_event_cb callback, void *payload,
                                    tfs_run **out_run);

/**
 * Rolls back a run (`tfstage rollback RUN`): the configuration of the last successful run
 * before it, in the same environment, is planned from that run's git commit and applied stage
 * by stage in reverse order, through the same gates (stages with `rollback: false` are
 * skipped). Journaled as a run of kind "rollback"; a "rollback_target" event names the run and
 * commit rolled back to. Cancelled by tfs_rollout_cancel like a run.
 *
 * @param run_id       the run to roll back (required).
 * @param options_json NULL for defaults, or {"schema_version":1, "approve": ["STAGE"] (approve
 *     these stages' gates in advance), "auto_approve": false, "state_dir": path (default:
 *     <file's dir>/.tfstage), "cli_config": path, "grace_ms": 60000, "approver": name}
 *     (kind "rollback" of tfs_options_keys).
 * @param out_run      as for tfs_rollout_run.
 * @return TFS_OK when the rollback ran (its outcome is tfs_run_outcome); TFS_EINVAL (NULL or
 *     freed rollout, NULL or empty run_id, NULL out_run, a bad option, a stage name the file
 *     does not have, a run that was a plan or has no stage to roll back, a run or resume
 *     already in progress on this handle); TFS_ENOTFOUND (no run run_id, no successful run of
 *     its environment before it, the file no longer in a git repository, or a root missing
 *     from that run's commit); TFS_EUNSUPPORTED (also a root outside the repository); TFS_EPARSE (invalid JSON, a journal that is
 *     not a JSON object); TFS_EUNSUPPORTED (schema_version); TFS_ELOCKED (a root and workspace
 *     is locked by another run); TFS_EIO (the state directory, journal or a commit's files
 *     cannot be written).
 */
TFS_EXTERN(int) tfs_rollout_rollback(tfs_rollout *rollout, const char *run_id, const char *options_json,
                                     tfs_event_cb callback, void *payload, tfs_run **out_run);

/**
 * Validates a rollout file without keeping it (`tfstage validate FILE --json`): every problem
 * at once. An invalid file is a result, not an error.
 *
 * @param path     the rollout file.
 * @param out_json receives {"schema_version":1,"file","valid":bool,"problems":[...]}, each
 *     problem a diagnostic as in tfs_error (severity "error", the message in "summary",
 *     "filename", "line", "column", the key in "address"), plus "stages" and "environments"
 *     (counts) for a valid file. Free it with tfs_string_free.
 * @return TFS_OK (valid or not); TFS_EINVAL (NULL argument); TFS_ENOTFOUND (the file cannot be
 *     opened, or the path is a directory).
 */
TFS_EXTERN(int) tfs_rollout_validate(const char *path, char **out_json);

/**
 * Cancels the run or resume in progress on this rollout: running children get SIGINT (then
 * SIGKILL after the grace period, 60 s by default), state locks are released, and the run ends with outcome
 * TFS_ECANCELLED (journal status "interrupted"). Safe from any thread; no effect when nothing runs.
 *
 * @return TFS_OK (also when nothing runs); TFS_EINVAL (NULL or freed rollout).
 */
TFS_EXTERN(int) tfs_rollout_cancel(tfs_rollout *rollout);

/** Frees a run. Accepts NULL. */
TFS_EXTERN(void) tfs_run_free(tfs_run *run);

/**
 * The run's id.
 * @param out_id receives the id: borrowed, valid as long as the run.
 * @return TFS_OK; TFS_EINVAL (NULL or freed run, NULL out_id).
 */
TFS_EXTERN(int) tfs_run_id(const tfs_run *run, const char **out_id);

/**
 * The run's outcome as a status: TFS_OK (succeeded), TFS_ERROR (failed, rolled back, rollback
 * failed), TFS_EUNCONVERGED (changes left after the rollout, which the command exits 6 for),
 * TFS_EAWAITING_APPROVAL, TFS_ECANCELLED (journal word "interrupted"), TFS_EDEADLINE,
 * TFS_EPOLICY (a policy refused a stage's plan). One table (lib/rollout/run_outcome) gives
 * these codes, the command's exit codes and the Python exceptions. *out_status_name gets the
 * journal's word ("succeeded", ...) when not NULL (borrowed, valid as long as the run).
 *
 * @param out_status      receives the outcome; TFS_OK (0) on failure.
 * @param out_status_name NULL, or receives the word; NULL on failure.
 * @return TFS_OK (whatever the outcome); TFS_EINVAL (NULL or freed run, NULL out_status).
 */
TFS_EXTERN(int) tfs_run_outcome(const tfs_run *run, int *out_status, const char **out_status_name);

/**
 * The run's journal as it was when the call that made the run returned (as `tfstage status
 * --json`), with "schema_version".
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed run, NULL out_json).
 */
TFS_EXTERN(int) tfs_run_journal(const tfs_run *run, char **out_json);

/**
 * A run's journal from a state directory (`tfstage status`).
 * @param state_dir the state directory (<rollout file's dir>/.tfstage by default).
 * @param run_id    the run; NULL or "" for the latest.
 * @param out_json  receives the journal; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL state_dir or out_json); TFS_ENOTFOUND (no runs, no such
 *     run, or its journal cannot be read); TFS_EPARSE (the journal is not a JSON object).
 */
TFS_EXTERN(int) tfs_rollout_status(const char *state_dir, const char *run_id, char **out_json);

/**
 * Every run in a state directory, oldest first (`tfstage history --json`): a JSON array of
 * {"run","kind","environment","status","started_at","finished_at","git"}. A state directory
 * that does not exist gives []; a journal that cannot be read is listed with status
 * "unreadable".
 * @param out_json receives the array; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL state_dir or out_json).
 */
TFS_EXTERN(int) tfs_rollout_history(const char *state_dir, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
