"""ksym_fuzzer: a libFuzzer target plus a regression test over its corpus."""

def ksym_fuzzer(name, deps, corpus = [], max_len = 4096):
    """Declares NAME_fuzzer (cc_binary) and NAME_fuzzer_test (cc_test).

    Under --config=fuzz (clang, --define=ksym_fuzz=libfuzzer) NAME_fuzzer is
    a libFuzzer binary; otherwise it is fuzz_main's standalone runner, which
    replays files given as arguments. NAME_fuzzer_test replays corpus/NAME/
    and `corpus` (extra seed files, e.g. generated fixtures) plus
    deterministic truncations and mutations of each, in any build.

    max_len is only recorded for tools/fuzz.sh (tag "max_len=N").
    """
    srcs = [name + "_fuzzer.cc"]
    seeds = native.glob(["corpus/%s/**" % name])
    corpus_dir = ["fuzz/corpus/" + name] if seeds else []
    native.cc_binary(
        name = name + "_fuzzer",
        srcs = srcs,
        linkopts = select({
            ":libfuzzer": ["-fsanitize=fuzzer"],
            "//conditions:default": [],
        }),
        deps = deps + select({
            ":libfuzzer": [],
            "//conditions:default": [":fuzz_main"],
        }),
        tags = ["max_len=%d" % max_len],
    )
    native.cc_test(
        name = name + "_fuzzer_test",
        size = "small",
        srcs = srcs,
        args = corpus_dir + ["$(rootpath %s)" % c for c in corpus],
        data = seeds + corpus,
        deps = deps + [":fuzz_main"],
    )
