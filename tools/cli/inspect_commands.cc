// Commands that describe an index: list, info, modules, why, verify.
#include <cstdio>
#include <string>
#include <vector>

#include "symbolizer/api/ambiguity_report.h"
#include "symbolizer/api/frame.h"
#include "symbolizer/api/index_info.h"
#include "symbolizer/api/module_list.h"
#include "symbolizer/api/text_policy.h"
#include "tools/cli/command.h"

namespace ksym {
namespace cli {
namespace {

int RunList(const Args& a) {
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const uint64_t n = s->index().symbol_count();
  std::string buf;
  for (uint64_t i = 0; i < n; ++i) {
    buf += ListLine(*s, s->Symbol(static_cast<uint32_t>(i)));
    buf.push_back('\n');
    if (buf.size() > (1 << 16)) {
      std::fwrite(buf.data(), 1, buf.size(), stdout);
      buf.clear();
    }
  }
  std::fwrite(buf.data(), 1, buf.size(), stdout);
  return std::ferror(stdout) ? kExitError : kExitOk;
}

int RunInfo(const Args& a) {
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const IndexInfo info = ComputeIndexInfo(*s);
  if (a.flag("--json")) {
    std::puts(IndexInfoJson(*s, info).c_str());
  } else {
    std::fputs(IndexInfoText(*s, info, a.flag("--all-ambiguous")).c_str(),
               stdout);
  }
  return kExitOk;
}

int RunModules(const Args& a) {
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  const std::vector<ModuleListing> modules = ListModules(s->index());
  if (modules.empty() && !a.flag("--json")) {
    std::fprintf(stderr, "ksym: modules: %s\n",
                 NoModulesText(s->index()).c_str());
  }
  for (const ModuleListing& m : modules) {
    if (a.flag("--json")) {
      std::puts(ModuleJson(m).c_str());
      continue;
    }
    std::puts(ModuleLine(m).c_str());
    if (!a.flag("--sections")) continue;
    for (const std::string& line : ModuleSectionLines(m)) {
      std::puts(line.c_str());
    }
  }
  return std::ferror(stdout) ? kExitError : kExitOk;
}

int RunWhy(const Args& a) {
  if (a.positional.empty()) Die(kExitUsage, "why: expected a symbol NAME");
  std::unique_ptr<Symbolizer> s = OpenIndex(a);
  int status = kExitOk;
  for (const std::string& query : a.positional) {
    const std::string name = WhyName(*s, query);
    const std::string text = name.empty() ? "" : WhyText(*s, name);
    if (text.empty()) {
      std::fprintf(stderr, "ksym: why: nothing matches \"%s\"\n",
                   QuoteForMessage(query).c_str());
      status = kExitNotFound;
      continue;
    }
    if (a.flag("--json")) {
      std::puts(WhyJson(*s, name).c_str());
    } else {
      std::fputs(text.c_str(), stdout);
    }
  }
  return status;
}

int RunVerify(const Args& a) {
  // Checked below, one by one, so that damage is reported as verify's
  // finding (exit 1), not as a failure to open.
  IndexOptions options;
  options.verify_checksums = false;
  std::unique_ptr<Symbolizer> s = OpenIndex(a, options);
  for (absl::Status st :
       {s->index().VerifyChecksums(), s->index().VerifyStructure()}) {
    if (!st.ok()) {
      std::fprintf(stderr, "ksym: verify: %s\n",
                   std::string(st.message()).c_str());
      return kExitNotFound;
    }
  }
  std::printf("ok: %llu symbols, %zu sections verified\n",
              static_cast<unsigned long long>(s->index().symbol_count()),
              s->index().sections().size());
  return kExitOk;
}

}  // namespace

const Command& ListCommand() {
  static const Command c{"list", "print every symbol in /proc/kallmodsyms format",
                         R"(usage: ksym list [-i INDEX]

Prints every symbol as /proc/kallmodsyms would:
  ffffffff97d91a80 t cn23xx_vf_mbox_thread\t[liquidio] [liquidio_vf] {cn23xx_vf_device.o}
Data symbols, which the kernel leaves bare, carry their modules and
{object} too, so that their names are unique as well.
)",
                         {"--index"}, {}, RunList};
  return c;
}

const Command& InfoCommand() {
  static const Command c{
      "info", "what an index holds: counts, duplicates, segments, sections",
      R"(usage: ksym info [-i INDEX] [--json] [--all-ambiguous]

Describes an index: kernel identity, symbol counts, duplicate names
before and after disambiguation, the qualified names still ambiguous
grouped by reason (a __pfx_NAME padding symbol counted with NAME; a few
names listed per reason), address segments, section sizes.
  --all-ambiguous  every name still ambiguous on its own line, with its reason
  --json           everything as one JSON object (every name)
)",
      {"--index"},
      {"--json", "--all-ambiguous"},
      RunInfo};
  return c;
}

const Command& ModulesCommand() {
  static const Command c{
      "modules", "the loadable modules of a runtime index: range, build-id",
      R"(usage: ksym modules [-i INDEX] [--sections] [--json]

One line per loadable module of a runtime index, by name: its core range
(from /proc/modules; "range inferred from its symbols" when only kallsyms
placed it), its build-id, whether its symbols came from its .ko (with or
without its debug data) or from kallsyms alone, and how many sections.
What a profile's mapping of the module needs (pprof/Perfetto Mapping).
  --sections  each section's load address on its own line after the module
  --json      one JSON object per module (JSON Lines), sections included
A static index has none (said on stderr; exit 0).
)",
      {"--index"},
      {"--json", "--sections"},
      RunModules};
  return c;
}

const Command& WhyCommand() {
  static const Command c{
      "why", "every symbol of a name, and why some stay ambiguous",
      R"(usage: ksym why [-i INDEX] [--json] QUERY...

For each QUERY (a name, or any query `ksym resolve` takes: `init_once
[ext4]`, `ext4:init_once`, `init_once+0x12/0x70`): every symbol of that
name with its address, size, type, modules (built-in or loadable), full
object path and the query that selects it; then each qualified name still
shared, why, and what input would separate them. Exit 1 when a QUERY
matches nothing.
)",
      {"--index"},
      {"--json"},
      RunWhy};
  return c;
}

const Command& VerifyCommand() {
  static const Command c{"verify", "check an index's checksums and structure",
                         R"(usage: ksym verify [-i INDEX]

Checks every section checksum and the index structure. Exit 1 if damaged.
)",
                         {"--index"}, {}, RunVerify};
  return c;
}

}  // namespace cli
}  // namespace ksym
