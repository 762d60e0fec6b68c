# The static-check benchmark (docs/rules.md). Included from bench/CMakeLists.txt.
add_executable(rules_bench ${CMAKE_CURRENT_LIST_DIR}/rules_bench.cpp)
target_link_libraries(rules_bench PRIVATE benchmark::benchmark faultline_engine_core)
target_compile_definitions(rules_bench PRIVATE
  FAULTLINE_RULE_FIXTURES="${PROJECT_SOURCE_DIR}/tests/fixtures/rules")
faultline_warnings(rules_bench)

# The static checks on the generated corpus: false alarms on correct programs, catches per mutation operator.
add_executable(rules_corpus ${CMAKE_CURRENT_LIST_DIR}/rules_corpus.cpp)
target_link_libraries(rules_corpus PRIVATE faultline_diagnose)
faultline_warnings(rules_corpus)
