# stage.cmake (decode) — compile data/trackers.tsv into libphiwall. At configure time the TSV's
# bytes become a C array in build/generated/pw_trackers_tsv.c (file(READ … HEX) → file(CONFIGURE)),
# so the catalog needs no file at run time and no Python at build time. Editing the TSV
# re-runs the configure step.
set(PW_TRACKERS_TSV ${PROJECT_SOURCE_DIR}/data/trackers.tsv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PW_TRACKERS_TSV})
file(READ ${PW_TRACKERS_TSV} PW_TRACKERS_HEX HEX)
string(LENGTH "${PW_TRACKERS_HEX}" PW_TRACKERS_HEX_LEN)
math(EXPR PW_TRACKERS_LEN "${PW_TRACKERS_HEX_LEN} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," PW_TRACKERS_BYTES "${PW_TRACKERS_HEX}")
file(CONFIGURE OUTPUT ${CMAKE_BINARY_DIR}/generated/pw_trackers_tsv.c
     CONTENT "/* Generated from data/trackers.tsv by src/decode/stage.cmake: do not edit. */
#include <stddef.h>
extern const char pw_trackers_tsv[];
extern const size_t pw_trackers_tsv_len;
const char pw_trackers_tsv[] = {@PW_TRACKERS_BYTES@ 0x00};
const size_t pw_trackers_tsv_len = @PW_TRACKERS_LEN@;
" @ONLY)
target_sources(phiwall PRIVATE ${CMAKE_BINARY_DIR}/generated/pw_trackers_tsv.c)
