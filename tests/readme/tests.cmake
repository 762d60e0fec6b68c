# README.md's two commands, parsed from the README and run against this build tree (readme_commands.sh), and the
# same check on READMEs edited into commands that do not work, which it must reject.
find_program(FAULTLINE_BASH bash)
if(FAULTLINE_BASH)
  set(_readme_check ${CMAKE_CURRENT_LIST_DIR}/readme_commands.sh)
  add_test(NAME readme:two_commands
           COMMAND ${FAULTLINE_BASH} ${_readme_check} ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}
                   ${PROJECT_BINARY_DIR})
  set_tests_properties(readme:two_commands PROPERTIES TIMEOUT 120 LABELS cli
                       ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
  # Each broken README must be rejected for its own defect (the message, not only a failure).
  set(_wrong_binary_reason "does not exist in the build tree")
  set(_untested_ci_reason "does not run the README's second command")
  foreach(_broken wrong_binary untested_ci)
    add_test(NAME readme:rejects_${_broken}
             COMMAND ${FAULTLINE_BASH} ${_readme_check} ${CMAKE_CURRENT_LIST_DIR}/../fixtures/readme/${_broken}.md
                     ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
    set_tests_properties(readme:rejects_${_broken} PROPERTIES TIMEOUT 120 LABELS cli
                         PASS_REGULAR_EXPRESSION "readme: .*${_${_broken}_reason}"
                         ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
  endforeach()
endif()
