// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/referencetakers.h"

#include <QRegularExpression>

namespace kmr {

namespace {

// "kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]" -> "kmr_refleak"
QString callSiteModule(const QString &callSite)
{
    static const QRegularExpression re(QStringLiteral("\\[([^\\]\\s]+)\\]\\s*$"));
    const QRegularExpressionMatch m = re.match(callSite);
    return m.hasMatch() ? canonicalModuleName(m.captured(1)) : QString();
}

} // namespace

QList<ReferenceTaker> referenceTakers(const QList<LeakRow> &rows)
{
    QList<ReferenceTaker> out;
    for (const LeakRow &r : rows) {
        if (r.held > 0)
            out.append(ReferenceTaker {callSiteModule(r.callSite), r.callSite, r.held});
    }
    return out;
}

QList<ReferenceTaker> referenceTakers(const RecordedTrace &trace)
{
    const QString module = canonicalModuleName(trace.module);
    LeakTable table;
    for (const TraceEvent &e : trace.events) {
        if (canonicalModuleName(e.module) == module)
            table.add(e);
    }
    return referenceTakers(table.rows());
}

} // namespace kmr
