# The names of the grove programs (programs/<name>.cpp), one list for the build of the images and for the scenario
# parser, which accepts these image names (also in the fuzz tree, which builds no image).
set(GROVE_PROGRAMS echo client flooder crasher memhog threadbomb spinner sleeper warden io ipcbench compute probe chatter hostile
    grantserver grantclient disk_exercise chaos ata blockclient depot spawner display)
