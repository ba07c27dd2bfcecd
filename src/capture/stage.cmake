# src/capture/stage.cmake — extra build steps of the capture stage: libgumbo for the static scan
# (HTML parsing), zlib for gzip-compressed HARs and, for the browser scan tests, a small loopback
# HTTP server (libmicrohttpd).
if(GUMBO_FOUND)
  target_link_libraries(phiwall PUBLIC PkgConfig::GUMBO)
  target_compile_definitions(phiwall PRIVATE PW_HAVE_GUMBO=1)
endif()
if(BUILD_TESTING AND MHD_FOUND)
  add_executable(pw_browser_test_server
                 ${PROJECT_SOURCE_DIR}/tests/integration/helpers/browser_test_server.c)
  target_link_libraries(pw_browser_test_server PRIVATE PkgConfig::MHD)
  set_target_properties(pw_browser_test_server PROPERTIES RUNTIME_OUTPUT_DIRECTORY
                        ${CMAKE_BINARY_DIR})
endif()
# zlib (Debian zlib1g-dev): the HAR reader inflates gzip-compressed HARs (.har.gz) on the fly.
# Without it such a file gives an error that says to pipe it through zcat.
find_package(ZLIB)
if(ZLIB_FOUND)
  target_link_libraries(phiwall PUBLIC ZLIB::ZLIB)
  target_compile_definitions(phiwall PRIVATE PW_HAVE_ZLIB=1)
endif()
