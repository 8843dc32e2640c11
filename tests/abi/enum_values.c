/*
 * The values of the public enums are part of the ABI: callers compile them into their code.
 * abidw cannot see them (no exported function takes these types, so their debug info is
 * dropped), so this file is their baseline: it compiles only while every value is the one
 * released. A new code gets a new line here; an existing line never changes.
 */
#include "tfstage/tfstage.h"

#define TFS_STABLE(name, value) _Static_assert((name) == (value), #name " was renumbered: values are never changed")

TFS_STABLE(TFS_OK, 0);
TFS_STABLE(TFS_ERROR, -1);
TFS_STABLE(TFS_EINVAL, -2);
TFS_STABLE(TFS_ENOTFOUND, -3);
TFS_STABLE(TFS_EENGINE, -4);
TFS_STABLE(TFS_ESTALE, -5);
TFS_STABLE(TFS_ELOCKED, -6);
TFS_STABLE(TFS_ECANCELLED, -7);
TFS_STABLE(TFS_ETIMEOUT, -8);
TFS_STABLE(TFS_EPARSE, -9);
TFS_STABLE(TFS_EUNSUPPORTED, -10);
TFS_STABLE(TFS_EPOLICY, -11);
TFS_STABLE(TFS_EAWAITING_APPROVAL, -12);
TFS_STABLE(TFS_EDEADLINE, -13);
TFS_STABLE(TFS_EIO, -14);
TFS_STABLE(TFS_EUNCONVERGED, -15);

TFS_STABLE(TFS_RENDER_TEXT, 0);
TFS_STABLE(TFS_RENDER_MARKDOWN, 1);
TFS_STABLE(TFS_RENDER_JSON, 2);

TFS_STABLE(TFS_SCHEMA_VERSION, 1);
TFS_STABLE(TFS_VERSION_MAJOR, 0);
