// `samizdat verify PATH|URL`: checks a mirror, an unpacked bundle or one page against its
// signed manifest (doc/trust.md).
#pragma once

#include "cli/cli_common.h"

namespace samizdat {

Subcommand AddVerify(CLI::App& app);

}  // namespace samizdat
