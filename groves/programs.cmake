# The grove programs the project ships (programs/<name>.cpp), built as <name>.elf into GROVE_IMAGE_DIR. A scenario
# may name any image, these or a program of its own (sim/scenario/image_search.hpp).
set(GROVE_PROGRAMS echo client flooder crasher memhog threadbomb spinner sleeper warden io ipcbench compute probe chatter hostile
    grantserver grantclient disk_exercise chaos ata blockclient depot spawner world_tree wtclient display loader
    runic_forge forgeclient fib forger)
