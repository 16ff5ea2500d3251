// SPDX-License-Identifier: GPL-2.0-or-later
#include "refcount/refcountjson.h"

#include "refcount/leaktable.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace kmr {

namespace {

const QString kHistorySchema = QStringLiteral("kmodrescue.refcount-history");
const QString kTraceSchema = QStringLiteral("kmodrescue.refcount-trace");

bool checkSchema(const QJsonObject &o, const QString &schema, QString *why)
{
    const QString got = o.value(QStringLiteral("schema")).toString();
    const int version = o.value(QStringLiteral("schema_version")).toInt(-1);
    if (got != schema) {
        *why = QStringLiteral("schema is '%1', expected '%2'").arg(got, schema);
        return false;
    }
    if (version != RefcountJsonSchemaVersion) {
        *why = QStringLiteral("%1 version %2 is not one this kmodrescue reads (it reads version %3)")
                   .arg(schema)
                   .arg(version)
                   .arg(RefcountJsonSchemaVersion);
        return false;
    }
    return true;
}

bool objectFromBytes(const QByteArray &data, QJsonObject *out, QString *why)
{
    QJsonParseError pe;
    const QJsonDocument d = QJsonDocument::fromJson(data, &pe);
    if (pe.error != QJsonParseError::NoError) {
        *why = pe.errorString() + QStringLiteral(" at byte ") + QString::number(pe.offset);
        return false;
    }
    if (!d.isObject()) {
        *why = QStringLiteral("not a JSON object");
        return false;
    }
    *out = d.object();
    return true;
}

QString hex(quint64 v)
{
    return QStringLiteral("0x") + QString::number(v, 16);
}

QJsonObject eventToJson(const TraceEvent &e)
{
    QJsonObject o {
        {QStringLiteral("kind"), e.kind == TraceEvent::Kind::Get ? QStringLiteral("get") : QStringLiteral("put")},
        {QStringLiteral("time_ns"), e.timestampNs}, {QStringLiteral("pid"), e.pid}, {QStringLiteral("cpu"), e.cpu},
        {QStringLiteral("task"), e.task}, {QStringLiteral("module"), e.module},
        {QStringLiteral("call_site"), e.callSite}, {QStringLiteral("refcnt_raw"), e.rawRefcnt},
        {QStringLiteral("lsmod_refcnt"), e.lsmodRefcnt()}};
    if (e.ip)
        o.insert(QStringLiteral("ip"), hex(e.ip));
    return o;
}

bool eventFromJson(const QJsonObject &o, TraceEvent *e, QString *why)
{
    const QString kind = o.value(QStringLiteral("kind")).toString();
    if (kind != QLatin1String("get") && kind != QLatin1String("put")) {
        *why = QStringLiteral("kind is '%1', expected get or put").arg(kind);
        return false;
    }
    bool ok = false;
    e->kind = kind == QLatin1String("get") ? TraceEvent::Kind::Get : TraceEvent::Kind::Put;
    if (!o.value(QStringLiteral("time_ns")).isDouble()) {
        *why = QStringLiteral("time_ns is not a number");
        return false;
    }
    e->timestampNs = o.value(QStringLiteral("time_ns")).toInteger();
    e->pid = o.value(QStringLiteral("pid")).toInt();
    e->cpu = o.value(QStringLiteral("cpu")).toInt();
    e->task = o.value(QStringLiteral("task")).toString();
    e->module = o.value(QStringLiteral("module")).toString();
    e->callSite = o.value(QStringLiteral("call_site")).toString();
    e->rawRefcnt = o.value(QStringLiteral("refcnt_raw")).toInt();
    const QString ip = o.value(QStringLiteral("ip")).toString();
    e->ip = ip.isEmpty() ? 0 : ip.toULongLong(&ok, 16);
    if (!ip.isEmpty() && !ok) {
        *why = QStringLiteral("ip '%1' is not a hexadecimal address").arg(ip);
        return false;
    }
    return true;
}

QJsonArray leakTableJson(const QList<TraceEvent> &events, QJsonObject *totals)
{
    LeakTable table;
    table.add(events);
    QJsonArray rows;
    for (const LeakRow &r : table.rows())
        rows.append(QJsonObject {{QStringLiteral("call_site"), r.callSite}, {QStringLiteral("held"), r.held},
            {QStringLiteral("net"), r.net()}, {QStringLiteral("gets"), r.gets}, {QStringLiteral("puts"), r.puts}});
    *totals = QJsonObject {{QStringLiteral("gets"), table.totalGets()}, {QStringLiteral("puts"), table.totalPuts()},
        {QStringLiteral("puts_of_older_references"), table.putsOfOlderReferences()}};
    if (!events.isEmpty())
        totals->insert(QStringLiteral("lsmod_refcnt_after"), table.lastLsmodRefcnt());
    return rows;
}

} // namespace

QJsonObject refcountHistoryToJson(
    const RefcountHistory &history, const QStringList &modules, qint64 endMs, double rateHz)
{
    QJsonObject series;
    const QStringList have = history.modules();
    for (const QString &m : modules.isEmpty() ? have : modules) {
        if (!have.contains(m))
            continue;
        QJsonArray points;
        for (const RefcountPoint &p : history.points(m))
            points.append(QJsonArray {p.timeMs, p.absent() ? QJsonValue(QJsonValue::Null) : QJsonValue(p.value)});
        series.insert(m, points);
    }
    return QJsonObject {{QStringLiteral("schema"), kHistorySchema},
        {QStringLiteral("schema_version"), RefcountJsonSchemaVersion},
        {QStringLiteral("clock"), QStringLiteral("CLOCK_MONOTONIC milliseconds since boot, as the trace's time")},
        {QStringLiteral("end_ms"), endMs}, {QStringLiteral("rate_hz"), rateHz}, {QStringLiteral("modules"), series}};
}

bool refcountHistoryFromJson(const QJsonObject &o, RecordedRefcountHistory *out, QString *why)
{
    if (!checkSchema(o, kHistorySchema, why))
        return false;
    RecordedRefcountHistory r;
    if (!o.value(QStringLiteral("end_ms")).isDouble()) {
        *why = QStringLiteral("end_ms is not a number");
        return false;
    }
    r.endMs = o.value(QStringLiteral("end_ms")).toInteger();
    r.rateHz = o.value(QStringLiteral("rate_hz")).toDouble();
    const QJsonObject series = o.value(QStringLiteral("modules")).toObject();
    for (auto it = series.constBegin(); it != series.constEnd(); ++it) {
        qint64 last = INT64_MIN;
        for (const QJsonValue &v : it.value().toArray()) {
            const QJsonArray p = v.toArray();
            const qint64 t = p.at(0).toInteger(INT64_MIN);
            if (p.size() != 2 || t == INT64_MIN || t < last || !(p.at(1).isNull() || p.at(1).isDouble())) {
                *why = QStringLiteral("module %1: a point is not [TIME_MS, VALUE|null] in time order").arg(it.key());
                return false;
            }
            last = t;
            // 1 ms periods: the store keeps the times exactly.
            r.history->record(it.key(), t, 1, p.at(1).isNull() ? RefcountPoint::kAbsent : p.at(1).toInteger());
        }
    }
    *out = std::move(r);
    return true;
}

QJsonObject traceToJson(const RecordedTrace &trace)
{
    QJsonArray events;
    for (const TraceEvent &e : trace.events)
        events.append(eventToJson(e));
    QJsonObject totals;
    const QJsonArray table = leakTableJson(trace.events, &totals);
    return QJsonObject {{QStringLiteral("schema"), kTraceSchema},
        {QStringLiteral("schema_version"), RefcountJsonSchemaVersion}, {QStringLiteral("module"), trace.module},
        {QStringLiteral("events"), events}, {QStringLiteral("leak_table"), table}, {QStringLiteral("totals"), totals}};
}

bool traceFromJson(const QJsonObject &o, RecordedTrace *out, QString *why)
{
    if (!checkSchema(o, kTraceSchema, why))
        return false;
    RecordedTrace t;
    t.module = o.value(QStringLiteral("module")).toString();
    const QJsonArray events = o.value(QStringLiteral("events")).toArray();
    for (qsizetype i = 0; i < events.size(); ++i) {
        TraceEvent e;
        if (!eventFromJson(events.at(i).toObject(), &e, why)) {
            *why = QStringLiteral("event %1: ").arg(i) + *why;
            return false;
        }
        t.events.append(std::move(e));
    }
    *out = std::move(t);
    return true;
}

bool refcountHistoryFromBytes(const QByteArray &data, RecordedRefcountHistory *out, QString *why)
{
    QJsonObject o;
    return objectFromBytes(data, &o, why) && refcountHistoryFromJson(o, out, why);
}

bool traceFromBytes(const QByteArray &data, RecordedTrace *out, QString *why)
{
    QJsonObject o;
    return objectFromBytes(data, &o, why) && traceFromJson(o, out, why);
}

} // namespace kmr
