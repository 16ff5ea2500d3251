// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "command.h"
#include "refcount/refcountjson.h"

namespace kmr::cli {

// --trace-file FILE of `bundle` and `diagnose` (refcount/tracefile.h). Returns ExitOk, or
// ExitBadInput after saying why, prefixed with "kmodrescue-cli COMMAND: ".
int readTraceFileArg(Context &ctx, const QString &command, const QString &file, RecordedTrace *trace);

} // namespace kmr::cli
