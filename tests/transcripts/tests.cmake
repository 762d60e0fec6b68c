# Transcript tests: JSON-RPC in, expected JSON out, against the real `faultline lsp` (tests/transcripts/run.mjs).
find_program(FAULTLINE_NODE node)
if(FAULTLINE_NODE)
  file(GLOB _transcripts CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.jsonrpc)
  foreach(_t ${_transcripts})
    get_filename_component(_name ${_t} NAME_WE)
    add_test(NAME transcripts:${_name}
             COMMAND ${FAULTLINE_NODE} ${CMAKE_CURRENT_LIST_DIR}/run.mjs $<TARGET_FILE:faultline> ${_t}
                     ${CMAKE_CURRENT_LIST_DIR}/../fixtures/server)
    set_tests_properties(transcripts:${_name} PROPERTIES TIMEOUT 120 LABELS server
                         ENVIRONMENT "OPENBLAS_NUM_THREADS=1;FAULTLINE_DOCS_URL=https://docs.example.test/faultline/")
  endforeach()
else()
  message(STATUS "node not found: the LSP transcript tests are not registered")
endif()
