// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/procmodules.h"

#include "util/fileread.h"

#include <QList>

namespace kmr {

static bool parseOne(const QByteArray &line, ProcModulesEntry *e, QString *why)
{
    // The kernel prints (kernel/module/procfs.c m_show):
    //   "%s %u %d " name, size, refcount      (refcount "-" without MODULE_UNLOAD)
    //   "dep1,dep2," or "-"                    users, then " "
    //   "Live" | "Loading" | "Unloading"
    //   " 0x%px"                               address
    //   " (%s)"                                taint letters, only when tainted
    const QList<QByteArray> f = line.split(' ');
    QList<QByteArray> fields;
    for (const QByteArray &x : f) {
        if (!x.isEmpty())
            fields << x;
    }
    if (fields.size() < 5) {
        *why = QStringLiteral("expected at least 5 fields, found %1").arg(fields.size());
        return false;
    }
    e->name = decodeKernelBytes(fields[0], &e->nameLossy);
    bool ok = false;
    e->size = fields[1].toLongLong(&ok);
    if (!ok || e->size < 0) {
        *why = QStringLiteral("size '%1' is not a number").arg(decodeKernelBytes(fields[1].left(40)));
        return false;
    }
    if (fields[2] == "-") {
        e->refcount = -1;
    } else {
        e->refcount = fields[2].toInt(&ok);
        if (!ok) {
            *why = QStringLiteral("refcount '%1' is not a number").arg(decodeKernelBytes(fields[2].left(40)));
            return false;
        }
    }
    if (fields[3] != "-") {
        for (const QByteArray &u : fields[3].split(',')) {
            // The kernel appends "[permanent]" (init, no exit) and "[unsafe]" to this column:
            // markers, not module names.
            if (u == "[permanent]")
                e->permanent = true;
            else if (!u.isEmpty() && !u.startsWith('['))
                e->usedBy << decodeKernelBytes(u);
        }
    }
    e->state = moduleStateFromString(QString::fromLatin1(fields[4]));
    if (e->state == ModuleState::Unknown) {
        *why = QStringLiteral("unknown state '%1'").arg(decodeKernelBytes(fields[4].left(40)));
        return false;
    }
    if (fields.size() > 5) {
        QByteArray addr = fields[5];
        if (addr.startsWith("0x"))
            addr = addr.mid(2);
        e->address = addr.toULongLong(&ok, 16);
        if (!ok)
            e->address = 0;
    }
    if (fields.size() > 6) {
        QByteArray t = fields[6];
        if (t.startsWith('(') && t.endsWith(')'))
            e->taint = QString::fromLatin1(t.mid(1, t.size() - 2));
    }
    return true;
}

ProcModulesParse parseProcModules(const QByteArray &text)
{
    ProcModulesParse result;
    int lineNo = 0;
    for (const QByteArray &raw : text.split('\n')) {
        ++lineNo;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        ProcModulesEntry e;
        QString why;
        if (!parseOne(line, &e, &why)) {
            result.warnings << QStringLiteral("/proc/modules line %1 skipped: %2: \"%3\"")
                                   .arg(lineNo)
                                   .arg(why, decodeKernelBytes(line.left(80)));
            continue;
        }
        if (e.nameLossy)
            result.warnings
                << QStringLiteral("/proc/modules line %1: module name has bytes that are not UTF-8").arg(lineNo);
        result.entries << e;
    }
    return result;
}

} // namespace kmr
