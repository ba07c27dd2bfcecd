# embed.cmake — turn a file into a C array (cmake -DIN=file -DOUT=file.c -P embed.cmake).
# Used for the first-party tag so the gateway binary serves /phiwall.js with no files to install.
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
file(WRITE ${OUT} "/* generated from ${IN} by embed.cmake: do not edit */\n#include <stddef.h>\n"
  "const unsigned char pw_gw_tag_js[] = {${body} 0x00};\nconst size_t pw_gw_tag_js_len = ${len};\n")
