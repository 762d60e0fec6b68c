# The Node protocol-client test (vscode-languageserver-protocol) against the real `faultline lsp`.
# Its npm packages are installed by scripts/setup (`npm ci` in tests/node).
find_program(FAULTLINE_NODE node)
if(FAULTLINE_NODE)
  add_test(NAME node:lsp_client COMMAND ${FAULTLINE_NODE} --test ${CMAKE_CURRENT_LIST_DIR}/lsp.test.mjs
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(node:lsp_client PROPERTIES TIMEOUT 180 LABELS server
                       ENVIRONMENT "FAULTLINE_BINARY=$<TARGET_FILE:faultline>;OPENBLAS_NUM_THREADS=1;FAULTLINE_DOCS_URL=https://docs.example.test/faultline")
  # The editor and `faultline check` report the same findings (tests/node/parity.test.mjs).
  add_test(NAME node:lsp_cli_parity COMMAND ${FAULTLINE_NODE} --test ${CMAKE_CURRENT_LIST_DIR}/parity.test.mjs
           WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
  set_tests_properties(node:lsp_cli_parity PROPERTIES TIMEOUT 900 LABELS server
                       ENVIRONMENT "FAULTLINE_BINARY=$<TARGET_FILE:faultline>;OPENBLAS_NUM_THREADS=1")
else()
  message(STATUS "node not found: the LSP Node client test is not registered")
endif()
