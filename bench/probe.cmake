# The probe benchmark (docs/probe.md): probe time per real script, typical programs with and without the
# instruments, peak memory. A plain executable (no Google Benchmark): each probe is seconds long.
# Include from bench/CMakeLists.txt: include(${CMAKE_CURRENT_LIST_DIR}/probe.cmake)
add_executable(probe_bench ${CMAKE_CURRENT_LIST_DIR}/probe_bench.cpp)
target_link_libraries(probe_bench PRIVATE faultline_probe faultline_parser)
target_compile_features(probe_bench PRIVATE cxx_std_20)
# The cost model behind the schedule (probe/shapes.h) is calibrated here.
target_include_directories(probe_bench PRIVATE ${PROJECT_SOURCE_DIR}/engine/src)
if(COMMAND faultline_warnings)
  faultline_warnings(probe_bench)
endif()
