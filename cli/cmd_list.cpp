// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli list [--json]: the loaded modules, like lsmod with state, taint and holders.
#include "command.h"
#include "snapshot/snapshotjson.h"
#include "snapshotsource.h"

#include <QJsonObject>

namespace kmr::cli {

static int runList(Context &ctx)
{
    if (!ctx.args.isEmpty()) {
        ctx.err << "kmodrescue-cli: list takes no arguments (got '" << ctx.args.first() << "')\n";
        return ExitUsage;
    }
    Snapshot s;
    bundle::BundleContents opened;
    if (const int rc = loadSnapshot(ctx, &s, &opened))
        return rc;
    if (ctx.json) {
        printJson(ctx.out, toJson(s));
        return s.kernel.moduleSupport ? ExitOk : ExitNoModuleSupport;
    }
    if (!s.kernel.moduleSupport)
        return reportNoModuleSupport(ctx, s);
    ctx.out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                   .arg(QStringLiteral("Module"), -24)
                   .arg(QStringLiteral("Size"), 9)
                   .arg(QStringLiteral("Refs"), 5)
                   .arg(QStringLiteral("State"), -10)
                   .arg(QStringLiteral("Taint"), -6)
                   .arg(QStringLiteral("Holders"));
    for (const ModuleInfo &m : s.modules) {
        ctx.out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                       .arg(m.name, -24)
                       .arg(m.size < 0 ? QStringLiteral("?") : QString::number(m.size), 9)
                       .arg(m.refcount < 0 ? QStringLiteral("-") : QString::number(m.refcount), 5)
                       .arg(toString(m.state), -10)
                       .arg(m.taint.isEmpty() ? QStringLiteral("-") : m.taint, -6)
                       .arg(m.holders.isEmpty() ? QStringLiteral("-") : m.holders.join(QLatin1Char(',')));
    }
    ctx.out << "\n"
            << s.modules.size() << " modules; kernel " << s.kernel.release.display() << ", taint "
            << (s.kernel.taintKnown ? (s.kernel.taintLetters.isEmpty() ? QStringLiteral("none") : s.kernel.taintLetters)
                                    : QStringLiteral("unknown"))
            << ", lockdown " << s.kernel.lockdown.display() << "\n";
    for (const QString &w : s.warnings)
        ctx.err << "warning: " << w << "\n";
    // What a sosreport does not hold is said (on stderr, like the warnings), not hidden. A
    // bundle's absent parts are listed when it is written.
    if (s.source.startsWith(QLatin1String("sosreport:"))) {
        for (auto it = opened.absentWhy.constBegin(); it != opened.absentWhy.constEnd(); ++it)
            ctx.err << "note: not in this sosreport: " << it.key() << ": " << it.value() << "\n";
    }
    return ExitOk;
}

static Registrar reg {"list", "list [--json]", "the loaded modules with state, refcount, holders", &runList};

} // namespace kmr::cli
