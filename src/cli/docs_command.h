// The hidden `samizdat generate-docs` command: man pages and bash, zsh and fish completions
// written from the CLI11 definition itself, so they cannot drift from the options the
// binary accepts. The build runs it (CMakeLists.txt); doc/operations.md describes it.
#pragma once

#include <string>

#include "cli/cli_common.h"

namespace samizdat {

// `root` is the whole command line (every other command already added).
Subcommand AddGenerateDocs(CLI::App& root);

// The pages and scripts themselves, for tests: the man page of `command` (nullptr: the
// overview page samizdat(1)), and the completion script for "bash", "zsh" or "fish".
std::string ManPage(const CLI::App& root, const CLI::App* command);
std::string CompletionScript(const CLI::App& root, const std::string& shell);

}  // namespace samizdat
