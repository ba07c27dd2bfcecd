# embed.cmake — turn a file into a C array (cmake -DIN=file -DOUT=file.c [-DMIN=file.js] -P embed.cmake).
# Used for the first-party tag so the gateway binary serves /phiwall.js with no files to install.
# With MIN, the tag is served without its comments and indentation (written there too, for the
# tests): the source explains itself at length, every page view downloads what is served.
if(MIN)
  file(READ ${IN} js)
  # block comments (the tag has no line comments, and no "/*" inside a string or regex)
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" "" js "${js}")
  string(REGEX REPLACE "\n[ \t]+" "\n" js "${js}")
  string(REGEX REPLACE "[ \t]+\n" "\n" js "${js}")
  string(REGEX REPLACE "\n\n+" "\n" js "${js}")
  string(REGEX REPLACE "^\n+" "" js "${js}")
  file(WRITE ${MIN}
    "/* phiwall.js: phiwall's first-party event tag (source: gateway/tag/phiwall.js; docs/gateway.md) */\n${js}")
  set(IN ${MIN})
endif()
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from ${IN} by embed.cmake: do not edit */\n#include <stddef.h>\n"
  "const unsigned char pw_gw_tag_js[] = {${body} 0x00};\nconst size_t pw_gw_tag_js_len = ${len};\n")
