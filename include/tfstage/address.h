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
 * {"schema_version":1,"address": canonical text,"module_path":[{"name","key"}],
 * "module_address","mode","type","name","key","is_module":bool} (mode, type, name and key
 * are null for a module address).
 *
 * @param out_json receives the document; free it with tfs_string_free.
 * @return TFS_OK; TFS_EINVAL (NULL argument); TFS_EPARSE (not an address; the message names
 *     the column).
 */
TFS_EXTERN(int) tfs_address_parse(const char *text, char **out_json);

/**
 * Whether `address` is matched by `pattern` (an address, which matches itself and what it
 * contains, or a pattern with * and ** segments). *out_matches is 1 or 0.
 *
 * @param out_matches receives 1 or 0 (0 on failure).
 * @return TFS_OK (match or not); TFS_EINVAL (NULL argument); TFS_EPARSE (`pattern` is not a
 *     pattern or `address` not an address).
 */
TFS_EXTERN(int) tfs_address_match(const char *pattern, const char *address, int *out_matches);

/**
 * Expands a pattern or a bare resource type ("aws_instance") against known addresses
 * (a JSON array of strings, e.g. from tfs_engine_state_list): a JSON array of the matches,
 * canonical, in their given order, without duplicates.
 *
 * @param out_json receives the array; free it with tfs_string_free.
 * @return TFS_OK (also when nothing matches: []); TFS_EINVAL (NULL argument,
 *     known_addresses_json not an array of strings); TFS_EPARSE (`pattern` is neither a
 *     pattern nor a bare type, known_addresses_json is not JSON, or one of its strings is not
 *     an address).
 */
TFS_EXTERN(int) tfs_address_expand(const char *pattern, const char *known_addresses_json, char **out_json);

#ifdef __cplusplus
}
#endif

#endif
