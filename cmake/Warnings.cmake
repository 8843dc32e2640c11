# Warnings for our own targets only; -Werror when TFSTAGE_WARNINGS_AS_ERRORS is on (CI).
function(tfstage_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
    -Wno-missing-field-initializers)  # aggregates with default member values are meant to be partly initialised
  if(TFSTAGE_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
