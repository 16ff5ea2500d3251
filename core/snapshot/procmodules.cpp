// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/procmodules.h"

#include "util/fileread.h"

#include <QList>

namespace kmr {

static QList<QByteArray> fieldsOf(const QByteArray &line)
{
    QList<QByteArray> fields;
    for (const QByteArray &x : line.simplified().split(' ')) {
        if (!x.isEmpty())
            fields << x;
    }
    return fields;
}

// The first three fields /proc/modules and lsmod share: name, size, refcount ("-" without
// CONFIG_MODULE_UNLOAD).
static bool nameSizeRefcount(const QList<QByteArray> &f, ProcModulesEntry *e, QString *why)
{
    e->name = decodeKernelBytes(f[0], &e->nameLossy);
    bool ok = false;
    e->size = f[1].toLongLong(&ok);
    if (!ok || e->size < 0) {
        *why = QStringLiteral("size '%1' is not a number").arg(decodeKernelBytes(f[1].left(40)));
        return false;
    }
    e->refcount = f[2] == "-" ? -1 : f[2].toInt(&ok);
    if (!ok) {
        *why = QStringLiteral("refcount '%1' is not a number").arg(decodeKernelBytes(f[2].left(40)));
        return false;
    }
    return true;
}

static bool parseOne(const QByteArray &line, ProcModulesEntry *e, QString *why)
{
    // The kernel prints (kernel/module/procfs.c m_show):
    //   "%s %u %d " name, size, refcount      (refcount "-" without MODULE_UNLOAD)
    //   "dep1,dep2," or "-"                    users, then " "
    //   "Live" | "Loading" | "Unloading"
    //   " 0x%px"                               address
    //   " (%s)"                                taint letters, only when tainted
    const QList<QByteArray> fields = fieldsOf(line);
    if (fields.size() < 5) {
        *why = QStringLiteral("expected at least 5 fields, found %1").arg(fields.size());
        return false;
    }
    if (!nameSizeRefcount(fields, e, why))
        return false;
    bool ok = false;
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

namespace {

// "kmr_provider 16384 1 kmr_consumer": lsmod (kmod) prints name, size, refcount and the holders
// joined by ','.
bool parseLsmodLine(const QByteArray &line, ProcModulesEntry *e, QString *why)
{
    const QList<QByteArray> f = fieldsOf(line);
    if (f.size() < 3 || f.size() > 4) {
        *why = QStringLiteral("expected 3 or 4 fields, found %1").arg(f.size());
        return false;
    }
    if (!nameSizeRefcount(f, e, why))
        return false;
    if (f.size() == 4) {
        for (const QByteArray &u : f[3].split(',')) {
            if (!u.isEmpty())
                e->usedBy << decodeKernelBytes(u);
        }
    }
    e->state = ModuleState::Unknown;
    return true;
}

using LineParser = bool (*)(const QByteArray &, ProcModulesEntry *, QString *);

ProcModulesParse parseLines(const QByteArray &text, const char *what, LineParser parseLine, bool header)
{
    ProcModulesParse result;
    int lineNo = 0;
    for (const QByteArray &raw : text.split('\n')) {
        ++lineNo;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty() || (header && lineNo == 1 && line.startsWith("Module ")))
            continue;
        ProcModulesEntry e;
        QString why;
        if (!parseLine(line, &e, &why)) {
            result.warnings << QStringLiteral("%1 line %2 skipped: %3: \"%4\"")
                                   .arg(QLatin1String(what))
                                   .arg(lineNo)
                                   .arg(why, decodeKernelBytes(line.left(80)));
            continue;
        }
        if (e.nameLossy)
            result.warnings << QStringLiteral("%1 line %2: module name has bytes that are not UTF-8")
                                   .arg(QLatin1String(what))
                                   .arg(lineNo);
        result.entries << e;
    }
    return result;
}

} // namespace

ProcModulesParse parseLsmod(const QByteArray &text)
{
    return parseLines(text, "lsmod", &parseLsmodLine, true);
}

ProcModulesParse parseProcModules(const QByteArray &text)
{
    return parseLines(text, "/proc/modules", &parseOne, false);
}

} // namespace kmr
