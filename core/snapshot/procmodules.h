// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "snapshot/moduleinfo.h"

#include <QByteArray>

namespace kmr {

// One line of /proc/modules: "name size refcount users, state address (taint)".
struct ProcModulesEntry {
    QString name;
    qint64 size = -1;
    int refcount = -1; // "-" when the kernel has no CONFIG_MODULE_UNLOAD
    QStringList usedBy; // the modules that use this one (its holders)
    ModuleState state = ModuleState::Unknown;
    quint64 address = 0;
    QString taint; // letters in the trailing parentheses, "" when none
    bool nameLossy = false; // the name had bytes that are not UTF-8
    bool permanent = false; // "[permanent]" in the users column: an init and no exit
};

struct ProcModulesParse {
    QList<ProcModulesEntry> entries;
    QStringList warnings; // one per malformed line, with its line number
};

// Parses the text of /proc/modules. Malformed lines are skipped with a warning; a valid line
// is never lost because its neighbour is broken.
ProcModulesParse parseProcModules(const QByteArray &text);

// Parses `lsmod` output ("Module Size Used by" header, then "name size refcount [users]"), as a
// sosreport without /proc/modules has it. lsmod prints no state, address or taint: state is
// Unknown. Malformed lines are skipped with a warning, as above.
ProcModulesParse parseLsmod(const QByteArray &text);

} // namespace kmr
