# General hospital page words (page_context.c): data/vocab/page/general_pages.tsv is turned into
# generated/page_words.h, one table per place (host, domain, path, title) of {phrase, length,
# flags, first word's length, last word's offset} and prefilter masks (lengths by first letter), when CMake configures (and again whenever
# the file changes). A malformed line stops the configuration, naming the line.
set(PW_PAGE_TSV ${PROJECT_SOURCE_DIR}/data/vocab/page/general_pages.tsv)
set(PW_PAGE_OUT ${CMAKE_BINARY_DIR}/generated/page_words.h)
set(PW_PAGE_SCRIPT_TSV ${PROJECT_SOURCE_DIR}/data/vocab/page/general_pages_script.tsv)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PW_PAGE_TSV} ${PW_PAGE_SCRIPT_TSV})

# The title words of the languages not written in Latin letters (general_pages_script.tsv):
# pw_page_script[] of {phrase, its bytes, 0 or PW_PAGE_ALONE}.
file(STRINGS ${PW_PAGE_SCRIPT_TSV} pw_page_script_lines ENCODING UTF-8)
set(pw_rows_script "")
foreach(line IN LISTS pw_page_script_lines)
  if(line MATCHES "^#" OR line MATCHES "^[ \t]*$")
    continue()
  endif()
  if(NOT line MATCHES "^([^\t\"a-zA-Z0-9]+)\t(any|alone)$")
    message(FATAL_ERROR "${PW_PAGE_SCRIPT_TSV}: malformed line '${line}' "
                        "(want: phrase without ASCII letters<TAB>any|alone)")
  endif()
  set(flags 0)
  if(CMAKE_MATCH_2 STREQUAL "alone")
    set(flags PW_PAGE_ALONE)
  endif()
  string(APPEND pw_rows_script "    {\"${CMAKE_MATCH_1}\", sizeof \"${CMAKE_MATCH_1}\" - 1, ${flags}},\n")
endforeach()
if(pw_rows_script STREQUAL "")
  message(FATAL_ERROR "${PW_PAGE_SCRIPT_TSV}: no phrase (C allows no empty table)")
endif()

file(STRINGS ${PW_PAGE_TSV} pw_page_lines ENCODING UTF-8)
foreach(place host domain path title)
  set(pw_rows_${place} "")
endforeach()
set(pw_letters "abcdefghijklmnopqrstuvwxyz")
foreach(mask host path first last)
  foreach(i RANGE 25)
    set(pw_mask_${mask}_${i} 0)
  endforeach()
endforeach()

# Set bit `len` of mask `name` for the letter that starts `word` (the prefilters in C).
function(pw_page_mask name word len)
  string(SUBSTRING "${word}" 0 1 c)
  string(FIND "${pw_letters}" "${c}" idx)
  if(idx LESS 0 OR len GREATER 31)
    message(FATAL_ERROR "${PW_PAGE_TSV}: '${word}' must start with a letter and be short")
  endif()
  math(EXPR v "${pw_mask_${name}_${idx}} | (1 << ${len})")
  set(pw_mask_${name}_${idx} ${v} PARENT_SCOPE)
endfunction()

foreach(line IN LISTS pw_page_lines)
  if(line MATCHES "^#" OR line MATCHES "^[ \t]*$")
    continue()
  endif()
  if(NOT line MATCHES "^([a-z0-9. ]+)\t([a-z,]+)\t(any|alone|-)$")
    message(FATAL_ERROR "${PW_PAGE_TSV}: malformed line '${line}' "
                        "(want: phrase<TAB>host,domain,path,title<TAB>any|alone|-)")
  endif()
  set(phrase ${CMAKE_MATCH_1})
  set(rule ${CMAKE_MATCH_3})
  string(REPLACE "," ";" places "${CMAKE_MATCH_2}")
  string(LENGTH "${phrase}" len)
  string(FIND "${phrase}" " " first_len)
  if(first_len LESS 0)
    set(first_len ${len})
  endif()
  string(FIND "${phrase}" " " last_at REVERSE)
  math(EXPR last_at "${last_at} + 1")
  math(EXPR last_len "${len} - ${last_at}")
  string(SUBSTRING "${phrase}" ${last_at} ${last_len} last_word)
  set(flags "")
  foreach(p IN LISTS places)
    if(NOT p MATCHES "^(host|domain|path|title)$")
      message(FATAL_ERROR "${PW_PAGE_TSV}: '${phrase}': unknown place '${p}'")
    endif()
    if(p STREQUAL "host" OR p STREQUAL "path")
      pw_page_mask(${p} "${phrase}" ${len})
    elseif(p STREQUAL "title")
      pw_page_mask(first "${phrase}" ${first_len})
      pw_page_mask(last "${last_word}" ${last_len})
    endif()
    string(TOUPPER ${p} p)
    list(APPEND flags PW_PAGE_${p})
  endforeach()
  if(rule STREQUAL "alone")
    list(APPEND flags PW_PAGE_ALONE)
  endif()
  if("PW_PAGE_TITLE" IN_LIST flags AND rule STREQUAL "-")
    message(FATAL_ERROR "${PW_PAGE_TSV}: '${phrase}': a title phrase needs 'any' or 'alone'")
  endif()
  list(JOIN flags " | " flags)
  foreach(p IN LISTS places)
    if(p STREQUAL "path")
      list(APPEND pw_path_list "{\"${phrase}\", ${len}, ${flags}, ${first_len}, ${last_at}}")
    else()
      string(APPEND pw_rows_${p} "    {\"${phrase}\", ${len}, ${flags}, ${first_len}, ${last_at}},\n")
    endif()
  endforeach()
endforeach()

# Path words sorted, with where each first letter's words start (pw_page_path_from[c]; [26]: the
# end), so a slug is compared only with the words of its letter.
list(SORT pw_path_list)
set(pw_path_from "")
set(pw_path_at 0)
set(pw_path_letter 0)
foreach(row IN LISTS pw_path_list)
  string(APPEND pw_rows_path "    ${row},\n")
  string(SUBSTRING "${row}" 2 1 c)
  string(FIND "${pw_letters}" "${c}" idx)
  while(pw_path_letter LESS_EQUAL idx)
    list(APPEND pw_path_from "${pw_path_at}")
    math(EXPR pw_path_letter "${pw_path_letter} + 1")
  endwhile()
  math(EXPR pw_path_at "${pw_path_at} + 1")
endforeach()
while(pw_path_letter LESS_EQUAL 26)
  list(APPEND pw_path_from "${pw_path_at}")
  math(EXPR pw_path_letter "${pw_path_letter} + 1")
endwhile()
list(JOIN pw_path_from ", " pw_path_from)

foreach(place host domain path title)
  if(pw_rows_${place} STREQUAL "")
    message(FATAL_ERROR "${PW_PAGE_TSV}: no phrase for '${place}' (C allows no empty table)")
  endif()
endforeach()

set(pw_page_masks "")
foreach(mask host path first last)
  set(vals "")
  foreach(i RANGE 25)
    list(APPEND vals "${pw_mask_${mask}_${i}}u")
  endforeach()
  list(JOIN vals ", " vals)
  string(APPEND pw_page_masks "static const uint32_t pw_page_${mask}_lens[26] = {${vals}};\n")
endforeach()

file(WRITE ${PW_PAGE_OUT}.tmp
  "/* page_words.h — generated by src/detect/page_context.cmake from "
  "data/vocab/page/general_pages.tsv; do not edit. */\n"
  "static const pw_page_word pw_page_host[] = {\n${pw_rows_host}};\n"
  "static const pw_page_word pw_page_domain[] = {\n${pw_rows_domain}};\n"
  "static const pw_page_word pw_page_path[] = {\n${pw_rows_path}};\n"
  "static const pw_page_word pw_page_title[] = {\n${pw_rows_title}};\n"
  "/* bit L of [c]: a host label / path slug / title phrase's first word / its last word of L\n"
  " * bytes starting with letter 'a' + c is listed */\n"
  "${pw_page_masks}"
  "static const unsigned char pw_page_path_from[27] = {${pw_path_from}};\n"
  "/* from data/vocab/page/general_pages_script.tsv */\n"
  "static const pw_page_script_word pw_page_script[] = {\n${pw_rows_script}};\n")
configure_file(${PW_PAGE_OUT}.tmp ${PW_PAGE_OUT} COPYONLY)
