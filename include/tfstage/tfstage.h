/*
 * tfstage: staged Terraform / OpenTofu and CDK rollouts. The C ABI: the only public, stable
 * interface of libtfstage. Only tfs_* symbols are exported.
 */
#ifndef TFSTAGE_TFSTAGE_H
#define TFSTAGE_TFSTAGE_H

#include "tfstage/common.h"

#endif
