# Micro-benchmark of brisk's own float32 CPU kernels vs the reference kernels
# (bench/micro/ukernels_bench.cc). Include from a CMakeLists.txt that has the brisk targets:
#   include(${PROJECT_SOURCE_DIR}/bench/micro/ukernels.cmake)
find_package(benchmark QUIET)
if(benchmark_FOUND)
  add_executable(ukernels_bench ${CMAKE_CURRENT_LIST_DIR}/ukernels_bench.cc)
  target_link_libraries(ukernels_bench PRIVATE brisk::whole benchmark::benchmark)
endif()
