// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The diagnosis' view of a refcount trace: the leak table's call sites that still held references
// when the trace ended, as ReferenceTakers (diagnosis.h). The GUI's Refcount tab, `kmodrescue-cli
// diagnose --trace-file`, a bundle's refcount/trace.json and a bundle export feed the Diagnoser
// through here, so all of them name the same call sites.

#include "diagnosis/diagnosis.h"
#include "refcount/leaktable.h"
#include "refcount/refcountjson.h"

namespace kmr {

// The rows still holding references (LeakRow::held > 0), in the table's order (most held first).
// A taker's module is the call site's "[module]" suffix, "" when it has none (core kernel code).
QList<ReferenceTaker> referenceTakers(const QList<LeakRow> &rows);
// The same from the leak table of the trace's events of trace.module.
QList<ReferenceTaker> referenceTakers(const RecordedTrace &trace);

} // namespace kmr
