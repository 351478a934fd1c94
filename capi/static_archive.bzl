"""static_archive: one .a holding every object of a cc_library and its deps.

Bazel 4.2 has no rule for a self-contained static library, so this merges
the static archives of the transitive deps with `ar -M`. Libraries that
come from the system (linkopts only) have no archive and stay external:
ksym.pc's Libs.private lists them.
"""

def _impl(ctx):
    archives = []
    for dep in ctx.attr.deps:
        for li in dep[CcInfo].linking_context.linker_inputs.to_list():
            for lib in li.libraries:
                a = lib.pic_static_library or lib.static_library
                if a and a not in archives:
                    archives.append(a)
    out = ctx.actions.declare_file(ctx.attr.out)
    script = "create {}\n".format(out.path)
    for a in archives:
        script += "addlib {}\n".format(a.path)
    script += "save\nend\n"
    ctx.actions.run_shell(
        inputs = archives,
        outputs = [out],
        command = "printf '%s' \"$1\" | ar -M",
        arguments = [script],
        mnemonic = "StaticArchive",
        progress_message = "Merging static archive %s" % out.short_path,
    )
    return [DefaultInfo(files = depset([out]), runfiles = ctx.runfiles(files = [out]))]

static_archive = rule(
    implementation = _impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "out": attr.string(mandatory = True),
    },
)
