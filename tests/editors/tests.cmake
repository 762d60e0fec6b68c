# Editor clients, registered with ctest from tests/CMakeLists.txt: the VS Code extension's own CI script (type
# check, node tests, bundle, .vsix) and a headless Neovim 0.7+ session against the real server.

find_program(FAULTLINE_NPM npm)
find_program(FAULTLINE_NVIM nvim)

if(FAULTLINE_NPM)
  # `npm ci` (scripts/setup) installs editors/vscode/node_modules; without it the check script says so.
  add_test(NAME editors:vscode_ci
           COMMAND ${CMAKE_COMMAND} -DNPM=${FAULTLINE_NPM} -DDIR=${PROJECT_SOURCE_DIR}/editors/vscode
                   -P ${CMAKE_CURRENT_LIST_DIR}/vscode_ci.cmake)
  # With FAULTLINE_BINARY the bundle tests also start the real server through the extension.
  set_tests_properties(editors:vscode_ci PROPERTIES TIMEOUT 300 LABELS editors
                       ENVIRONMENT "FAULTLINE_BINARY=$<TARGET_FILE:faultline>")
else()
  message(STATUS "npm not found: the VS Code extension test is not registered")
endif()

if(FAULTLINE_NVIM)
  set(_nvim_home ${CMAKE_CURRENT_BINARY_DIR}/editors-nvim-home)
  set(_fixture ${CMAKE_CURRENT_LIST_DIR}/../fixtures/editors/keras_softmax_single_unit.py)
  # A clean, headless Neovim per test; its state and logs stay in the build tree.
  function(faultline_nvim_test name script)
    add_test(NAME editors:${name}
             COMMAND ${FAULTLINE_NVIM} --headless --clean -u NONE -n -i NONE ${ARGN}
                     -c "luafile ${CMAKE_CURRENT_LIST_DIR}/${script}")
    set_tests_properties(editors:${name} PROPERTIES
      TIMEOUT 120
      LABELS editors
      ENVIRONMENT "FAULTLINE_BINARY=$<TARGET_FILE:faultline>;FAULTLINE_SOURCE_DIR=${PROJECT_SOURCE_DIR};FAULTLINE_EXPECTED=${CMAKE_CURRENT_LIST_DIR}/../fixtures/editors/keras_softmax_single_unit.fixed.py;XDG_CACHE_HOME=${_nvim_home}/cache;XDG_STATE_HOME=${_nvim_home}/state;XDG_DATA_HOME=${_nvim_home}/data;OPENBLAS_NUM_THREADS=1")
  endfunction()
  faultline_nvim_test(nvim_module nvim_module.lua)
  faultline_nvim_test(nvim_code_action nvim_code_action.lua ${_fixture})
  faultline_nvim_test(nvim_settings nvim_settings.lua ${_fixture})
  faultline_nvim_test(nvim_probe nvim_probe.lua ${_fixture})
else()
  message(STATUS "nvim not found: the Neovim client test is not registered (apt-get install neovim)")
endif()
