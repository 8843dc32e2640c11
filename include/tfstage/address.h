/*
 * tfstage/address.h: Terraform resource addresses and patterns. Pure functions: safe from any
 * thread.
 */
#ifndef TFSTAGE_ADDRESS_H
#define TFSTAGE_ADDRESS_H

#include "tfstage/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Parses an address ("module.kafka[\"a\"].aws_msk_cluster.this[0]"):
 * {"schema_version":1,"address": canonical text,"module_path":[{"name","key"}],"mode",
 * "type","name","key","is_module":bool}. TFS_EPARSE with the column in the message.
 */
TFS_EXTERN(int) tfs_address_parse(const char *text, char **out_json);

/**
 * Whether `address` is matched by `pattern` (an address, which matches itself and what it
 * contains, or a pattern with * and ** segments). *out_matches is 1 or 0.
 */
TFS_EXTERN(int) tfs_address_match(const char *pattern, const char *address, int *out_matches);

/**
 * Expands a pattern or a bare resource type ("aws_instance") against known addresses
 * (a JSON array of strings, e.g. from tfs_engine_state_list): a JSON array of the matches.
 */
TFS_EXTERN(int) tfs_address_expand(const char *pattern, const char *known_addresses_json, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
