/*
 * tfstage/engine.h: Terraform or OpenTofu on one root module.
 *
 * An engine runs the real binary non-interactively and turns failures into TFS_EENGINE (or a
 * more specific code: TFS_ELOCKED for a held state lock, TFS_ESTALE for a stale plan) with the
 * tool's diagnostics in tfs_error_last()->diagnostics_json.
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
 *     "workspace": name used by every call (TF_WORKSPACE; default: the selected one),
 *     "env": {"NAME": "value"} extra environment for children,
 *     "timeout_ms": per command (0: none), "grace_ms": between SIGINT and SIGKILL on cancel,
 *     "inherit_tf_cli_args": false}
 * @return TFS_OK; TFS_EINVAL (NULL argument, bad option); TFS_EPARSE (invalid JSON);
 *     TFS_EUNSUPPORTED (schema_version); TFS_ENOTFOUND (no such directory or binary).
 */
TFS_EXTERN(int) tfs_engine_open(tfs_engine **out, const char *root_dir, const char *options_json);

/** Frees an engine. Accepts NULL. Plans made by it stay usable. */
TFS_EXTERN(void) tfs_engine_free(tfs_engine *engine);

/**
 * Receives the -json UI events of plan, apply and destroy (one JSON object per event, as the
 * engine wrote it) and the text lines of other commands as {"type":"output","line":"..."}.
 * NULL callback: none. A non-zero return cancels the running command (TFS_ECANCELLED).
 * The callback runs during the call that made the event, possibly on a library thread (the
 * readers of the child's output), never two at once.
 */
TFS_EXTERN(int) tfs_engine_set_event_callback(tfs_engine *engine, tfs_event_cb callback, void *payload);

/**
 * Cancels the command the engine is running (SIGINT, then SIGKILL after the grace period):
 * that call returns TFS_ECANCELLED. Safe from any thread; no effect when idle.
 */
TFS_EXTERN(int) tfs_engine_cancel(tfs_engine *engine);

/** `version -json`: {"schema_version":1,"flavour":"terraform","version":"1.11.4","binary":...}. */
TFS_EXTERN(int) tfs_engine_version(tfs_engine *engine, char **out_json);

/**
 * `init`. options_json: NULL or {"backend_config": ["KEY=VALUE" or a file path],
 * "reconfigure": false, "upgrade": false, "backend": true}.
 */
TFS_EXTERN(int) tfs_engine_init(tfs_engine *engine, const char *options_json);

/** The workspaces as a JSON array of names. */
TFS_EXTERN(int) tfs_engine_workspace_list(tfs_engine *engine, char **out_json);
/** The selected workspace's name (a plain string). */
TFS_EXTERN(int) tfs_engine_workspace_show(tfs_engine *engine, char **out_name);
/** Creates a workspace (and selects it, as the engine does). TFS_EENGINE when it exists. */
TFS_EXTERN(int) tfs_engine_workspace_new(tfs_engine *engine, const char *name);
/** Selects a workspace. TFS_ENOTFOUND when it does not exist. */
TFS_EXTERN(int) tfs_engine_workspace_select(tfs_engine *engine, const char *name);
/** Selects a workspace, creating it first when missing. Idempotent. */
TFS_EXTERN(int) tfs_engine_workspace_select_or_create(tfs_engine *engine, const char *name);
/** Deletes a workspace; force deletes one that still has resources. */
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
 * @param out receives the plan; free it with tfs_plan_free.
 */
TFS_EXTERN(int) tfs_engine_plan(tfs_engine *engine, const char *options_json, tfs_plan **out);

/**
 * Applies exactly a saved plan made by tfs_engine_plan (of this or another engine on the same
 * root). The plan file's sha256 is checked against the plan's provenance first: a plan file
 * changed since it was made gives TFS_ESTALE, as does a plan the state has moved past.
 * out_result_json (may be NULL): {"schema_version":1,"add":N,"change":N,"remove":N,...}.
 */
TFS_EXTERN(int) tfs_engine_apply(tfs_engine *engine, const tfs_plan *plan, char **out_result_json);

/**
 * `destroy -auto-approve`. options_json: as for tfs_engine_plan (vars, var_files, targets,
 * excludes, lock, lock_timeout, parallelism). out_result_json may be NULL.
 */
TFS_EXTERN(int) tfs_engine_destroy(tfs_engine *engine, const char *options_json, char **out_result_json);

/** `show -json` of the current state (the state model, format_version 1.x). */
TFS_EXTERN(int) tfs_engine_show_state(tfs_engine *engine, char **out_json);

/**
 * `output -json`: {"name": {"sensitive": bool, "type": ..., "value": ...}}. The values of
 * sensitive outputs are replaced by null unless reveal_sensitive is non-zero.
 */
TFS_EXTERN(int) tfs_engine_outputs(tfs_engine *engine, int reveal_sensitive, char **out_json);

/**
 * `validate -json`: {"schema_version":1,"valid":bool,"error_count":N,"warning_count":N,
 * "diagnostics":[...]}. An invalid configuration is a result, not an error: TFS_OK.
 */
TFS_EXTERN(int) tfs_engine_validate(tfs_engine *engine, char **out_json);

/**
 * `state list`: a JSON array of resource addresses. addresses_json: NULL for all, or a JSON
 * array of addresses to filter by. An empty state, or a filter that matches nothing, gives [].
 */
TFS_EXTERN(int) tfs_engine_state_list(tfs_engine *engine, const char *addresses_json, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
