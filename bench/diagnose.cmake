# The diagnosis benchmark (docs/diagnosis.md): model load at start-up, one diagnosis of a recorded trace.
# Included from bench/CMakeLists.txt.
add_executable(diagnose_bench ${CMAKE_CURRENT_LIST_DIR}/diagnose_bench.cpp)
target_link_libraries(diagnose_bench PRIVATE benchmark::benchmark faultline_diagnose)
target_compile_definitions(diagnose_bench PRIVATE FAULTLINE_MODEL_DIR="${PROJECT_SOURCE_DIR}/engine/models"
  FAULTLINE_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures")
faultline_warnings(diagnose_bench)
