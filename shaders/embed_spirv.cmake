# cmake -DINPUT=<file made by glslc -mfmt=num> -DOUTPUT=<header> -DSYMBOL=<name> -P embed_spirv.cmake
# Wraps glslc's comma-separated SPIR-V words into a header with a uint32_t
# array, so the renderer never loads shader files at run time.
file(READ ${INPUT} words)
file(WRITE ${OUTPUT}
  "// Generated from ${SYMBOL} by shaders/embed_spirv.cmake. Do not edit.\n"
  "#pragma once\n#include <cstdint>\n\n"
  "namespace zcd::shaders {\ninline constexpr uint32_t ${SYMBOL}[] = {\n${words}};\n}\n")
