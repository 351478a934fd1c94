savedcmd_fs/ext4/super.o := gcc -Wp,-MMD,fs/ext4/.super.o.d -nostdinc -I./arch/x86/include -D__KERNEL__ -O2 -DKBUILD_MODFILE='"fs/ext4/ext4"' -DKBUILD_BASENAME='"super"' -DKBUILD_MODNAME='"ext4"' -D__KBUILD_MODNAME=kmod_ext4 -c -o fs/ext4/super.o fs/ext4/super.c

source_fs/ext4/super.o := fs/ext4/super.c
