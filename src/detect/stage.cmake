# detect stage build steps (included by src/CMakeLists.txt). Each part keeps its own file.
include(${CMAKE_CURRENT_LIST_DIR}/vocab.cmake)
include(${CMAKE_CURRENT_LIST_DIR}/page_context.cmake)
