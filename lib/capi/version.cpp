// tfs_version, tfs_version_number, tfs_check_version: what this library is, and whether it
// serves a program compiled against another version of the headers.
#include <string>
#include <string_view>

#include "guard.hpp"
#include "tfstage/tfstage.h"

namespace {

// CMake takes PROJECT_VERSION (TFSTAGE_VERSION_STRING) from common.h; this keeps them in step
// even if someone edits one by hand.
static_assert(std::string_view(TFSTAGE_VERSION_STRING) == TFS_VERSION,
              "TFSTAGE_VERSION_STRING (CMake's PROJECT_VERSION) differs from TFS_VERSION in common.h");

constexpr int kNumber = TFS_VERSION_NUMBER;

std::string text(int major, int minor) { return std::to_string(major) + "." + std::to_string(minor); }

}  // namespace

extern "C" {

const char* tfs_version(void) { return TFSTAGE_VERSION_STRING; }

int tfs_version_number(int* major, int* minor, int* patch) {
    if (major != nullptr) *major = TFS_VERSION_MAJOR;
    if (minor != nullptr) *minor = TFS_VERSION_MINOR;
    if (patch != nullptr) *patch = TFS_VERSION_PATCH;
    return kNumber;
}

int tfs_check_version(int major, int minor) {
    using tfstage::ErrorCode;
    return tfstage::capi::guard([&] {
        if (major < 0 || minor < 0)
            throw tfstage::Error(ErrorCode::invalid_argument,
                                 "tfs_check_version: the version " + text(major, minor) + " has a negative part");
        const bool compatible = TFS_VERSION_MAJOR == 0
                                    ? major == 0 && minor == TFS_VERSION_MINOR
                                    : major == TFS_VERSION_MAJOR && minor <= TFS_VERSION_MINOR;
        if (compatible) return TFS_OK;
        const std::string wanted = TFS_VERSION_MAJOR == 0 || major == 0 ? text(major, minor) + ".x"
                                                                         : text(major, minor) + " or a later " +
                                                                               std::to_string(major) + ".x";
        throw tfstage::Error(ErrorCode::unsupported,
                             "libtfstage " TFS_VERSION " cannot serve this program: it was compiled against the tfstage " +
                                 text(major, minor) + " headers and needs libtfstage " + wanted +
                                 " (while tfstage is 0.x only the same minor version is compatible; from 1.0 the same "
                                 "major). Rebuild the program against this library's headers, or load a matching "
                                 "libtfstage (LD_LIBRARY_PATH, TFSTAGE_LIBRARY for Python).");
    });
}

}  // extern "C"
