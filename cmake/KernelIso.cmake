# cmake -DGRUB_MKRESCUE=... -DROOT=<directory> -DOUTPUT=<iso> -P KernelIso.cmake
# Runs grub-mkrescue quietly: its (xorriso's) progress chatter is shown only when it fails.
execute_process(COMMAND ${GRUB_MKRESCUE} -o ${OUTPUT} ${ROOT}
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "grub-mkrescue failed (${result}):\n${output}")
endif()
