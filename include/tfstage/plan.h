/*
 * tfstage/plan.h: plans, as made by tfs_engine_plan or read from a `show -json` document.
 *
 * A plan handle is immutable once made: the `show -json` document is parsed and summarised
 * when the plan is opened, and the queries only read that model, so they take no lock and may
 * be called from several threads at once. (tfs_plan_hash, and for a plan with a provenance
 * record tfs_plan_summary, tfs_plan_provenance and TFS_RENDER_JSON, also read the saved plan
 * file on every call, to hash it.)
 *
 * Every query returns TFS_EINVAL for a NULL or freed plan or a NULL out parameter.
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
 * @param out  receives the plan; free it with tfs_plan_free.
 * @param path the document's file (UTF-8, or UTF-16 with a byte order mark).
 * @return TFS_OK; TFS_EINVAL (NULL argument); TFS_ENOTFOUND (no such file); TFS_EIO (it cannot
 *     be read, or is a directory); TFS_EPARSE (not JSON, or not a plan); TFS_EUNSUPPORTED (a format_version with
 *     an unknown major version).
 */
TFS_EXTERN(int) tfs_plan_open_json_file(tfs_plan **out, const char *path);

/**
 * As tfs_plan_open_json_file, from `length` bytes of JSON text in memory (copied; need not be
 * NUL-terminated).
 * @param out receives the plan; free it with tfs_plan_free.
 * @return TFS_OK; TFS_EINVAL (NULL out or json); TFS_EPARSE (not JSON, or not a plan);
 *     TFS_EUNSUPPORTED (a format_version with an unknown major version).
 */
TFS_EXTERN(int) tfs_plan_open_json(tfs_plan **out, const char *json, size_t length);

/**
 * Opens a saved plan file made earlier (by tfs_engine_plan with "out", or by `tfstage run`):
 * runs `show -json` on it through `engine`. The plan's provenance record
 * (<plan>.provenance.json) is read when it exists. The file is not the plan's: tfs_plan_free
 * leaves it in place.
 *
 * @param out       receives the plan; free it with tfs_plan_free. It keeps what it needs of
 *     `engine` (usable after tfs_engine_free).
 * @param engine    runs `show -json` (its timeout and tfs_engine_cancel apply).
 * @param plan_file the saved plan; a relative path is taken from the process's current
 *     directory (not from root_dir, unlike "out" of tfs_engine_plan).
 * @return TFS_OK; TFS_EINVAL (NULL argument, freed engine); TFS_ENOTFOUND (no such plan file,
 *     the path is a directory, or the binary has gone); TFS_EPARSE (a malformed provenance record, `show -json` output
 *     that is not a plan, or `version -json` output that cannot be read); TFS_EUNSUPPORTED (a
 *     provenance record whose schema_version is not 1, an engine version without `show -json`, a
 *     plan format_version this library does not read); TFS_EIO (the provenance record cannot
 *     be read); TFS_EENGINE, TFS_ECANCELLED, TFS_ETIMEOUT (the `show` command).
 */
TFS_EXTERN(int) tfs_plan_open_saved(tfs_plan **out, tfs_engine *engine, const char *plan_file);

/**
 * Frees a plan. Accepts NULL. A plan file the library made for it (no "out") is removed, with
 * its provenance record.
 */
TFS_EXTERN(void) tfs_plan_free(tfs_plan *plan);

/**
 * Whether the plan changes anything (create, update, delete, replace, or outputs).
 * @param out receives 1 or 0.
 * @return TFS_OK; TFS_EINVAL.
 */
TFS_EXTERN(int) tfs_plan_changes_present(const tfs_plan *plan, int *out);

/**
 * The saved plan file's absolute path; "" for a plan read from JSON.
 * @param out_path receives the path: borrowed, valid as long as the plan.
 * @return TFS_OK; TFS_EINVAL.
 */
TFS_EXTERN(int) tfs_plan_file(const tfs_plan *plan, const char **out_path);

/**
 * The summary: {"schema_version":1,"format_version":"1.2","terraform_version":..,
 * "counts":{"create":N,"update":N,"delete":N,"replace":N,"read":N,"no_op":N},
 * "changes":[{"address","action"}...], "outputs":{...}, "errored":bool, "changes_present":bool,
 * "provenance":{...} (when the plan has a record, as tfs_plan_provenance), ...}
 * (the same document as `tfstage show --json`).
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL; TFS_EIO (a plan with a provenance record: its plan file cannot
 *     be read to compute "plan_matches").
 */
TFS_EXTERN(int) tfs_plan_summary(const tfs_plan *plan, char **out_json);

/**
 * Every resource change: {"schema_version":1,"resource_changes":[{"address","module_address",
 * "type","name","index","mode","provider_name","actions":[..],"action_reason",
 * "replace_paths":[..]}], "output_changes":{...}}. Sensitive values are never included.
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL.
 */
TFS_EXTERN(int) tfs_plan_changes(const tfs_plan *plan, char **out_json);

/**
 * The provenance record (what the plan file is and how it was made): {"schema_version":1,
 * "plan_file","plan_sha256","engine":{..},"working_dir","workspace","targets","excludes",
 * "var_files":[{"path","sha256"}],"created_at","git","plan_matches":bool} ("plan_matches":
 * whether the plan file's sha256 is still plan_sha256, computed on each call).
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL; TFS_ENOTFOUND (a plan read from JSON, or a saved plan opened
 *     without a provenance record next to it); TFS_EIO (the plan file cannot be read).
 */
TFS_EXTERN(int) tfs_plan_provenance(const tfs_plan *plan, char **out_json);

/**
 * The sha256 (lowercase hex) of the saved plan file, as it is now (hashed on each call).
 * @param out_hex receives the hash; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL; TFS_ENOTFOUND (a plan read from JSON); TFS_EIO (the plan file
 *     cannot be read, also when it has been removed).
 */
TFS_EXTERN(int) tfs_plan_hash(const tfs_plan *plan, char **out_hex);

/** Rendering formats of tfs_plan_render. */
typedef enum tfs_render_format {
    TFS_RENDER_TEXT = 0,     /**< what a person reads at a terminal */
    TFS_RENDER_MARKDOWN = 1, /**< for a pull request comment */
    TFS_RENDER_JSON = 2      /**< the summary document */
} tfs_render_format;

/**
 * Renders the summary.
 * @param format   a tfs_render_format.
 * @param out_text receives the text; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (also for an unknown format); TFS_EIO (TFS_RENDER_JSON only, as
 *     tfs_plan_summary).
 */
TFS_EXTERN(int) tfs_plan_render(const tfs_plan *plan, int format, char **out_text);

/**
 * Evaluates policy rules (JSON or YAML text, the format of docs/rollout-file.md "policies")
 * against the plan. A refused plan is a result, not an error: TFS_OK with
 * {"schema_version":1,"allowed":bool,"violations":[{"rule","address","message"}]}.
 * @param rules_text the rules, NUL-terminated.
 * @param out_json   receives the result; free it with tfs_string_free.
 * @return TFS_OK (allowed or not); TFS_EINVAL (also NULL rules_text); TFS_EPARSE (malformed
 *     rules: invalid YAML/JSON, an unknown key, a value of the wrong type, a bad address
 *     pattern in deny_delete).
 */
TFS_EXTERN(int) tfs_plan_evaluate_policy(const tfs_plan *plan, const char *rules_text, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
