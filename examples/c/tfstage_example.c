/*
 * examples/c: libtfstage's C ABI from plain C99.
 *
 * Opens an engine on a root module, runs `init`, makes a targeted plan, prints its summary
 * and text rendering, applies exactly that plan, and lists the state to show that only the
 * target was created.
 *
 *   tfstage-example ROOT_DIR [TARGET]
 *
 * ROOT_DIR: a root module you do not mind changing (copy examples/c/infra first: the state
 * is written there). TARGET: the resource address to plan (default terraform_data.app).
 * The Terraform CLI config passed to every child comes from $TFSTAGE_CLI_CONFIG when set
 * (scripts/setup writes .cache/terraformrc); the binary from $TFSTAGE_TERRAFORM, else
 * terraform or tofu on PATH.
 *
 * Exit status: 0 when the target is in the state and nothing else is, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tfstage/tfstage.h>

/* Prints the calling thread's last error (code, message, diagnostics) for `what`. */
static void report(const char *what, int status)
{
    const tfs_error *error = tfs_error_last();
    fprintf(stderr, "tfstage-example: %s failed: %s (%d)\n  %s\n  diagnostics: %s\n", what,
            tfs_status_name(status), status, error->message, error->diagnostics_json);
}

/* Appends `text` to `out` (of `size` bytes) as a JSON string literal. 0 when it does not fit. */
static int json_string(char *out, size_t size, const char *text)
{
    size_t n = 0;
    const unsigned char *p;
    if (size < 3)
        return 0;
    out[n++] = '"';
    for (p = (const unsigned char *)text; *p; ++p) {
        if (n + 7 >= size)
            return 0;
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p < 0x20) {
            n += (size_t)sprintf(out + n, "\\u%04x", (unsigned)*p);
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n++] = '"';
    out[n] = '\0';
    return 1;
}

static int event_count;

/* Engine events (Terraform's -json UI lines): counted, not printed. 0: keep going. */
static int on_event(const char *event_json, void *payload)
{
    (void)event_json;
    ++*(int *)payload;
    return 0;
}

int main(int argc, char **argv)
{
    const char *root;
    const char *target = "terraform_data.app";
    const char *cli_config = getenv("TFSTAGE_CLI_CONFIG");
    char quoted[4096];
    char options[8192];
    char plan_options[8192];
    tfs_engine *engine = NULL;
    tfs_plan *plan = NULL;
    char *summary = NULL;
    char *text = NULL;
    char *result = NULL;
    char *state = NULL;
    int changes = 0;
    int status;
    int exit_code = 1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s ROOT_DIR [TARGET]\n", argv[0]);
        return 2;
    }
    root = argv[1];
    if (argc == 3)
        target = argv[2];

    /* The library must serve the headers this program was compiled against. */
    printf("libtfstage %s (headers %s)\n", tfs_version(), TFS_VERSION);
    if (TFS_CHECK_VERSION() != TFS_OK) {
        fprintf(stderr, "tfstage-example: %s\n", tfs_error_last()->message);
        return 1;
    }

    /* Engine options: JSON with a schema_version; only the CLI config here. */
    if (cli_config && *cli_config) {
        if (!json_string(quoted, sizeof quoted, cli_config)) {
            fprintf(stderr, "tfstage-example: TFSTAGE_CLI_CONFIG is too long\n");
            return 1;
        }
        snprintf(options, sizeof options, "{\"schema_version\":%d,\"cli_config\":%s}", TFS_SCHEMA_VERSION, quoted);
    } else {
        snprintf(options, sizeof options, "{\"schema_version\":%d}", TFS_SCHEMA_VERSION);
    }
    if (!json_string(quoted, sizeof quoted, target)) {
        fprintf(stderr, "tfstage-example: target too long\n");
        return 1;
    }
    snprintf(plan_options, sizeof plan_options, "{\"schema_version\":%d,\"targets\":[%s]}", TFS_SCHEMA_VERSION, quoted);

    if ((status = tfs_engine_open(&engine, root, options)) != TFS_OK) {
        report("tfs_engine_open", status);
        goto done;
    }
    if ((status = tfs_engine_set_event_callback(engine, on_event, &event_count)) != TFS_OK) {
        report("tfs_engine_set_event_callback", status);
        goto done;
    }
    if ((status = tfs_engine_init(engine, NULL)) != TFS_OK) {
        report("tfs_engine_init", status);
        goto done;
    }

    printf("\n== plan -target=%s\n", target);
    if ((status = tfs_engine_plan(engine, plan_options, &plan)) != TFS_OK) {
        report("tfs_engine_plan", status);
        goto done;
    }
    if ((status = tfs_plan_summary(plan, &summary)) != TFS_OK) {
        report("tfs_plan_summary", status);
        goto done;
    }
    printf("summary: %s\n", summary);
    if ((status = tfs_plan_render(plan, TFS_RENDER_TEXT, &text)) != TFS_OK) {
        report("tfs_plan_render", status);
        goto done;
    }
    printf("%s\n", text);
    if ((status = tfs_plan_changes_present(plan, &changes)) != TFS_OK) {
        report("tfs_plan_changes_present", status);
        goto done;
    }

    if (changes) {
        printf("== apply (the saved plan, exactly)\n");
        if ((status = tfs_engine_apply(engine, plan, &result)) != TFS_OK) {
            report("tfs_engine_apply", status);
            goto done;
        }
        printf("result: %s\n", result);
    } else {
        printf("== no changes: nothing to apply\n");
    }

    if ((status = tfs_engine_state_list(engine, NULL, &state)) != TFS_OK) {
        report("tfs_engine_state_list", status);
        goto done;
    }
    printf("state: %s\n", state);
    printf("engine events: %d\n", event_count);

    /* Only the target may be in the state (the example's root has terraform_data.worker too). */
    if (!strstr(state, target)) {
        fprintf(stderr, "tfstage-example: %s is not in the state after apply\n", target);
        goto done;
    }
    if (strcmp(target, "terraform_data.app") == 0 && strstr(state, "terraform_data.worker")) {
        fprintf(stderr, "tfstage-example: terraform_data.worker was applied although not targeted\n");
        goto done;
    }
    printf("ok\n");
    exit_code = 0;

done:
    /* Every free accepts NULL; returned strings go back through tfs_string_free. */
    tfs_string_free(state);
    tfs_string_free(result);
    tfs_string_free(text);
    tfs_string_free(summary);
    tfs_plan_free(plan);
    tfs_engine_free(engine);
    return exit_code;
}
