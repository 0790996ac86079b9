#include "cli/docs_command.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

namespace samizdat {
namespace {

// The commands a user sees (the hidden ones have no group).
std::vector<const CLI::App*> VisibleCommands(const CLI::App& root) {
  return root.get_subcommands([](const CLI::App* c) { return !c->get_group().empty(); });
}

// The options a user passes, without --help.
std::vector<const CLI::Option*> Options(const CLI::App& command) {
  std::vector<const CLI::Option*> out;
  for (const CLI::Option* o : command.get_options())
    if (o != command.get_help_ptr()) out.push_back(o);
  return out;
}

bool IsFlag(const CLI::Option& o) { return !o.get_positional() && o.get_type_size() == 0; }

// Text made safe for roff: backslashes and hyphens escaped, no line starting a request.
std::string Roff(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\')
      out += "\\e";
    else if (c == '-')
      out += "\\-";
    else
      out.push_back(c);
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

// "-o, --output FILE" as the option's heading.
std::string OptionHeading(const CLI::Option& o) {
  if (o.get_positional()) return "\\fI" + Roff(o.get_name()) + "\\fR";
  std::vector<std::string> names;
  for (const auto& s : o.get_snames()) names.push_back("\\fB\\-" + Roff(s) + "\\fR");
  for (const auto& l : o.get_lnames()) names.push_back("\\fB\\-\\-" + Roff(l) + "\\fR");
  std::string heading = fmt::format("{}", fmt::join(names, ", "));
  if (!IsFlag(o)) heading += " \\fI" + Roff(o.get_type_name()) + "\\fR";
  return heading;
}

std::string CommandPage(const CLI::App& c) {
  std::string name = "samizdat-" + c.get_name();
  std::string out = fmt::format(".TH {} 1 \"\" \"samizdat\" \"samizdat manual\"\n", Roff(name));
  out += fmt::format(".SH NAME\n{} \\- {}\n", Roff(name), Roff(c.get_description()));
  out += fmt::format(".SH SYNOPSIS\n\\fBsamizdat {}\\fR [\\fIOPTIONS\\fR]", Roff(c.get_name()));
  for (const CLI::Option* o : Options(c))
    if (o->get_positional()) out += " \\fI" + Roff(o->get_name()) + "\\fR";
  out += fmt::format("\n.SH DESCRIPTION\n{}.\n.SH OPTIONS\n", Roff(c.get_description()));
  for (const CLI::Option* o : Options(c)) {
    out += ".TP\n" + OptionHeading(*o) + "\n" + Roff(o->get_description());
    if (!o->get_default_str().empty()) out += " (default: " + Roff(o->get_default_str()) + ")";
    out += "\n";
  }
  out += ".TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nPrint a summary of the options and exit.\n";
  out += ".SH SEE ALSO\n\\fBsamizdat\\fR(1)\n";
  return out;
}

constexpr char kOverviewTail[] = R"(.SH CONFIGURATION
Commands that read a configuration take it from \fB\-\-config\fR; without it, from
\fB$SAMIZDAT_CONFIG\fR, then \fI./samizdat.toml\fR, then
\fI$XDG_CONFIG_HOME/samizdat/config.toml\fR (\fI~/.config\fR when XDG_CONFIG_HOME is unset).
.SH EXIT STATUS
.TP
0
Success.
.TP
1
Some sources, articles, files or remotes failed; the rest ran.
.TP
2
Bad command line or configuration.
.TP
3
convert: the page holds no article.
.TP
74
The store cannot be written.
.TP
75
Another process holds the store; try again later.
.SH ENVIRONMENT
.TP
NO_COLOR
When set, output is never coloured.
.TP
SAMIZDAT_CONFIG
The configuration file when \fB\-\-config\fR is not given.
)";

std::string OverviewPage(const CLI::App& root) {
  std::string out = ".TH SAMIZDAT 1 \"\" \"samizdat\" \"samizdat manual\"\n";
  std::string summary = root.get_description();
  if (summary.rfind("samizdat: ", 0) == 0) summary.erase(0, 10);
  out += fmt::format(".SH NAME\nsamizdat \\- {}\n", Roff(summary));
  out += ".SH SYNOPSIS\n\\fBsamizdat\\fR \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n";
  out += ".SH COMMANDS\n";
  for (const CLI::App* c : VisibleCommands(root))
    out += fmt::format(".TP\n\\fB{}\\fR\n{}. See \\fBsamizdat\\-{}\\fR(1).\n", Roff(c->get_name()),
                       Roff(c->get_description()), Roff(c->get_name()));
  out += kOverviewTail;
  out += ".SH SEE ALSO\n";
  std::vector<std::string> refs;
  for (const CLI::App* c : VisibleCommands(root))
    refs.push_back("\\fBsamizdat\\-" + Roff(c->get_name()) + "\\fR(1)");
  out += fmt::format("{}\n", fmt::join(refs, ", "));
  return out;
}

// Every long and short option of `c`, as typed.
std::vector<std::string> Switches(const CLI::App& c) {
  std::vector<std::string> out;
  for (const CLI::Option* o : Options(c)) {
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
  }
  out.push_back("--help");
  return out;
}

std::string BashScript(const CLI::App& root) {
  std::vector<std::string> names;
  std::string cases;
  for (const CLI::App* c : VisibleCommands(root)) {
    names.push_back(c->get_name());
    cases += fmt::format("    {}) opts=\"{}\" ;;\n", c->get_name(), fmt::join(Switches(*c), " "));
  }
  return fmt::format(
      R"(# bash completion for samizdat (generated from its command line; do not edit)
_samizdat() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} command=${{COMP_WORDS[1]}} opts
  if [[ $COMP_CWORD -eq 1 ]]; then
    COMPREPLY=($(compgen -W "{} --help --version" -- "$cur"))
    return
  fi
  case $command in
{}    *) opts="" ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$opts" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -F _samizdat samizdat
)",
      fmt::join(names, " "), cases);
}

// Quoted for a single-quoted shell word.
std::string ShellQuoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string ZshScript(const CLI::App& root) {
  std::string commands, cases;
  for (const CLI::App* c : VisibleCommands(root)) {
    commands += "    " + ShellQuoted(c->get_name() + ":" + c->get_description()) + "\n";
    cases += fmt::format("    ({})\n      _arguments \\\n", c->get_name());
    for (const CLI::Option* o : Options(*c)) {
      if (o->get_positional()) {
        cases += "        '*:" + o->get_name() + ":_files' \\\n";
        continue;
      }
      for (const auto& l : o->get_lnames())
        cases += "        " +
                 ShellQuoted("--" + l + "[" + o->get_description() + "]" +
                             (IsFlag(*o) ? "" : ":" + o->get_type_name() + ":_files")) +
                 " \\\n";
    }
    cases += "        '--help[Print a summary of the options]'\n      ;;\n";
  }
  return fmt::format(R"(#compdef samizdat
# zsh completion for samizdat (generated from its command line; do not edit)
_samizdat() {{
  local -a commands
  commands=(
{}  )
  if (( CURRENT == 2 )); then
    _describe 'command' commands
    return
  fi
  case ${{words[2]}} in
{}  esac
}}
_samizdat "$@"
)",
                     commands, cases);
}

std::string FishScript(const CLI::App& root) {
  std::string out =
      "# fish completion for samizdat (generated from its command line; do not edit)\n"
      "complete -c samizdat -f\n";
  for (const CLI::App* c : VisibleCommands(root))
    out += fmt::format("complete -c samizdat -n __fish_use_subcommand -a {} -d {}\n", c->get_name(),
                       ShellQuoted(c->get_description()));
  for (const CLI::App* c : VisibleCommands(root))
    for (const CLI::Option* o : Options(*c)) {
      if (o->get_positional()) continue;
      std::string names;
      for (const auto& s : o->get_snames()) names += " -s " + s;
      for (const auto& l : o->get_lnames()) names += " -l " + l;
      out += fmt::format("complete -c samizdat -n '__fish_seen_subcommand_from {}'{}{} -d {}\n",
                         c->get_name(), names, IsFlag(*o) ? "" : " -r",
                         ShellQuoted(o->get_description()));
    }
  return out;
}

int WriteDocs(const CLI::App& root, const std::string& man_dir, const std::string& completion_dir) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!man_dir.empty()) {
    files.emplace_back(man_dir + "/samizdat.1", ManPage(root, nullptr));
    for (const CLI::App* c : VisibleCommands(root))
      files.emplace_back(man_dir + "/samizdat-" + c->get_name() + ".1", ManPage(root, c));
  }
  if (!completion_dir.empty()) {
    files.emplace_back(completion_dir + "/samizdat", CompletionScript(root, "bash"));
    files.emplace_back(completion_dir + "/_samizdat", CompletionScript(root, "zsh"));
    files.emplace_back(completion_dir + "/samizdat.fish", CompletionScript(root, "fish"));
  }
  for (const auto& [path, text] : files) {
    std::string error;
    if (!Env::Default()->WriteFileAtomic(path, text, &error)) {
      Complain(error);
      return kExitSomeFailed;
    }
  }
  return kExitOk;
}

}  // namespace

std::string ManPage(const CLI::App& root, const CLI::App* command) {
  return command ? CommandPage(*command) : OverviewPage(root);
}

std::string CompletionScript(const CLI::App& root, const std::string& shell) {
  if (shell == "zsh") return ZshScript(root);
  if (shell == "fish") return FishScript(root);
  return BashScript(root);
}

Subcommand AddGenerateDocs(CLI::App& root) {
  struct Args {
    std::string man_dir, completion_dir;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = root.add_subcommand("generate-docs", "Write man pages and shell completions");
  cmd->group("");  // hidden: a build step, not a user command
  cmd->add_option("--man", a->man_dir, "Directory for the man pages");
  cmd->add_option("--completions", a->completion_dir, "Directory for the completion scripts");
  return {cmd, [a, &root] { return WriteDocs(root, a->man_dir, a->completion_dir); }};
}

}  // namespace samizdat
