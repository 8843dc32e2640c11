/*
 * tfstage/plan.h: plans, as made by tfs_engine_plan or read from a `show -json` document.
 *
 * A plan handle is immutable once made. Its queries may be called from several threads at
 * once (the model is read lazily under a lock).
 */
#ifndef TFSTAGE_PLAN_H
#define TFSTAGE_PLAN_H

#include "tfstage/common.h"
#include "tfstage/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Reads a plan from a `terraform show -json PLANFILE` document in a file. Such a plan has no
 * saved plan file: it can be summarised and rendered, not applied.
 * @return TFS_OK; TFS_ENOTFOUND/TFS_EIO (file); TFS_EPARSE (not JSON, or not a plan);
 *     TFS_EUNSUPPORTED (a format_version with an unknown major version).
 */
TFS_EXTERN(int) tfs_plan_open_json_file(tfs_plan **out, const char *path);

/** As tfs_plan_open_json_file, from `length` bytes of JSON text in memory (copied). */
TFS_EXTERN(int) tfs_plan_open_json(tfs_plan **out, const char *json, size_t length);

/**
 * Opens a saved plan file made earlier (by tfs_engine_plan with "out", or by `tfstage run`):
 * runs `show -json` on it through `engine`. The plan's provenance record
 * (<plan>.provenance.json) is read when it exists.
 */
TFS_EXTERN(int) tfs_plan_open_saved(tfs_plan **out, tfs_engine *engine, const char *plan_file);

/** Frees a plan. Accepts NULL. A plan file the library made for it (no "out") is removed. */
TFS_EXTERN(void) tfs_plan_free(tfs_plan *plan);

/** Whether the plan changes anything (create, update, delete, replace, or outputs). */
TFS_EXTERN(int) tfs_plan_changes_present(const tfs_plan *plan, int *out);

/** The saved plan file's path; "" for a plan read from JSON. Borrowed. */
TFS_EXTERN(int) tfs_plan_file(const tfs_plan *plan, const char **out_path);

/**
 * The summary: {"schema_version":1,"format_version":"1.2","terraform_version":..,
 * "counts":{"create":N,"update":N,"delete":N,"replace":N,"read":N,"no_op":N},
 * "changes":[{"address","action"}...], "outputs":{...}, "errored":bool, ...}
 * (the same document as `tfstage show --json`).
 */
TFS_EXTERN(int) tfs_plan_summary(const tfs_plan *plan, char **out_json);

/**
 * Every resource change: {"schema_version":1,"resource_changes":[{"address","module_address",
 * "type","name","index","mode","provider_name","actions":[..],"action_reason",
 * "replace_paths":[..]}], "output_changes":{...}}. Sensitive values are never included.
 */
TFS_EXTERN(int) tfs_plan_changes(const tfs_plan *plan, char **out_json);

/**
 * The provenance record (what the plan file is and how it was made): {"schema_version":1,
 * "plan_file","plan_sha256","engine":{..},"working_dir","workspace","targets","excludes",
 * "var_files":[{"path","sha256"}],"created_at","git"}. TFS_ENOTFOUND for a plan read from JSON.
 */
TFS_EXTERN(int) tfs_plan_provenance(const tfs_plan *plan, char **out_json);

/** The sha256 (lowercase hex) of the saved plan file. TFS_ENOTFOUND for a plan read from JSON. */
TFS_EXTERN(int) tfs_plan_hash(const tfs_plan *plan, char **out_hex);

/** Rendering formats of tfs_plan_render. */
typedef enum tfs_render_format {
    TFS_RENDER_TEXT = 0,     /**< what a person reads at a terminal */
    TFS_RENDER_MARKDOWN = 1, /**< for a pull request comment */
    TFS_RENDER_JSON = 2      /**< the summary document */
} tfs_render_format;

/** Renders the summary. TFS_EINVAL for an unknown format. */
TFS_EXTERN(int) tfs_plan_render(const tfs_plan *plan, int format, char **out_text);

/**
 * Evaluates policy rules (JSON or YAML text, the format of docs/rollout-file.md "policies")
 * against the plan. A refused plan is a result, not an error: TFS_OK with
 * {"schema_version":1,"allowed":bool,"violations":[{"rule","address","message"}]}.
 * TFS_EPARSE for malformed rules.
 */
TFS_EXTERN(int) tfs_plan_evaluate_policy(const tfs_plan *plan, const char *rules_text, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
