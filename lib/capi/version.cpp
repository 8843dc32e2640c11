// The C ABI: thin wrappers over the C++ core (see include/tfstage/).
#include "tfstage/tfstage.h"

extern "C" const char* tfs_version(void) { return TFSTAGE_VERSION_STRING; }
