// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "refcount/refcountjson.h"

namespace kmr {

// Reads a saved get/put trace: the text of tracefs' trace or trace_pipe with the module:module_get
// and module:module_put events enabled (any form TraceEventParser reads), or kmr-tracetool's
// "EVENT ..." lines. Other lines are skipped. The trace's module is its first event's.
// False with *why (what is wrong, what to give instead) when the file cannot be read or holds no
// such event. `kmodrescue-cli bundle --trace-file` and `diagnose --trace-file` read it.
bool readTraceFile(const QString &file, RecordedTrace *out, QString *why);

} // namespace kmr
