# elubench_find_optional(<Package> [args...]): find_package for an optional peer library that can
# never stop the configure.
#
# find_package(<Package> QUIET) is not enough: a package's own config file may call
# find_package(<Dep> REQUIRED) (Debian's oneDNN asks for OpenCL, which is only a "Recommends" of
# libdnnl-dev), and a REQUIRED failure inside it aborts the whole configure. So the package is
# first loaded in a throw-away child CMake run; only when that succeeds is it loaded here.
# Sets <Package>_FOUND, and ELUBENCH_OPTIONAL_<Package>_WHY to the reason when it is left out.
function(elubench_find_optional package)
  set(probe_dir ${CMAKE_BINARY_DIR}/optional-probe/${package})
  file(MAKE_DIRECTORY ${probe_dir})
  string(JOIN " " args ${ARGN})
  file(WRITE ${probe_dir}/CMakeLists.txt
       "cmake_minimum_required(VERSION 3.25)\nproject(probe LANGUAGES C CXX)\nfind_package(${package} ${args} REQUIRED)\n")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${probe_dir} -B ${probe_dir}/build
            "-DCMAKE_PREFIX_PATH=${CMAKE_PREFIX_PATH}" -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
            "-D${package}_DIR=${${package}_DIR}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    # The first line that names what is missing, for the configure summary.
    string(REGEX MATCH "(Could NOT find|Could not find|By not providing)[^\n]*" why "${err}")
    if(NOT why)
      set(why "its CMake package failed to load")
    endif()
    set(${package}_FOUND FALSE PARENT_SCOPE)
    set(ELUBENCH_OPTIONAL_${package}_WHY "${why}" PARENT_SCOPE)
    return()
  endif()
  find_package(${package} ${ARGN} QUIET)
  set(${package}_FOUND ${${package}_FOUND} PARENT_SCOPE)
  # Imported targets made inside a function are visible to the whole directory, which is what
  # the callers need; variables set by the package's config are passed up when it has them.
  foreach(v ${package}_VERSION ${package}_INCLUDE_DIRS ${package}_LIBRARIES)
    if(DEFINED ${v})
      set(${v} "${${v}}" PARENT_SCOPE)
    endif()
  endforeach()
endfunction()
