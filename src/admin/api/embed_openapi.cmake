# Writes OUT: a C++ source defining OpenApiDocument() (router.h) with the
# bytes of IN (docs/admin-api.yaml), so the server serves the file as kept
# in the repository. Run by the build whenever the document changes.
file(READ ${IN} text)
set(delimiter "openapi_yaml")
string(FIND "${text}" ")${delimiter}\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter")
endif()
file(WRITE ${OUT} "// Generated from docs/admin-api.yaml by embed_openapi.cmake; do not edit.\n"
  "#include \"admin/api/router.h\"\n\n"
  "namespace campaignd::admin::api {\n\n"
  "std::string_view OpenApiDocument() {\n"
  "  static constexpr std::string_view kDocument = R\"${delimiter}(${text})${delimiter}\";\n"
  "  return kDocument;\n}\n\n}  // namespace campaignd::admin::api\n")
