# The Debian package built from this tree installs into a clean root and runs (deb_package.sh); skipped with a
# message when cpack, dpkg-deb or dpkg-shlibdeps is missing.
find_program(FAULTLINE_BASH bash)
if(FAULTLINE_BASH)
  add_test(NAME install:deb_package
           COMMAND ${FAULTLINE_BASH} ${CMAKE_CURRENT_LIST_DIR}/deb_package.sh ${PROJECT_BINARY_DIR})
  set_tests_properties(install:deb_package PROPERTIES TIMEOUT 600 LABELS install SKIP_RETURN_CODE 77
                       ENVIRONMENT "OPENBLAS_NUM_THREADS=1")
endif()
