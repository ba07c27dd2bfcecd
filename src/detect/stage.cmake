# detect stage build steps (included by src/CMakeLists.txt). Each part keeps its own file.
include(${CMAKE_CURRENT_LIST_DIR}/vocab.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/page_context.cmake)

# engine-speed: the PHI engine's sources at -O3 in optimised builds (Release, RelWithDebInfo):
# 1.4% fewer instructions in pw_detect_scan on the generated corpus and 1.5% on real tracker
# URLs than -O2 (callgrind, bench_detect --once scan), every dump identical. Only these files:
# the rest of the build stays at its -O2 (gateway code warns under -O3).
file(GLOB PW_DETECT_SOURCES ${CMAKE_CURRENT_LIST_DIR}/*.c)
set_source_files_properties(${PW_DETECT_SOURCES} PROPERTIES
                            COMPILE_OPTIONS "$<$<CONFIG:Release,RelWithDebInfo>:-O3>")
