# The Python grammar for tree-sitter, from the npm package tree-sitter-python (Debian has no grammar package).
# Fetched at configure time with `npm pack` into the build tree; nothing of it is committed.
set(FAULTLINE_TSPYTHON_VERSION "0.23.6" CACHE STRING "tree-sitter-python npm version (ABI 13..14 only)")
set(_tsp_dir ${CMAKE_BINARY_DIR}/_deps/tree-sitter-python-${FAULTLINE_TSPYTHON_VERSION})
set(_tsp_src ${_tsp_dir}/package/src)

if(NOT EXISTS ${_tsp_src}/parser.c)
  find_program(NPM_EXECUTABLE npm)
  if(NOT NPM_EXECUTABLE)
    message(FATAL_ERROR "npm is needed to fetch tree-sitter-python@${FAULTLINE_TSPYTHON_VERSION}; run scripts/setup")
  endif()
  file(MAKE_DIRECTORY ${_tsp_dir})
  execute_process(
    COMMAND ${NPM_EXECUTABLE} pack --silent tree-sitter-python@${FAULTLINE_TSPYTHON_VERSION}
    WORKING_DIRECTORY ${_tsp_dir}
    RESULT_VARIABLE _npm_rc OUTPUT_VARIABLE _npm_out ERROR_VARIABLE _npm_err
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(NOT _npm_rc EQUAL 0)
    message(FATAL_ERROR "npm pack tree-sitter-python@${FAULTLINE_TSPYTHON_VERSION} failed: ${_npm_err}")
  endif()
  file(ARCHIVE_EXTRACT INPUT ${_tsp_dir}/${_npm_out} DESTINATION ${_tsp_dir})
endif()

file(STRINGS ${_tsp_src}/parser.c _tsp_abi_line REGEX "^#define LANGUAGE_VERSION [0-9]+")
string(REGEX MATCH "[0-9]+$" _tsp_abi "${_tsp_abi_line}")
if(NOT _tsp_abi OR _tsp_abi LESS 13 OR _tsp_abi GREATER 14)
  message(FATAL_ERROR
    "tree-sitter-python@${FAULTLINE_TSPYTHON_VERSION} has grammar ABI '${_tsp_abi}', but Debian's libtree-sitter "
    "0.20.7 loads ABI 13..14 only. Use a grammar version up to 0.23.6 (-DFAULTLINE_TSPYTHON_VERSION=0.23.6).")
endif()
message(STATUS "tree-sitter-python ${FAULTLINE_TSPYTHON_VERSION}: grammar ABI ${_tsp_abi}")

add_library(tree_sitter_python STATIC ${_tsp_src}/parser.c ${_tsp_src}/scanner.c)
target_include_directories(tree_sitter_python PRIVATE ${_tsp_src})
set_target_properties(tree_sitter_python PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
target_compile_options(tree_sitter_python PRIVATE -w)
