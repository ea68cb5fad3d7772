# Fails the build when a component includes a header of a component it does not depend on (an
# upward include, or a dependency nobody declared). Run by the glisk_layering target on every
# build whose sources changed. Input: LAYERING_FILE, lines "component: allowed1 allowed2 …" where
# the allowed components are the component's own dependencies and theirs (computed by CMake from
# the declarations in CMakeLists.txt); SOURCE_DIR, the source root. A component's detail/ headers
# (e.g. store/detail/, the database backends) are for the component alone: another component
# including one is a violation too.
file(STRINGS "${LAYERING_FILE}" _lines)
set(_problems "")
foreach(_line IN LISTS _lines)
  string(REGEX MATCH "^([a-z_]+):(.*)$" _ "${_line}")
  set(_component "${CMAKE_MATCH_1}")
  string(STRIP "${CMAKE_MATCH_2}" _allowed)
  separate_arguments(_allowed)
  file(GLOB _files "${SOURCE_DIR}/src/${_component}/*.hpp" "${SOURCE_DIR}/src/${_component}/*.cpp"
       "${SOURCE_DIR}/src/${_component}/detail/*.hpp" "${SOURCE_DIR}/src/${_component}/detail/*.cpp")
  foreach(_file IN LISTS _files)
    file(STRINGS "${_file}" _includes REGEX "^#include \"[a-z_]+/")
    foreach(_include IN LISTS _includes)
      string(REGEX MATCH "^#include \"([a-z_]+)/" _ "${_include}")
      set(_used "${CMAKE_MATCH_1}")
      if(_used STREQUAL _component)
        continue()
      endif()
      if(_include MATCHES "^#include \"[a-z_]+/detail/")
        file(RELATIVE_PATH _where "${SOURCE_DIR}" "${_file}")
        string(APPEND _problems "\n  ${_where}: ${_include} — ${_used}/detail/ is ${_used}'s own")
        continue()
      endif()
      list(FIND _allowed "${_used}" _at)
      if(_at EQUAL -1)
        file(RELATIVE_PATH _where "${SOURCE_DIR}" "${_file}")
        string(APPEND _problems "\n  ${_where}: ${_include} — ${_component} does not depend on ${_used}")
      endif()
    endforeach()
  endforeach()
endforeach()
if(_problems)
  message(FATAL_ERROR "layering: includes that break the component graph (declare the dependency in "
                      "CMakeLists.txt if it belongs there, or move the code down):${_problems}")
endif()
