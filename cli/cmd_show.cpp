// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli show NAME [--json]: everything known about one loaded module.
#include "command.h"
#include "snapshot/snapshotjson.h"
#include "snapshotsource.h"

#include <QJsonObject>

namespace kmr::cli {

static int runShow(Context &ctx)
{
    if (ctx.args.size() != 1) {
        ctx.err << "usage: kmodrescue-cli show NAME [--json]\n";
        return ExitUsage;
    }
    Snapshot s;
    if (const int rc = loadModuleSnapshot(ctx, &s))
        return rc;
    const ModuleInfo *m = findOrReport(ctx, s, ctx.args.first());
    if (!m)
        return ExitNotFound;
    if (ctx.json) {
        QJsonObject o;
        o.insert(QStringLiteral("schema"), QStringLiteral("kmodrescue.module"));
        o.insert(QStringLiteral("schema_version"), SnapshotSchemaVersion);
        o.insert(QStringLiteral("module"), toJson(*m));
        o.insert(QStringLiteral("kernel"), toJson(s.kernel));
        printJson(ctx.out, o);
        return ExitOk;
    }
    const auto line = [&](const char *key, const QString &value) {
        ctx.out << QStringLiteral("%1 %2\n").arg(QLatin1String(key) + QLatin1Char(':'), -13).arg(value);
    };
    const auto list
        = [](const QStringList &l) { return l.isEmpty() ? QStringLiteral("-") : l.join(QStringLiteral(", ")); };
    line("name", m->name);
    line("state", toString(m->state));
    line("refcount", m->refcount < 0 ? QStringLiteral("unknown") : QString::number(m->refcount));
    line("size", m->size < 0 ? QStringLiteral("unknown") : QString::number(m->size));
    line("holders", list(m->holders));
    line("depends on", list(m->dependencies));
    line("taint", m->taint.isEmpty() ? QStringLiteral("-") : m->taint);
    line("file", m->koPath.display());
    line("vermagic", m->vermagic.display());
    line("srcversion", m->srcversion.display());
    line("signer", m->signer.known() && m->signer.value.isEmpty() ? QStringLiteral("(unsigned)") : m->signer.display());
    line("compiler", m->compiler.display());
    line("exit",
        m->exit == ExitPresence::Unknown ? QStringLiteral("unknown (") + m->exitWhy + QLatin1Char(')')
                                         : toString(m->exit));
    line("kernel cc", s.kernel.compiler.display());
    for (const QString &w : m->warnings)
        line("warning", w);
    return ExitOk;
}

static Registrar reg {"show", "show NAME [--json]", "everything known about one module", &runShow};

} // namespace kmr::cli
