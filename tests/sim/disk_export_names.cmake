# grovesim disk export of names that are no plain file path: "/" and "//", a name leaving the directory, an object
# beside objects below it (/a and /a/b, in either order), two names for one file (/c/d and /c//d). Each is skipped
# with its reason and the exit status is 1; every other object is written; nothing escapes as an exception.
# -DGROVESIM=<grovesim> -DWORK=<a scratch directory>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(image ${WORK}/store.img)

include(${CMAKE_CURRENT_LIST_DIR}/grovesim_steps.cmake)

file(WRITE ${WORK}/one "one\n")
file(WRITE ${WORK}/two "two\n")
grovesim_step(0 out disk make ${image} --sectors 1024)
foreach(name / // /../up /a /a/b /x/y /x /c/d /c//d /kept/file)
  grovesim_step(0 out disk put ${image} ${name} ${WORK}/one)
endforeach()
grovesim_step(1 out disk export ${image} ${WORK}/out)
expect_match("${out}" "grovesim disk export: /: not a file path inside [^\n]*; skipped" "the name /")
expect_match("${out}" "grovesim disk export: //: not a file path inside" "the name //")
expect_match("${out}" "grovesim disk export: /\\.\\./up: not a file path inside" "a name leaving the directory")
expect_match("${out}" "grovesim disk export: /a/b: /a is a file, so it cannot also be a directory; skipped"
             "/a/b after /a")
expect_match("${out}" "grovesim disk export: /x: /x/y needs x as a directory; skipped" "/x after /x/y")
expect_match("${out}" "grovesim disk export: /c//d: /c/d is written to the same file; skipped" "/c//d after /c/d")
expect_match("${out}" "exported 4 object\\(s\\) to" "the objects that fit")
foreach(f a x/y c/d kept/file)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/one ${WORK}/out/${f} RESULT_VARIABLE differs)
  if(differs)
    message(FATAL_ERROR "${f} was not exported")
  endif()
endforeach()

# A file in the way on the host: reported and skipped, the rest still written.
file(REMOVE_RECURSE ${WORK}/in_the_way)
file(MAKE_DIRECTORY ${WORK}/in_the_way/kept/file)
grovesim_step(1 out disk export ${image} ${WORK}/in_the_way)
expect_match("${out}" "/kept/file: cannot write [^\n]*kept/file; skipped" "a directory where the file goes")
expect_match("${out}" "exported 3 object\\(s\\)" "the others beside it")
grovesim_step(2 out disk export ${image} ${WORK}/late --commit 99)
expect_match("${out}" "--commit 99: the store has 10 commit\\(s\\)" "a commit the store does not have")
