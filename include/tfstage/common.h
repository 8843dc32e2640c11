/*
 * tfstage/common.h: version, export macro and status codes.
 */
#ifndef TFSTAGE_COMMON_H
#define TFSTAGE_COMMON_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(TFSTAGE_BUILDING_LIBRARY)
#define TFS_EXTERN(type) __attribute__((visibility("default"))) type
#else
#define TFS_EXTERN(type) type
#endif

/** Compile-time version of the headers. */
#define TFS_VERSION_MAJOR 0
#define TFS_VERSION_MINOR 1
#define TFS_VERSION_PATCH 0
#define TFS_VERSION "0.1.0"

/**
 * Status codes returned by every call: 0 for success, negative for failure. The values are
 * never renumbered; new codes are only added.
 */
typedef enum tfs_status {
    TFS_OK = 0,
    TFS_ERROR = -1,             /**< generic failure */
    TFS_EINVAL = -2,            /**< an argument is invalid (NULL, malformed, out of range) */
    TFS_ENOTFOUND = -3,         /**< a file, binary, workspace or stage does not exist */
    TFS_EENGINE = -4,           /**< terraform/tofu failed; diagnostics are attached */
    TFS_ESTALE = -5,            /**< a saved plan no longer matches the state */
    TFS_ELOCKED = -6,           /**< the state (or a rollout) is locked by someone else */
    TFS_ECANCELLED = -7,        /**< cancelled by the caller */
    TFS_ETIMEOUT = -8,          /**< a timeout ran out */
    TFS_EPARSE = -9,            /**< malformed JSON, YAML or address */
    TFS_EUNSUPPORTED = -10,     /**< the engine or version lacks a feature */
    TFS_EPOLICY = -11,          /**< a policy refused the plan */
    TFS_EAWAITING_APPROVAL = -12, /**< a gate waits for approval */
    TFS_EDEADLINE = -13,        /**< a deadline passed */
    TFS_EIO = -14               /**< reading or writing a file failed */
} tfs_status;

/**
 * The runtime version of the library, "MAJOR.MINOR.PATCH". Never NULL; owned by the library.
 */
TFS_EXTERN(const char *) tfs_version(void);

#ifdef __cplusplus
}
#endif

#endif
