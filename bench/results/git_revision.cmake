# Run at every build (not at configure time), so a binary built after a commit names that
# commit: writes OUT with the short revision, "-dirty" when tracked files differ from it.
# The file is rewritten only when the text changes, so an unchanged tree recompiles nothing.
set(rev unknown)
execute_process(COMMAND "${GIT}" rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(rc EQUAL 0)
  set(rev "${out}")
  execute_process(COMMAND "${GIT}" status --porcelain --untracked-files=no WORKING_DIRECTORY "${SRC}"
                  OUTPUT_VARIABLE dirty ERROR_QUIET)
  if(NOT dirty STREQUAL "")
    string(APPEND rev "-dirty")
  endif()
endif()
set(text "// Generated at build time by bench/git_revision.cmake.\n#pragma once\nnamespace elubench::bench::build_info {\ninline constexpr const char* git_revision = \"${rev}\";\n}\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
