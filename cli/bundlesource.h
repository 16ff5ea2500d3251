// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "bundle/bundlecontents.h"
#include "command.h"

namespace kmr::cli {

// Opens --bundle FILE. Returns ExitOk, or ExitBadInput after printing the reader's message.
int loadBundle(Context &ctx, bundle::BundleContents *out);

} // namespace kmr::cli
