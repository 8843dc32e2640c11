# Install rules (cmake-init's layout): what other projects consume is the C ABI only:
#
#   lib/libtfstage.so*                      the shared library (soname libtfstage.so.1)
#   include/tfstage/*.h                     its public headers
#   lib/cmake/tfstage/tfstageConfig*.cmake  find_package(tfstage 0.1): the tfstage::tfstage target
#   lib/cmake/tfstage/tfstageTargets*.cmake
#   lib/pkgconfig/tfstage.pc                pkg-config --cflags --libs tfstage
#   bin/tfstage                             the command
#
# The static core (tfstage_core) is linked PRIVATE into libtfstage.so, so neither it nor its
# dependencies (libgit2, spdlog, nlohmann_json, Boost, ...) appear in the export set or in
# the package config: the public headers are plain C and need nothing.
#
# Components: tfstage_Runtime (the .so.1 and the command), tfstage_Development (headers,
# the libtfstage.so link, CMake and pkg-config files).
option(TFSTAGE_INSTALL "Generate the install rules" ${PROJECT_IS_TOP_LEVEL})
if(NOT TFSTAGE_INSTALL)
  return()
endif()

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(TFSTAGE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/tfstage"
    CACHE STRING "Where tfstageConfig.cmake is installed (relative to the prefix)")
set(TFSTAGE_INSTALL_PKGCONFIGDIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
    CACHE STRING "Where tfstage.pc is installed (relative to the prefix)")
mark_as_advanced(TFSTAGE_INSTALL_CMAKEDIR TFSTAGE_INSTALL_PKGCONFIGDIR)

install(TARGETS tfstage
  EXPORT tfstageTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
    COMPONENT tfstage_Runtime
    NAMELINK_COMPONENT tfstage_Development)

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/tfstage"
  DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
  COMPONENT tfstage_Development
  FILES_MATCHING PATTERN "*.h")

install(TARGETS tfstage_cli
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  COMPONENT tfstage_Runtime)

# CMake package: relocatable (paths relative to the config file). The version file follows
# tfs_check_version(): while tfstage is 0.x, a minor release may break the ABI, so
# find_package(tfstage 0.1) accepts only 0.1.x (SameMinorVersion); from 1.0, any 1.x at least
# the one asked for (SameMajorVersion).
install(EXPORT tfstageTargets
  NAMESPACE tfstage::
  DESTINATION "${TFSTAGE_INSTALL_CMAKEDIR}"
  COMPONENT tfstage_Development)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/tfstageConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/tfstageConfig.cmake"
  INSTALL_DESTINATION "${TFSTAGE_INSTALL_CMAKEDIR}")
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(_tfstage_package_compatibility SameMinorVersion)
else()
  set(_tfstage_package_compatibility SameMajorVersion)
endif()
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/tfstageConfigVersion.cmake"
  VERSION "${PROJECT_VERSION}"
  COMPATIBILITY ${_tfstage_package_compatibility})
install(FILES
  "${PROJECT_BINARY_DIR}/tfstageConfig.cmake"
  "${PROJECT_BINARY_DIR}/tfstageConfigVersion.cmake"
  DESTINATION "${TFSTAGE_INSTALL_CMAKEDIR}"
  COMPONENT tfstage_Development)

# pkg-config: relocatable too. The prefix is found from the .pc file's own directory
# (${pcfiledir}), so `cmake --install --prefix DIR` works without reconfiguring.
file(RELATIVE_PATH TFSTAGE_PC_PREFIX_FROM_PCFILEDIR
  "/prefix/${TFSTAGE_INSTALL_PKGCONFIGDIR}" "/prefix")
string(REGEX REPLACE "/$" "" TFSTAGE_PC_PREFIX_FROM_PCFILEDIR "${TFSTAGE_PC_PREFIX_FROM_PCFILEDIR}")
configure_file("${PROJECT_SOURCE_DIR}/cmake/tfstage.pc.in" "${PROJECT_BINARY_DIR}/tfstage.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/tfstage.pc"
  DESTINATION "${TFSTAGE_INSTALL_PKGCONFIGDIR}"
  COMPONENT tfstage_Development)
