// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/taint.h"

#include <QStringList>

namespace kmr {

// Documentation/admin-guide/tainted-kernels.rst, "Table for decoding tainted state".
const QList<TaintFlag> &taintFlags()
{
    static const QList<TaintFlag> flags = {
        {0, 'P', "proprietary module was loaded"},
        {1, 'F', "module was force loaded"},
        {2, 'S', "kernel running on an out of specification system"},
        {3, 'R', "module was force unloaded"},
        {4, 'M', "processor reported a Machine Check Exception (MCE)"},
        {5, 'B', "bad page referenced or some unexpected page flags"},
        {6, 'U', "taint requested by userspace application"},
        {7, 'D', "kernel died recently, i.e. there was an OOPS or BUG"},
        {8, 'A', "an ACPI table was overridden by user"},
        {9, 'W', "kernel issued warning"},
        {10, 'C', "staging driver was loaded"},
        {11, 'I', "workaround for bug in platform firmware applied"},
        {12, 'O', "externally-built (\"out-of-tree\") module was loaded"},
        {13, 'E', "unsigned module was loaded"},
        {14, 'L', "soft lockup occurred"},
        {15, 'K', "kernel has been live patched"},
        {16, 'X', "auxiliary taint, defined for and used by distros"},
        {17, 'T', "kernel was built with the struct randomization plugin"},
        {18, 'N', "an in-kernel test has been run"},
        {19, 'J', "userspace used a mutating debug operation in fwctl"},
    };
    return flags;
}

QString taintLetters(quint64 mask)
{
    QString s;
    for (const TaintFlag &f : taintFlags()) {
        if (mask & (quint64(1) << f.bit))
            s += QLatin1Char(f.letter);
    }
    return s;
}

quint64 taintMaskFromLetters(const QString &letters)
{
    quint64 mask = 0;
    for (const QChar c : letters) {
        for (const TaintFlag &f : taintFlags()) {
            if (c == QLatin1Char(f.letter))
                mask |= quint64(1) << f.bit;
        }
    }
    return mask;
}

QStringList describeTaint(quint64 mask)
{
    QStringList out;
    for (const TaintFlag &f : taintFlags()) {
        if (mask & (quint64(1) << f.bit))
            out << QStringLiteral("%1 (bit %2): %3")
                       .arg(QLatin1Char(f.letter))
                       .arg(f.bit)
                       .arg(QLatin1String(f.meaning));
    }
    const quint64 known = (quint64(1) << 20) - 1;
    if (mask & ~known)
        out << QStringLiteral("undocumented bits: 0x%1").arg(mask & ~known, 0, 16);
    return out;
}

} // namespace kmr
