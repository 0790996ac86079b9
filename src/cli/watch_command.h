// `samizdat watch`: the long-running mode (doc/operations.md).
#pragma once

#include "cli/cli_common.h"

namespace samizdat {

Subcommand AddWatch(CLI::App& app);

}  // namespace samizdat
