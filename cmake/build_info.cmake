# Writes OUTPUT, a C file defining fleet_build_git_commit: the commit of SOURCE_DIR that is being
# built, with "-dirty" when tracked files differ from it, or "unknown" outside a git checkout or
# without git (GIT_EXECUTABLE empty).
#
# The build runs this script every time (cmake -P) rather than CMake once at configure time: a
# plain `cmake --build` after a new commit or an edit must record that commit, not the one of the
# last configure. OUTPUT is rewritten only when its text changes, so an unchanged commit
# recompiles nothing.
#
# Untracked files do not make a tree dirty: build folders and results/ live beside the sources.
cmake_minimum_required(VERSION 3.25)

set(commit "unknown")
if(GIT_EXECUTABLE)
  execute_process(COMMAND "${GIT_EXECUTABLE}" rev-parse --verify --quiet HEAD
                  WORKING_DIRECTORY "${SOURCE_DIR}"
                  OUTPUT_VARIABLE head OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET
                  RESULT_VARIABLE head_result)
  if(head_result EQUAL 0 AND head MATCHES "^[0-9a-f]+$")
    # --no-optional-locks: a build must not take the index lock from a git command running
    # beside it (status would otherwise rewrite the index's stat cache).
    execute_process(COMMAND "${GIT_EXECUTABLE}" --no-optional-locks status --porcelain
                            --untracked-files=no
                    WORKING_DIRECTORY "${SOURCE_DIR}"
                    OUTPUT_VARIABLE changes ERROR_QUIET
                    RESULT_VARIABLE status_result)
    set(commit "${head}")
    # A tree whose state git cannot report is not known to match the commit, so it is marked.
    if(NOT status_result EQUAL 0 OR NOT changes STREQUAL "")
      string(APPEND commit "-dirty")
    endif()
  endif()
endif()

set(text "/* Generated at build time by cmake/build_info.cmake; do not edit. */
#include \"build_info.h\"

const char fleet_build_git_commit[] = \"${commit}\";
")

set(old_text "")
if(EXISTS "${OUTPUT}")
  file(READ "${OUTPUT}" old_text)
endif()
if(NOT old_text STREQUAL text)
  file(WRITE "${OUTPUT}" "${text}")
endif()
