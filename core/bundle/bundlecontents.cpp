// SPDX-License-Identifier: GPL-2.0-or-later
// BundleContents <-> members, and opening a bundle file.
#include "bundle/bundlecontents.h"
#include "bundle/bundlerecordings.h"

#include "bundle/sosreport.h"

#include "diagnosis/diagnosisjson.h"
#include "diagnosis/unloadjson.h"
#include "kernellog/kernellogjson.h"
#include "snapshot/snapshotjson.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

namespace kmr::bundle {

using namespace kmr::kernellog;

namespace {

QByteArray json(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}
QByteArray json(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Indented);
}

QJsonObject part(const BundleContents &c, const QString &name, bool present)
{
    QJsonObject o {{QStringLiteral("status"), present ? QStringLiteral("present") : QStringLiteral("absent")}};
    if (!present)
        o.insert(QStringLiteral("why"), c.absentWhy.value(name, QStringLiteral("none collected")));
    return o;
}

// A module name safe as a file name (module names are [A-Za-z0-9_]; anything else becomes '_').
QString fileSafe(const QString &name)
{
    QString s = name;
    for (QChar &ch : s) {
        if (!ch.isLetterOrNumber() && ch != QLatin1Char('_') && ch != QLatin1Char('-'))
            ch = QLatin1Char('_');
    }
    return s;
}

} // namespace

QList<BundleMember> bundleMembers(const BundleContents &c, QJsonObject *parts)
{
    QList<BundleMember> m;
    QJsonObject p;
    m.append({QStringLiteral("snapshot.json"), json(toJson(c.snapshot))});
    p.insert(QStringLiteral("snapshot"), part(c, QStringLiteral("snapshot"), true));
    for (const Diagnosis &d : c.diagnoses)
        m.append({QStringLiteral("diagnosis/") + fileSafe(d.module) + QStringLiteral(".json"), json(toJson(d))});
    p.insert(QStringLiteral("diagnosis"), part(c, QStringLiteral("diagnosis"), !c.diagnoses.isEmpty()));
    QJsonObject chosen {{QStringLiteral("modules"), QJsonArray::fromStringList(c.chosenModules)}};
    if (!c.graphDot.isEmpty())
        m.append({QStringLiteral("graph.dot"), c.graphDot.toUtf8()});
    p.insert(QStringLiteral("graph-dot"), part(c, QStringLiteral("graph-dot"), !c.graphDot.isEmpty()));
    if (!c.graphSvg.isEmpty())
        m.append({QStringLiteral("graph.svg"), c.graphSvg});
    p.insert(QStringLiteral("graph-svg"), part(c, QStringLiteral("graph-svg"), !c.graphSvg.isEmpty()));
    if (c.hasKernelLog) {
        QByteArray lines, text;
        for (const KernelLogRecord &r : c.kernelLog) {
            lines += QJsonDocument(toJson(r)).toJson(QJsonDocument::Compact);
            lines += '\n';
            text += toDmesgLine(r).toUtf8();
            text += '\n';
        }
        m.append({QStringLiteral("kernel-log.jsonl"), lines});
        m.append({QStringLiteral("kernel-log.txt"), text});
        m.append({QStringLiteral("oops.json"), json(toJson(c.oopses))});
    }
    p.insert(QStringLiteral("kernel-log"), part(c, QStringLiteral("kernel-log"), c.hasKernelLog));
    p.insert(QStringLiteral("oops"), part(c, QStringLiteral("oops"), c.hasKernelLog));
    if (!c.kernelConfig.isEmpty())
        m.append({QStringLiteral("kernel-config.txt"), c.kernelConfig.toUtf8()});
    p.insert(QStringLiteral("kernel-config"), part(c, QStringLiteral("kernel-config"), !c.kernelConfig.isEmpty()));
    for (const ModuleInfo &mi : c.involvedModules)
        m.append({QStringLiteral("modules/") + fileSafe(mi.name) + QStringLiteral(".json"), json(toJson(mi))});
    p.insert(QStringLiteral("modules"), part(c, QStringLiteral("modules"), !c.involvedModules.isEmpty()));
    const struct {
        const char *name;
        const char *path;
        const QByteArray &data;
    } opaque[] = {{"refcount-history", "refcount/history.json", c.refcountHistoryJson},
        {"refcount-trace", "refcount/trace.json", c.refcountTraceJson},
        {"unload-plan", "unload/plan.json", c.unloadPlanJson}};
    for (const auto &o : opaque) {
        if (!o.data.isEmpty())
            m.append({QLatin1String(o.path), o.data});
        p.insert(QLatin1String(o.name), part(c, QLatin1String(o.name), !o.data.isEmpty()));
    }
    p.insert(QStringLiteral("chosen"), chosen);
    if (parts)
        *parts = p;
    return m;
}

QJsonObject manifestExtra(const BundleContents &c, const QJsonObject &parts, bool redacted)
{
    return QJsonObject {{QStringLiteral("kernel_release"), c.snapshot.kernel.release.value},
        {QStringLiteral("source"), c.snapshot.source}, {QStringLiteral("redacted"), redacted},
        {QStringLiteral("parts"), parts}};
}

namespace {

bool badMember(const QString &file, const QString &path, const QString &why, BundleError *error, QString *message)
{
    if (error)
        *error = BundleError::BadMember;
    if (message)
        *message = file + QStringLiteral(": member '") + path + QStringLiteral("' cannot be read: ") + why
            + QStringLiteral(". If a newer kmodrescue wrote it, update this one (%1); if not, ")
                  .arg(QStringLiteral(KMR_VERSION))
            + getAgainClause(bundleRules());
    return false;
}

QJsonDocument parse(const QByteArray &data, QString *why)
{
    QJsonParseError pe;
    QJsonDocument d = QJsonDocument::fromJson(data, &pe);
    if (pe.error != QJsonParseError::NoError)
        *why = pe.errorString() + QStringLiteral(" at byte ") + QString::number(pe.offset);
    return d;
}

bool contentsFromArchive(
    const BundleArchive &a, const QString &file, BundleContents *out, BundleError *error, QString *message)
{
    BundleContents c;
    c.manifest = a.manifest;
    QString why;
    const QString snapPath = QStringLiteral("snapshot.json");
    if (!a.members.contains(snapPath))
        return badMember(file, snapPath, QStringLiteral("it is missing"), error, message);
    const QJsonDocument sd = parse(a.members.value(snapPath), &why);
    if (!why.isEmpty() || !fromJson(sd.object(), &c.snapshot, &why))
        return badMember(file, snapPath, why, error, message);
    c.snapshot.source = QStringLiteral("bundle:") + file;
    const QJsonObject parts = a.manifest.value(QStringLiteral("parts")).toObject();
    for (const QJsonValue &v :
        parts.value(QStringLiteral("chosen")).toObject().value(QStringLiteral("modules")).toArray())
        c.chosenModules << v.toString();
    for (auto it = parts.constBegin(); it != parts.constEnd(); ++it) {
        const QJsonObject o = it.value().toObject();
        if (o.value(QStringLiteral("status")).toString() == QLatin1String("absent"))
            c.absentWhy.insert(it.key(), o.value(QStringLiteral("why")).toString());
    }
    for (auto it = a.members.constBegin(); it != a.members.constEnd(); ++it) {
        const QString &path = it.key();
        if (path.startsWith(QLatin1String("diagnosis/"))) {
            Diagnosis d;
            const QJsonDocument doc = parse(*it, &why);
            if (!why.isEmpty() || !fromJson(doc.object(), &d, &why))
                return badMember(file, path, why, error, message);
            c.diagnoses << d;
        } else if (path.startsWith(QLatin1String("modules/"))) {
            ModuleInfo m;
            const QJsonDocument doc = parse(*it, &why);
            if (!why.isEmpty() || !fromJson(doc.object(), &m, &why))
                return badMember(file, path, why, error, message);
            c.involvedModules << m;
        }
    }
    c.graphDot = QString::fromUtf8(a.members.value(QStringLiteral("graph.dot")));
    c.graphSvg = a.members.value(QStringLiteral("graph.svg"));
    c.kernelConfig = QString::fromUtf8(a.members.value(QStringLiteral("kernel-config.txt")));
    c.refcountHistoryJson = a.members.value(QStringLiteral("refcount/history.json"));
    c.refcountTraceJson = a.members.value(QStringLiteral("refcount/trace.json"));
    c.unloadPlanJson = a.members.value(QStringLiteral("unload/plan.json"));
    const auto log = a.members.constFind(QStringLiteral("kernel-log.jsonl"));
    if (log != a.members.constEnd()) {
        c.hasKernelLog = true;
        int lineNo = 0;
        for (const QByteArray &line : log->split('\n')) {
            ++lineNo;
            if (line.isEmpty())
                continue;
            const QJsonDocument doc = parse(line, &why);
            if (!why.isEmpty() || !doc.isObject())
                return badMember(file, log.key() + QLatin1Char(':') + QString::number(lineNo),
                    why.isEmpty() ? QStringLiteral("not a JSON object") : why, error, message);
            c.kernelLog << recordFromJson(doc.object());
        }
    }
    const auto oops = a.members.constFind(QStringLiteral("oops.json"));
    if (oops != a.members.constEnd()) {
        const QJsonDocument doc = parse(*oops, &why);
        if (!why.isEmpty() || !doc.isArray())
            return badMember(
                file, oops.key(), why.isEmpty() ? QStringLiteral("not a JSON array") : why, error, message);
        for (const QJsonValue &v : doc.array())
            c.oopses << excerptFromJson(v.toObject());
    }
    RecordedRefcountHistory history;
    RecordedTrace trace;
    if (!recordedHistory(c, &history, &why))
        return badMember(file, QStringLiteral("refcount/history.json"), why, error, message);
    if (!recordedTrace(c, &trace, &why))
        return badMember(file, QStringLiteral("refcount/trace.json"), why, error, message);
    if (!c.unloadPlanJson.isEmpty()) {
        const QJsonDocument plan = parse(c.unloadPlanJson, &why);
        QList<QJsonObject> unloads;
        if (!plan.isObject() || !unloadRecordsFromJson(plan.object(), &unloads, &why))
            return badMember(file, QStringLiteral("unload/plan.json"),
                why.isEmpty() ? QStringLiteral("not a JSON object") : why, error, message);
    }
    if (out)
        *out = std::move(c);
    return true;
}

} // namespace

bool openBundle(
    const QString &file, BundleContents *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    if (file.startsWith(QLatin1String(":/"))) { // a Qt resource: the embedded sample
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            if (error)
                *error = BundleError::CannotOpen;
            if (message)
                *message = file
                    + QStringLiteral(": cannot read the bundle: this build has no such resource "
                                     "(rebuild with resources/samples/ present)");
            return false;
        }
        return openBundleData(f.readAll(), file, out, error, message, limits);
    }
    if (looksLikeSosReport(file))
        return openSosReport(file, out, error, message, limits);
    BundleArchive a;
    return readBundleArchive(file, &a, error, message, limits) && contentsFromArchive(a, file, out, error, message);
}

bool openBundleData(const QByteArray &data, const QString &name, BundleContents *out, BundleError *error,
    QString *message, const ReadLimits &limits)
{
    BundleArchive a;
    return readBundleArchiveData(data, name, &a, error, message, limits)
        && contentsFromArchive(a, name, out, error, message);
}

} // namespace kmr::bundle
