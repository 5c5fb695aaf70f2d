# What `cmake --install build --prefix P` puts under P (docs/install.md):
#   bin/                         flywheel, flywheel-coordinator, flywheel-agent, flywheel-viewer
#   share/flywheel/flywheel.proto        the protocol, for agents in other languages
#   share/flywheel/scenarios/*.yaml      the shipped scenarios (their `extends:` stay relative)
#   share/doc/flywheel/                  README.md and docs/*.md
#   share/man/man1/*.1                   made at build time by help2man from each --help
# The programs find each other next to their own executable (fw_launch_find_binary),
# so the installed `flywheel run` starts the installed coordinator and agents.

set(FW_PROGRAMS flywheel flywheel-coordinator flywheel-agent flywheel-viewer)
install(TARGETS ${FW_PROGRAMS} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
set(FW_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/flywheel)
install(FILES ${CMAKE_SOURCE_DIR}/protocol/flywheel.proto DESTINATION ${FW_INSTALL_DATADIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/scenarios/ DESTINATION ${FW_INSTALL_DATADIR}/scenarios
        FILES_MATCHING PATTERN "*.yaml")
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md")

# Man pages from each program's --help and --version, so they never disagree with it.
# Without help2man everything else still builds and installs; say so once, loudly.
find_program(HELP2MAN help2man)
set(FW_MAN_NAME_flywheel "run, compare, serve and replay Flywheel market simulations")
set(FW_MAN_NAME_flywheel-coordinator "the Flywheel market: seats, ticks, clearing and the event log")
set(FW_MAN_NAME_flywheel-agent "play seats of a Flywheel run (house strategies or a human)")
set(FW_MAN_NAME_flywheel-viewer "watch or replay a Flywheel run in a window or as PNG files")
if(HELP2MAN)
  set(pages)
  set(commands ${CMAKE_BINARY_DIR}/man/flywheel-commands.h2m)
  add_custom_command(
    OUTPUT ${commands}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND ${CMAKE_COMMAND} -DFLYWHEEL=$<TARGET_FILE:flywheel> -DOUT=${commands}
            -DCOMMANDS=run,compare,sweep,serve,play,scenario,replay,export,keys
            -P ${CMAKE_SOURCE_DIR}/cmake/man-commands.cmake
    DEPENDS flywheel ${CMAKE_SOURCE_DIR}/cmake/man-commands.cmake
    COMMENT "Collecting flywheel help COMMAND for its man page"
    VERBATIM)
  set(FW_MAN_INCLUDE_flywheel --include ${commands})
  set(FW_MAN_DEPENDS_flywheel ${commands})
  foreach(p ${FW_PROGRAMS})
    set(page ${CMAKE_BINARY_DIR}/man/${p}.1)
    add_custom_command(
      OUTPUT ${page}
      COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
      COMMAND ${HELP2MAN} --no-info --section 1 --name "${FW_MAN_NAME_${p}}"
              ${FW_MAN_INCLUDE_${p}} --output ${page} $<TARGET_FILE:${p}>
      DEPENDS ${p} ${FW_MAN_DEPENDS_${p}}
      COMMENT "Making the man page ${p}.1 from ${p} --help"
      VERBATIM)
    list(APPEND pages ${page})
  endforeach()
  add_custom_target(man ALL DEPENDS ${pages})
  install(FILES ${pages} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
else()
  message(WARNING "help2man not found: the man pages will not be built or installed "
                  "(Debian: apt-get install help2man, or scripts/deps)")
endif()
