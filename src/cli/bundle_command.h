// `samizdat bundle`: the mirror as files that travel offline: an EPUB digest, single-file
// HTML pages, or the whole signed site as one ZIP (doc/trust.md).
#pragma once

#include "cli/cli_common.h"

namespace samizdat {

Subcommand AddBundle(CLI::App& app);

}  // namespace samizdat
