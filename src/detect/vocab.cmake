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
# The other languages of US hospitals' translated pages (docs/detect.md, "Languages"), written by
# the project like es/, after it: French, Chinese, Vietnamese, German, Italian, then Tagalog,
# Korean, Russian, Arabic, Haitian Creole and Portuguese. A term two languages share keeps its
# first entry (English, then Spanish, then this order).
set(PW_VOCAB_LANGS fr zh vi de it tl ko ru ar ht pt)
set(PW_VOCAB_TSV_LANGS "")
foreach(lang IN LISTS PW_VOCAB_LANGS)
  file(GLOB pw_lang_tsv CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocab/${lang}/*.tsv)
  list(SORT pw_lang_tsv)
  list(APPEND PW_VOCAB_TSV_LANGS ${pw_lang_tsv})
endforeach()
file(GLOB PW_VOCAB_TSV_GEN CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/data/vocab/generated/*.tsv)
list(SORT PW_VOCAB_TSV_HAND)
list(SORT PW_VOCAB_TSV_ES)
list(SORT PW_VOCAB_TSV_GEN)
set(PW_VOCAB_TSV ${PW_VOCAB_TSV_HAND} ${PW_VOCAB_TSV_ES} ${PW_VOCAB_TSV_LANGS} ${PW_VOCAB_TSV_GEN})

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

# engine-words: the project's list of common web and compound words (data/vocab/seg/words.txt)
# that pw_vocab_segment accepts beside the vocabulary's own words, as generated/seg_words.h (a
# sorted array), written when CMake configures and whenever the file changes. A malformed line
# stops the configuration, naming the line.
set(PW_SEG_TXT ${PROJECT_SOURCE_DIR}/data/vocab/seg/words.txt)
set(PW_SEG_OUT ${CMAKE_BINARY_DIR}/generated/seg_words.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PW_SEG_TXT})
file(STRINGS ${PW_SEG_TXT} pw_seg_lines ENCODING UTF-8)
set(pw_seg_words "")
foreach(line IN LISTS pw_seg_lines)
  if(line MATCHES "^#" OR line MATCHES "^[ \t]*$")
    continue()
  endif()
  if(NOT line MATCHES "^[a-z][a-z]+$" OR line MATCHES "^...............................")
    message(FATAL_ERROR "${PW_SEG_TXT}: malformed line '${line}' "
                        "(want: one lower-case word of 2 to 30 letters)")
  endif()
  list(APPEND pw_seg_words "${line}")
endforeach()
list(REMOVE_DUPLICATES pw_seg_words)
list(SORT pw_seg_words)
list(JOIN pw_seg_words "\",\n    \"" pw_seg_body)
# the length of each listed word, so that a piece is compared only with words of its length
set(pw_seg_wlens "")
foreach(word IN LISTS pw_seg_words)
  string(LENGTH "${word}" len)
  list(APPEND pw_seg_wlens ${len})
endforeach()
list(JOIN pw_seg_wlens ", " pw_seg_wlens)
# bit L of pw_seg_lens[c]: a listed word of L letters starts with 'a' + c (the prefilter in C)
set(pw_letters "abcdefghijklmnopqrstuvwxyz")
foreach(i RANGE 25)
  set(pw_seg_mask_${i} 0)
endforeach()
foreach(word IN LISTS pw_seg_words)
  string(SUBSTRING "${word}" 0 1 c)
  string(FIND "${pw_letters}" "${c}" idx)
  string(LENGTH "${word}" len)
  math(EXPR v "${pw_seg_mask_${idx}} | (1 << ${len})")
  set(pw_seg_mask_${idx} ${v})
endforeach()
set(pw_seg_masks "")
foreach(i RANGE 25)
  list(APPEND pw_seg_masks "${pw_seg_mask_${i}}u")
endforeach()
list(JOIN pw_seg_masks ", " pw_seg_masks)
# pw_seg_from[c] .. pw_seg_from[c + 1]: the listed words that start with 'a' + c (sorted)
set(pw_seg_from "")
set(k 0)
set(at 0)
foreach(i RANGE 25)
  string(SUBSTRING "${pw_letters}" ${i} 1 c)
  list(APPEND pw_seg_from ${k})
  list(LENGTH pw_seg_words nw)
  while(k LESS nw)
    list(GET pw_seg_words ${k} word)
    string(SUBSTRING "${word}" 0 1 first)
    if(NOT first STREQUAL c)
      break()
    endif()
    math(EXPR k "${k} + 1")
  endwhile()
endforeach()
list(APPEND pw_seg_from ${k})
list(JOIN pw_seg_from ", " pw_seg_from)
file(WRITE ${PW_SEG_OUT}.tmp
  "/* seg_words.h — generated by src/detect/vocab.cmake from data/vocab/seg/words.txt; do not "
  "edit. Sorted. */\n"
  "static const char *const pw_seg_words[] = {\n    \"${pw_seg_body}\"};\n"
  "static const unsigned char pw_seg_wlen[] = {${pw_seg_wlens}};\n"
  "/* bit L of [c]: a listed word of L letters starts with 'a' + c */\n"
  "static const uint32_t pw_seg_lens[26] = {${pw_seg_masks}};\n"
  "static const unsigned short pw_seg_from[27] = {${pw_seg_from}};\n")
configure_file(${PW_SEG_OUT}.tmp ${PW_SEG_OUT} COPYONLY)

# German compound parts (data/vocab/de/compound_parts.txt, health.c): generated/de_parts.h, a
# sorted array with each part's length and a mask of their first letters. A malformed line stops
# the configuration, naming the line.
set(PW_DE_PARTS_TXT ${PROJECT_SOURCE_DIR}/data/vocab/de/compound_parts.txt)
set(PW_DE_PARTS_OUT ${CMAKE_BINARY_DIR}/generated/de_parts.h)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PW_DE_PARTS_TXT})
file(STRINGS ${PW_DE_PARTS_TXT} pw_de_lines ENCODING UTF-8)
set(pw_de_parts "")
foreach(line IN LISTS pw_de_lines)
  if(line MATCHES "^#" OR line MATCHES "^[ \t]*$")
    continue()
  endif()
  if(NOT line MATCHES "^[a-z][a-z][a-z][a-z][a-z]+$" OR line MATCHES "^.....................")
    message(FATAL_ERROR "${PW_DE_PARTS_TXT}: malformed line '${line}' "
                        "(want: one lower-case part of 5 to 20 letters a-z)")
  endif()
  list(APPEND pw_de_parts "${line}")
endforeach()
list(REMOVE_DUPLICATES pw_de_parts)
list(SORT pw_de_parts)
set(pw_de_lens "")
set(pw_de_first 0)
foreach(part IN LISTS pw_de_parts)
  string(LENGTH "${part}" len)
  list(APPEND pw_de_lens ${len})
  string(SUBSTRING "${part}" 0 1 c)
  string(FIND "${pw_letters}" "${c}" idx)
  math(EXPR pw_de_first "${pw_de_first} | (1 << ${idx})")
  # engine-speed5: pw_de_part_second[c] bit d: a part starts with 'a' + c, 'a' + d
  string(SUBSTRING "${part}" 1 1 c2)
  string(FIND "${pw_letters}" "${c2}" idx2)
  if(NOT DEFINED pw_de_second_${idx})
    set(pw_de_second_${idx} 0)
  endif()
  math(EXPR pw_de_second_${idx} "${pw_de_second_${idx}} | (1 << ${idx2})")
endforeach()
set(pw_de_second "")
foreach(i RANGE 25)
  if(DEFINED pw_de_second_${i})
    list(APPEND pw_de_second "${pw_de_second_${i}}u")
  else()
    list(APPEND pw_de_second "0u")
  endif()
endforeach()
list(JOIN pw_de_second ", " pw_de_second)
# pw_de_part_from[c] .. [c + 1]: the parts that start with 'a' + c
set(pw_de_from "")
set(k 0)
list(LENGTH pw_de_parts nparts)
foreach(i RANGE 25)
  string(SUBSTRING "${pw_letters}" ${i} 1 c)
  list(APPEND pw_de_from ${k})
  while(k LESS nparts)
    list(GET pw_de_parts ${k} part)
    string(SUBSTRING "${part}" 0 1 first)
    if(NOT first STREQUAL c)
      break()
    endif()
    math(EXPR k "${k} + 1")
  endwhile()
endforeach()
list(APPEND pw_de_from ${k})
list(JOIN pw_de_from ", " pw_de_from)
list(JOIN pw_de_parts "\",\n    \"" pw_de_body)
list(JOIN pw_de_lens ", " pw_de_lens)
file(WRITE ${PW_DE_PARTS_OUT}.tmp
  "/* de_parts.h — generated by src/detect/vocab.cmake from data/vocab/de/compound_parts.txt; do "
  "not edit. Sorted. */\n"
  "static const char *const pw_de_parts[] = {\n    \"${pw_de_body}\"};\n"
  "static const unsigned char pw_de_part_len[] = {${pw_de_lens}};\n"
  "/* bit c: a part starts with 'a' + c */\n"
  "static const uint32_t pw_de_part_first = ${pw_de_first}u;\n"
  "static const unsigned char pw_de_part_from[27] = {${pw_de_from}};\n"
  "/* bit d of [c]: a part starts with 'a' + c, 'a' + d */\n"
  "static const uint32_t pw_de_part_second[26] = {${pw_de_second}};\n")
configure_file(${PW_DE_PARTS_OUT}.tmp ${PW_DE_PARTS_OUT} COPYONLY)
