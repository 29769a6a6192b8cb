# grovesim disk round-trips a tree of files and its history: a tree imported (two commits: more than 16 files),
# changed (three files edited, two added) and imported again (only what changed is put), then a file removed; the
# tree as of each commit is exported and compared with the tree of that moment, file for file and byte for byte,
# and each file's history holds exactly its versions.
# -DGROVESIM=<grovesim> -DWORK=<a scratch directory>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(image ${WORK}/store.img)

include(${CMAKE_CURRENT_LIST_DIR}/grovesim_steps.cmake)

# compare_trees(<expected> <actual>): the same relative file names with the same bytes.
function(compare_trees expected actual)
  file(GLOB_RECURSE want RELATIVE ${expected} ${expected}/*)
  file(GLOB_RECURSE got RELATIVE ${actual} ${actual}/*)
  list(SORT want)
  list(SORT got)
  if(NOT want STREQUAL got)
    message(FATAL_ERROR "${actual}: files ${got}, expected ${want}")
  endif()
  foreach(f IN LISTS want)
    execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${expected}/${f} ${actual}/${f} RESULT_VARIABLE differs)
    if(differs)
      message(FATAL_ERROR "${actual}/${f} differs from ${expected}/${f}")
    endif()
  endforeach()
endfunction()

# last_commit(<variable> <output of a put or import>): the number of the last "commit N:" line.
function(last_commit var text)
  string(REGEX MATCHALL "commit [0-9]+:" commits "${text}")
  list(POP_BACK commits last)
  string(REGEX REPLACE "commit ([0-9]+):" "\\1" number "${last}")
  set(${var} ${number} PARENT_SCOPE)
endfunction()

# The first tree: 20 files in nested directories, one empty, one of 70 000 bytes.
set(tree ${WORK}/tree)
foreach(i RANGE 1 18)
  math(EXPR d "${i} % 3")
  file(WRITE ${tree}/dir${d}/sub${i}/file${i}.txt "file ${i}, first version\n")
endforeach()
file(WRITE ${tree}/empty "")
string(REPEAT "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_" 1094 big)
file(WRITE ${tree}/big.bin "${big}")
file(COPY ${tree}/ DESTINATION ${WORK}/expected1)

grovesim_step(0 out disk make ${image} --sectors 4096)
grovesim_step(0 out disk import ${image} ${tree} --creator forge --time 1000)
expect_match("${out}" "commit 1: 16 change\\(s\\)\ncommit 2: 4 change\\(s\\)" "the first import")
last_commit(first "${out}")

# Changed: three files edited, two added; imported again, only those five are put.
file(WRITE ${tree}/dir1/sub1/file1.txt "file 1, second version, longer than the first\n")
file(WRITE ${tree}/dir2/sub5/file5.txt "")
file(APPEND ${tree}/big.bin "and a tail")
file(WRITE ${tree}/new/one.txt "new one\n")
file(WRITE ${tree}/dir0/sub3/new.txt "new beside file 3\n")
file(COPY ${tree}/ DESTINATION ${WORK}/expected2)
grovesim_step(0 out disk import ${image} ${tree} --creator forge --time 2000)
expect_match("${out}" "17 file\\(s\\) unchanged\ncommit 3: 5 change\\(s\\)" "the second import")
last_commit(second "${out}")
grovesim_step(0 out disk import ${image} ${tree} --creator forge --time 2500)
expect_match("${out}" "22 file\\(s\\) unchanged" "an import of an unchanged tree")
if(out MATCHES "commit")
  message(FATAL_ERROR "an unchanged tree made a commit:\n${out}")
endif()

# A file removed.
grovesim_step(0 out disk rm ${image} /dir0/sub6/file6.txt --time 3000)
last_commit(third "${out}")
file(COPY ${tree}/ DESTINATION ${WORK}/expected3)
file(REMOVE ${WORK}/expected3/dir0/sub6/file6.txt)

# The tree as of the last commit of each step: the tree of that moment.
set(moments ${first} expected1 ${second} expected2 ${third} expected3)
while(moments)
  list(POP_FRONT moments n expected)
  grovesim_step(0 out disk export ${image} ${WORK}/at${n} --commit ${n})
  expect_match("${out}" "as of commit ${n}" "export of commit ${n}")
  compare_trees(${WORK}/${expected} ${WORK}/at${n})
endwhile()
grovesim_step(0 out disk export ${image} ${WORK}/newest)
compare_trees(${WORK}/expected3 ${WORK}/newest)
# Commit 1 alone: the first 16 files in name order.
grovesim_step(0 out disk export ${image} ${WORK}/at1 --commit 1)
expect_match("${out}" "exported 16 object\\(s\\) as of commit 1" "export of the first commit")

# Each history holds exactly its versions.
grovesim_step(0 out disk history ${image} /dir1/sub1/file1.txt)
expect_match("${out}" "^v2 +put commit 3 time 2000 by forge[^\n]*\nv1 +put commit 1 time 1000 by forge[^\n]*\n$"
             "the history of an edited file")
grovesim_step(0 out disk history ${image} /dir1/sub4/file4.txt)
expect_match("${out}" "^v1 +put commit 1 time 1000[^\n]*\n$" "the history of an unchanged file")
grovesim_step(0 out disk history ${image} /dir0/sub6/file6.txt)
expect_match("${out}" "^v2 +remove commit ${third} time 3000[^\n]*\nv1 +put commit 1 time 1000[^\n]*\n$"
             "the history of a removed file")
grovesim_step(0 out disk get ${image} /big.bin --version 1 -o ${WORK}/big.v1)
execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files ${WORK}/expected1/big.bin ${WORK}/big.v1
                RESULT_VARIABLE differs)
if(differs)
  message(FATAL_ERROR "version 1 of /big.bin is not the first big.bin")
endif()
grovesim_step(0 out disk check ${image})
expect_match("${out}" "clean:" "the check")
