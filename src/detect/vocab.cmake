# The health vocabulary, compiled at build time (DESIGN §5: fast startup).
# pw_vocab_gen (a host tool, not part of libphiwall) reads data/vocab/<name>.tsv, data/vocab/es/<name>.tsv and then
# data/vocab/generated/<name>.tsv (first entry of a term wins) and writes vocab_builtin.c: the entry
# table, the serialised word-level Aho-Corasick automaton and, when libhs is found, the
# serialised Hyperscan database, as byte arrays.
set(PW_VOCAB_SRC ${CMAKE_CURRENT_LIST_DIR})
# data/vocab/es/<name>.tsv (Spanish, written by hand like the English files) comes after the
# English files and before generated/: gen_variants.py reads only data/vocab/*.tsv, so no English
# plural or "<term> treatment" is derived from a Spanish term.
file(GLOB PW_VOCAB_TSV_HAND CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocab/*.tsv)
file(GLOB PW_VOCAB_TSV_ES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocab/es/*.tsv)
file(GLOB PW_VOCAB_TSV_GEN CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocab/generated/*.tsv)
list(SORT PW_VOCAB_TSV_HAND)
list(SORT PW_VOCAB_TSV_ES)
list(SORT PW_VOCAB_TSV_GEN)
set(PW_VOCAB_TSV ${PW_VOCAB_TSV_HAND} ${PW_VOCAB_TSV_ES} ${PW_VOCAB_TSV_GEN})

# The generator has a main(): keep it out of the library's globbed sources.
get_target_property(pw_lib_sources phiwall SOURCES)
list(REMOVE_ITEM pw_lib_sources ${PW_VOCAB_SRC}/vocab_gen.c)
set_property(TARGET phiwall PROPERTY SOURCES ${pw_lib_sources})

add_executable(pw_vocab_gen ${PW_VOCAB_SRC}/vocab_gen.c ${PW_VOCAB_SRC}/vocab_tsv.c
                            ${PW_VOCAB_SRC}/vocab_ac.c ${PW_VOCAB_SRC}/vocab_ac_blob.c
                            ${PROJECT_SOURCE_DIR}/src/util/arena.c
                            ${PROJECT_SOURCE_DIR}/src/util/error.c)
target_include_directories(pw_vocab_gen PRIVATE ${PROJECT_SOURCE_DIR}/include
                                                ${PROJECT_SOURCE_DIR}/src)
if(HS_FOUND)
  target_compile_definitions(pw_vocab_gen PRIVATE PW_HAVE_HS=1)
  target_link_libraries(pw_vocab_gen PRIVATE PkgConfig::HS)
  target_compile_definitions(phiwall PRIVATE PW_HAVE_HS=1)
  target_link_libraries(phiwall PUBLIC PkgConfig::HS)
endif()

set(PW_VOCAB_OUT ${CMAKE_BINARY_DIR}/generated/vocab_builtin.c)
add_custom_command(OUTPUT ${PW_VOCAB_OUT}
  COMMAND ${CMAKE_COMMAND} -E env ASAN_OPTIONS=detect_leaks=0
          $<TARGET_FILE:pw_vocab_gen> ${PW_VOCAB_OUT} ${PW_VOCAB_TSV}
  DEPENDS pw_vocab_gen ${PW_VOCAB_TSV}
  COMMENT "Compiling the health vocabulary (${PW_VOCAB_OUT})"
  VERBATIM)
target_sources(phiwall PRIVATE ${PW_VOCAB_OUT})
