# The same input gives the same output, whatever the machine load and --jobs (same_output.sh).
find_program(FAULTLINE_BASH bash)
if(FAULTLINE_BASH)
  set(_fx ${CMAKE_CURRENT_LIST_DIR}/../fixtures)
  add_test(NAME determinism:same_output_under_load
           COMMAND ${FAULTLINE_BASH} ${CMAKE_CURRENT_LIST_DIR}/same_output.sh $<TARGET_FILE:faultline>
                   ${_fx}/fixes/lr_too_high.py ${_fx}/fixes/one_epoch.py ${_fx}/fixes/sigmoid_hidden_sgd.py
                   ${_fx}/whatif/slow_rmsprop_line.py)
  set_tests_properties(determinism:same_output_under_load PROPERTIES TIMEOUT 900 LABELS cli RUN_SERIAL TRUE
                       ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
endif()
