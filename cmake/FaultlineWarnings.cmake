# Warnings on, and errors, for the project's own code only (third-party headers come in as SYSTEM).
function(faultline_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Werror -Wno-unused-parameter)
endfunction()
