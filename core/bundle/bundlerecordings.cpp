// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundle/bundlerecordings.h"

#include "diagnosis/unloadjson.h"

#include <QJsonDocument>

namespace kmr::bundle {

namespace {
QByteArray indented(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}
} // namespace

QStringList recordedModules(const BundleContents &c)
{
    QStringList names = c.chosenModules;
    for (const ModuleInfo &m : c.involvedModules)
        names << m.name;
    names.removeDuplicates();
    return names;
}

bool attachRefcountHistory(BundleContents *c, const RefcountHistory &history, qint64 endMs, double rateHz)
{
    const QStringList have = history.modules();
    QStringList keep;
    for (const QString &m : recordedModules(*c)) {
        if (have.contains(m))
            keep << m;
    }
    if (keep.isEmpty()) {
        c->absentWhy.insert(
            QStringLiteral("refcount-history"), QStringLiteral("the refcounts of the chosen modules were not sampled"));
        return false;
    }
    c->refcountHistoryJson = indented(refcountHistoryToJson(history, keep, endMs, rateHz));
    c->absentWhy.remove(QStringLiteral("refcount-history"));
    return true;
}

bool attachTrace(BundleContents *c, const RecordedTrace &trace)
{
    if (trace.events.isEmpty()) {
        c->absentWhy.insert(QStringLiteral("refcount-trace"), QStringLiteral("the trace recorded no get/put event"));
        return false;
    }
    c->refcountTraceJson = indented(traceToJson(trace));
    c->absentWhy.remove(QStringLiteral("refcount-trace"));
    return true;
}

bool attachUnloadRecords(BundleContents *c, const QList<QJsonObject> &records)
{
    if (records.isEmpty())
        return false;
    c->unloadPlanJson = indented(unloadRecordsJson(records));
    c->absentWhy.remove(QStringLiteral("unload-plan"));
    return true;
}

bool recordedHistory(const BundleContents &c, RecordedRefcountHistory *out, QString *why)
{
    *out = {};
    return c.refcountHistoryJson.isEmpty() || refcountHistoryFromBytes(c.refcountHistoryJson, out, why);
}

bool recordedTrace(const BundleContents &c, RecordedTrace *out, QString *why)
{
    *out = {};
    return c.refcountTraceJson.isEmpty() || traceFromBytes(c.refcountTraceJson, out, why);
}

QHash<QString, QStringList> recordedUnloads(const BundleContents &c)
{
    QHash<QString, QStringList> out;
    QList<QJsonObject> records;
    QString why;
    if (c.unloadPlanJson.isEmpty()
        || !unloadRecordsFromJson(QJsonDocument::fromJson(c.unloadPlanJson).object(), &records, &why))
        return out;
    for (const QJsonObject &r : std::as_const(records)) {
        QStringList &lines = out[unloadRecordModule(r)];
        if (!lines.isEmpty())
            lines << QString();
        lines << describeUnloadRecord(r);
    }
    return out;
}

} // namespace kmr::bundle
