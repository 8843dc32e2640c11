/*
 * tfstage: staged Terraform / OpenTofu and CDK rollouts. The C ABI: the only public, stable
 * interface of libtfstage. Only tfs_* symbols are exported. Conventions (status codes,
 * ownership, threading) are described in tfstage/common.h.
 */
#ifndef TFSTAGE_TFSTAGE_H
#define TFSTAGE_TFSTAGE_H

#include "tfstage/common.h"
#include "tfstage/engine.h"
#include "tfstage/plan.h"
#include "tfstage/address.h"
#include "tfstage/rollout.h"

#endif
