# The disk world_tree.toml leaves is a clean World-Tree store holding what the client committed, read back offline
# by grovesim disk (the same format code as the grove). -DGROVESIM=<grovesim> -DSCENARIO=<world_tree.toml> -DWORK=<dir>
file(REMOVE_RECURSE ${WORK})
include(${CMAKE_CURRENT_LIST_DIR}/../sim/grovesim_steps.cmake)

grovesim_step(0 out run --quiet --keep-disks ${WORK} ${SCENARIO})
set(image ${WORK}/world-tree.disk0.img)
grovesim_step(0 out disk check ${image})
expect_match("${out}" "clean: generation 4, 2 of 2 superblocks intact.* 3 commits\\), 2 objects, 4 versions" "check")
grovesim_step(0 out disk get ${image} /scrolls/hello)
expect_match("${out}" "^hello world$" "the restored Scroll")
grovesim_step(0 out disk get ${image} /scrolls/hello --version 2)
expect_match("${out}" "^hello again, a second version$" "version 2")
grovesim_step(0 out disk history ${image} /scrolls/hello)
expect_match("${out}" "^v3 +restore of v1 commit 3 time 3000 by forge \"back to the first\": Scroll 11 bytes" "history")
grovesim_step(0 out disk query ${image} "essence:Rune AND creator:forge")
expect_match("${out}" "/runes/r1 +Rune +forge +v1 +10 created 1000.*1 object\\(s\\) match" "query")
