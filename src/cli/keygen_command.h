// `samizdat keygen`: makes the minisign key pair a mirror is signed with (doc/trust.md).
#pragma once

#include "cli/cli_common.h"

namespace samizdat {

Subcommand AddKeygen(CLI::App& app);

}  // namespace samizdat
