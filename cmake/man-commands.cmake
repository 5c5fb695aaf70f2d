# cmake -P: writes a help2man --include file with `flywheel help COMMAND` for each of
# the launcher's commands, so its man page holds every option, not only the summary.
#   -DFLYWHEEL=path/to/flywheel -DOUT=file -DCOMMANDS=run,compare,...
file(WRITE ${OUT} "[COMMANDS]\n")
string(REPLACE "," ";" COMMANDS "${COMMANDS}")
foreach(c ${COMMANDS})
  execute_process(COMMAND ${FLYWHEEL} help ${c} OUTPUT_VARIABLE text RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${FLYWHEEL} help ${c} failed (exit ${rc})")
  endif()
  # Verbatim in roff: backslashes doubled, and a line starting with . or ' escaped.
  string(REPLACE "\\" "\\e" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  file(APPEND ${OUT} ".SS ${c}\n.nf\n${text}.fi\n")
endforeach()
