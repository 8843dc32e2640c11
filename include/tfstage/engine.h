/*
 * tfstage/engine.h: Terraform or OpenTofu on one root module.
 *
 * An engine runs the real binary non-interactively and turns failures into TFS_EENGINE (or a
 * more specific code: TFS_ELOCKED for a held state lock, TFS_ESTALE for a stale plan) with the
 * tool's diagnostics in tfs_error_last()->diagnostics_json.
 *
 * Codes of a call that runs the binary: TFS_ENOTFOUND (the binary or root_dir has gone since
 * tfs_engine_open), TFS_EENGINE (the command failed), TFS_ECANCELLED (tfs_engine_cancel, or the
 * event callback returned non-zero), TFS_ETIMEOUT ("timeout_ms" ran out). The @return lines
 * below name these and the codes particular to each call.
 *
 * Threading: one thread at a time per engine, except tfs_engine_cancel (any thread).
 */
#ifndef TFSTAGE_ENGINE_H
#define TFSTAGE_ENGINE_H

#include "tfstage/common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tfs_engine tfs_engine;
typedef struct tfs_plan tfs_plan;

/**
 * Opens an engine on the root module in `root_dir` (which must exist). Nothing is run yet.
 *
 * @param out          receives the engine; free it with tfs_engine_free.
 * @param root_dir     the root module's directory.
 * @param options_json NULL for defaults, or {"schema_version":1,
 *     "binary": path (default: $TFSTAGE_TERRAFORM, terraform, then tofu on PATH),
 *     "cli_config": path of a Terraform CLI config for children (default: inherited),
 *     "workspace": name used by every call but the workspace ones (TF_WORKSPACE; default:
 *         the selected one; "" is refused with TFS_EINVAL),
 *     "env": {"NAME": "value"} extra environment for children,
 *     "timeout_ms": per command (0: none), "grace_ms": between SIGINT and SIGKILL on cancel,
 *         timeout, or when the process that loaded the library dies (default 60000),
 *     "lock_timeout": how long plan, apply and destroy wait for the state lock when the call
 *         gives no lock_timeout (default "30s"; "0s": fail at once),
 *     "inherit_tf_cli_args": false}
 * @return TFS_OK; TFS_EINVAL (NULL argument, bad option); TFS_EPARSE (invalid JSON);
 *     TFS_EUNSUPPORTED (schema_version); TFS_ENOTFOUND (no such directory or binary, or a
 *     "cli_config" that is a directory).
 */
TFS_EXTERN(int) tfs_engine_open(tfs_engine **out, const char *root_dir, const char *options_json);

/** Frees an engine. Accepts NULL. Plans made by it stay usable. */
TFS_EXTERN(void) tfs_engine_free(tfs_engine *engine);

/**
 * Receives the -json UI events of plan, apply and destroy (one JSON object per event, as the
 * engine wrote it) and the text lines of other commands as {"type":"output","line":"..."}.
 * NULL callback: none. A non-zero return cancels the running command (TFS_ECANCELLED).
 * The callback runs during the call that made the event, on the thread that made the call,
 * never two at once.
 *
 * @param callback receives each event; `event_json` is valid only during the call.
 * @param payload  passed unchanged to the callback.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine).
 */
TFS_EXTERN(int) tfs_engine_set_event_callback(tfs_engine *engine, tfs_event_cb callback, void *payload);

/**
 * Cancels the command the engine is running (SIGINT, then SIGKILL after the grace period):
 * that call returns TFS_ECANCELLED. Safe from any thread; no effect when idle.
 *
 * @return TFS_OK (also when idle); TFS_EINVAL (NULL or freed engine).
 */
TFS_EXTERN(int) tfs_engine_cancel(tfs_engine *engine);

/**
 * `version -json` (run once per engine, then cached): {"schema_version":1,
 * "flavour":"terraform"|"opentofu","version":"1.11.4","binary": path,"platform":"linux_amd64"}.
 *
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json); TFS_EPARSE (the binary did
 *     not print a version); TFS_ENOTFOUND, TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_version(tfs_engine *engine, char **out_json);

/**
 * `init`.
 *
 * @param options_json NULL for defaults, or {"schema_version":1,
 *     "backend_config": ["KEY=VALUE" (the value is redacted in messages) or a file path],
 *     "reconfigure": false, "upgrade": false, "backend": true}
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, an option of the wrong type);
 *     TFS_EPARSE (invalid JSON); TFS_EUNSUPPORTED (schema_version); TFS_ELOCKED (the tool
 *     reports a held state lock); TFS_ENOTFOUND, TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_init(tfs_engine *engine, const char *options_json);

/*
 * Workspaces. The "workspace" option does not apply to these (TF_WORKSPACE is not set for
 * them): they see and change the selection stored in the root module. `name` must be a
 * non-empty string.
 */

/**
 * The workspaces as a JSON array of names.
 * @param out_json receives the array; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json); TFS_ENOTFOUND,
 *     TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_list(tfs_engine *engine, char **out_json);

/**
 * The selected workspace's name (a plain string, not JSON).
 * @param out_name receives the name; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_name); TFS_ENOTFOUND,
 *     TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_show(tfs_engine *engine, char **out_name);

/**
 * Creates a workspace (and selects it, as the engine does).
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL or empty name); TFS_EENGINE (also when
 *     it exists already); TFS_ELOCKED (the tool reports a held state lock); TFS_ENOTFOUND,
 *     TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_new(tfs_engine *engine, const char *name);

/**
 * Selects a workspace.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL or empty name); TFS_ENOTFOUND (no
 *     such workspace, or the binary has gone); TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_select(tfs_engine *engine, const char *name);

/**
 * Selects a workspace, creating it first when missing (`workspace list`, then `select` or
 * `new`). Idempotent.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL or empty name); TFS_ELOCKED (the tool
 *     reports a held state lock while creating); TFS_ENOTFOUND, TFS_EENGINE, TFS_ECANCELLED,
 *     TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_select_or_create(tfs_engine *engine, const char *name);

/**
 * Deletes a workspace.
 * @param force non-zero: delete it even when its state still has resources (`-force`).
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL or empty name); TFS_ENOTFOUND (no
 *     such workspace, or the binary has gone); TFS_EENGINE (it is selected, or still has
 *     resources without force); TFS_ELOCKED (the tool reports a held state lock);
 *     TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_workspace_delete(tfs_engine *engine, const char *name, int force);

/**
 * `plan` into a saved plan file, then `show -json` of it, both kept in the returned plan.
 *
 * @param options_json NULL or {"schema_version":1,
 *     "vars": {"name": "value"} (secret: never shown), "var_files": [paths],
 *     "targets": [addresses], "excludes": [addresses] (OpenTofu >= 1.9),
 *     "replace": [addresses], "destroy": false, "refresh_only": false, "refresh": true,
 *     "out": path of the saved plan (default: a file under <root>/.terraform/tfstage-plans/
 *            that is removed when the plan is freed),
 *     "lock": true, "lock_timeout": "30s", "parallelism": 0}
 *     Addresses are checked before anything runs (TFS_EPARSE names the bad one). Relative
 *     paths (var_files, out) are taken from root_dir, where the engine runs.
 * @param out receives the plan; free it with tfs_plan_free. NULL on failure (a plan file the
 *     library made for it is removed then).
 * @return TFS_OK (whether or not the plan changes anything: see tfs_plan_changes_present);
 *     TFS_EINVAL (NULL or freed engine, NULL out, an option of the wrong type, an empty or
 *     invalid variable name); TFS_EPARSE (invalid JSON, a bad address, a `show -json` or
 *     `version -json` output that cannot be read); TFS_EUNSUPPORTED (schema_version, an engine
 *     version without -json plans, `show -json` or -exclude, a plan format_version this
 *     library does not read); TFS_ELOCKED (state lock held); TFS_EIO (the plan directory or the
 *     provenance record cannot be written, or "out" is a directory); TFS_ENOTFOUND (also a
 *     var file that is a directory, refused before anything runs), TFS_EENGINE,
 *     TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_plan(tfs_engine *engine, const char *options_json, tfs_plan **out);

/**
 * Applies exactly a saved plan made by tfs_engine_plan (of this or another engine on the same
 * root). The plan file's sha256 is checked against the plan's provenance first: a plan file
 * changed (or removed) since it was made gives TFS_ESTALE, as does a plan the state has moved
 * past.
 *
 * @param plan            a plan with a saved plan file (not one read from JSON); not consumed.
 * @param out_result_json NULL, or receives {"schema_version":1,"add":N,"change":N,"remove":N,
 *     "import":N,"forget":N}; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine or plan, a plan read from JSON); TFS_ESTALE
 *     (see above); TFS_ELOCKED (state lock held); TFS_EIO (the plan file cannot be read for its
 *     hash); TFS_EUNSUPPORTED (an engine version without -json apply); TFS_EPARSE (`version
 *     -json` output that cannot be read); TFS_ENOTFOUND (the binary, or the plan file of a plan
 *     without a provenance record, has gone); TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_apply(tfs_engine *engine, const tfs_plan *plan, char **out_result_json);

/**
 * `destroy -auto-approve` (runs `apply -destroy -auto-approve`: no plan to review).
 *
 * @param options_json NULL for defaults, or as for tfs_engine_plan, of which only
 *     "schema_version", "vars", "var_files", "targets", "excludes", "lock", "lock_timeout" and
 *     "parallelism" are read.
 * @param out_result_json NULL, or receives the document of tfs_engine_apply; free it with
 *     tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, an option of the wrong type, an empty or
 *     invalid variable name); TFS_EPARSE (invalid JSON, a bad address, `version -json` output
 *     that cannot be read); TFS_EUNSUPPORTED (schema_version, an engine version without -json
 *     apply or -exclude); TFS_ELOCKED (state lock held); TFS_ENOTFOUND, TFS_EENGINE,
 *     TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_destroy(tfs_engine *engine, const char *options_json, char **out_result_json);

/**
 * `show -json` of the current state (the engine's state model, format_version 1.x, as printed).
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json); TFS_EUNSUPPORTED (an
 *     engine version without `show -json`); TFS_EPARSE (`version -json` output that cannot be
 *     read); TFS_ENOTFOUND, TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_show_state(tfs_engine *engine, char **out_json);

/**
 * `output -json`: {"name": {"sensitive": bool, "type": ..., "value": ...}}. The values of
 * sensitive outputs are replaced by null unless reveal_sensitive is non-zero.
 *
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json); TFS_EPARSE (the output is
 *     not a JSON object); TFS_ENOTFOUND, TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_outputs(tfs_engine *engine, int reveal_sensitive, char **out_json);

/**
 * `show -json` of a saved plan file: the engine's whole plan document (format_version 1.x), as
 * printed (`tfstage engine show-json PLAN`). It holds the plan's values in clear text,
 * sensitive ones included: treat it as a secret. For the summary and the provenance record,
 * see tfs_plan_open_saved, tfs_plan_summary and tfs_plan_provenance.
 *
 * @param plan_file the saved plan; a relative path is taken from the process's current
 *     directory (as for tfs_plan_open_saved).
 * @param out_json  receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL argument); TFS_ENOTFOUND (no such
 *     plan file, the path is a directory, or the binary has gone); TFS_EUNSUPPORTED (an engine
 *     version without `show -json`); TFS_EPARSE (`version -json` output that cannot be read);
 *     TFS_EENGINE (not a plan file, or one of another engine version), TFS_ECANCELLED,
 *     TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_show_plan(tfs_engine *engine, const char *plan_file, char **out_json);

/**
 * One output's value as plain text, as `terraform output -raw NAME` prints it (`tfstage
 * engine output NAME --raw`): a string without quotes, a number or a bool as written. Lists,
 * maps and objects cannot be printed raw: use tfs_engine_outputs.
 *
 * @param name             the output's name.
 * @param reveal_sensitive non-zero to give a sensitive output's value; zero refuses it
 *     (TFS_EINVAL), so that a secret never reaches a log by accident.
 * @param out_text         receives the text (not JSON); free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL argument, an empty name, a sensitive
 *     output without reveal_sensitive); TFS_ENOTFOUND (no such output: the root has not been
 *     applied, or the name is wrong; or the binary has gone); TFS_EPARSE (`output -json` is not
 *     JSON); TFS_EENGINE (a value that cannot be printed raw), TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_output_raw(tfs_engine *engine, const char *name, int reveal_sensitive, char **out_text);

/**
 * The stage order of the root's modules, derived from its configuration (`tfstage stages
 * suggest --json`): the skeleton of a rollout file. A top-level module that uses module.vpc
 * comes after module.vpc; modules with no order between them share a stage.
 *
 * @param options_json NULL for a fresh untargeted plan of the root (without refresh), or
 *     {"schema_version":1, "plan": a saved plan or `show -json` document to read instead
 *     (relative: from the current directory), "vars": {"NAME": "value"}, "var_files": [paths]
 *     (relative: from the current directory)} (kind "plan_source" of tfs_options_keys).
 * @param out_json receives {"schema_version":1,"groups":[[module,...],...],
 *     "targets":[["module.vpc"],...],"depends_on":{module:[modules it uses]}}; free it with
 *     tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json, a bad option, an empty
 *     variable name); TFS_EPARSE (invalid JSON, a document that is not a plan);
 *     TFS_EUNSUPPORTED (schema_version, an engine version without -json plans);
 *     TFS_ENOTFOUND (a "plan" or var file that does not exist, or the binary has gone);
 *     TFS_ELOCKED (state lock held); TFS_EIO (a temporary file cannot be written);
 *     TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_stages_suggest(tfs_engine *engine, const char *options_json, char **out_json);

/**
 * The concrete addresses a pattern (`module.*.aws_sns_topic.*`) or a bare resource type
 * (`aws_security_group`, which Terraform refuses as a -target) selects among those the root
 * knows: its state, and what an untargeted plan would touch (`tfstage targets expand`).
 *
 * @param pattern      the pattern or bare type.
 * @param options_json as for tfs_engine_stages_suggest (kind "plan_source"); with "plan" only
 *     that plan's addresses are known (the live state is not listed).
 * @param out_json     receives {"schema_version":1,"addresses":[sorted],"known":N}; an empty
 *     "addresses" when nothing matches. Free it with tfs_string_free.
 * @return as tfs_engine_stages_suggest; TFS_EINVAL also for a NULL pattern; TFS_EPARSE also
 *     for a malformed pattern (refused before anything runs).
 */
TFS_EXTERN(int) tfs_engine_targets_expand(tfs_engine *engine, const char *pattern, const char *options_json,
                                          char **out_json);

/**
 * `validate -json`: {"schema_version":1,"valid":bool,"error_count":N,"warning_count":N,
 * "diagnostics":[...]}. An invalid configuration is a result, not an error: TFS_OK.
 *
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json); TFS_EENGINE (validate
 *     printed no JSON result); TFS_EPARSE (a JSON result without a boolean "valid", or a
 *     malformed diagnostic); TFS_ENOTFOUND (the binary has gone); TFS_ECANCELLED,
 *     TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_validate(tfs_engine *engine, char **out_json);

/**
 * `state list`: a JSON array of resource addresses. addresses_json: NULL for all, or a JSON
 * array of addresses to filter by. An empty state, or a filter that matches nothing, gives [].
 *
 * @param out_json receives the array; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL or freed engine, NULL out_json, addresses_json not an array
 *     of strings); TFS_EPARSE (addresses_json is not JSON); TFS_ENOTFOUND, TFS_EENGINE,
 *     TFS_ECANCELLED, TFS_ETIMEOUT.
 */
TFS_EXTERN(int) tfs_engine_state_list(tfs_engine *engine, const char *addresses_json, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
