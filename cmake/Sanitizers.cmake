# TFSTAGE_SANITIZE=ON: AddressSanitizer and UndefinedBehaviorSanitizer on every target (the
# `asan` preset; CI runs the C ABI tests there). Undefined behaviour aborts instead of
# printing and going on, so a test cannot pass through it.
option(TFSTAGE_SANITIZE "Build with -fsanitize=address,undefined (the asan preset)" OFF)
if(TFSTAGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
