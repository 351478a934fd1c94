cmd_kernel/fork.o := gcc -Wp,-MMD,kernel/.fork.o.d  -nostdinc -O2    -DKBUILD_MODFILE='"kernel/fork"' -DKBUILD_BASENAME='"fork"' -DKBUILD_MODNAME='"fork"' -c -o kernel/fork.o kernel/fork.c
