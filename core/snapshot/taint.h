// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QList>
#include <QString>

namespace kmr {

// The kernel's taint flags (Documentation/admin-guide/tainted-kernels.rst): all 20 bits.
struct TaintFlag {
    int bit;
    char letter;
    const char *meaning;
};

const QList<TaintFlag> &taintFlags();
// Letters for the set bits, in bit order, as the kernel prints them in "Tainted:" lines.
QString taintLetters(quint64 mask);
// Inverse: letters back to a mask (unknown letters ignored).
quint64 taintMaskFromLetters(const QString &letters);
// One line per set bit: "O (bit 12): externally-built (out-of-tree) module was loaded".
QStringList describeTaint(quint64 mask);

} // namespace kmr
