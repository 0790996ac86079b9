// `samizdat search QUERY`: the store's full-text index, ranked (doc/search.md).
#ifndef SAMIZDAT_CLI_SEARCH_COMMAND_H_
#define SAMIZDAT_CLI_SEARCH_COMMAND_H_

#include <CLI/CLI.hpp>

#include "cli/cli_common.h"

namespace samizdat {

Subcommand AddSearch(CLI::App& app);

}  // namespace samizdat

#endif  // SAMIZDAT_CLI_SEARCH_COMMAND_H_
