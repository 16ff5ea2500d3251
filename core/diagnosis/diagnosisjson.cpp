// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/diagnosisjson.h"

#include <QJsonArray>

#include <algorithm>

namespace kmr {

namespace {

QString evidenceKindName(Evidence::Kind k)
{
    switch (k) {
    case Evidence::Kind::File:
        return QStringLiteral("file");
    case Evidence::Kind::Oops:
        return QStringLiteral("oops");
    case Evidence::Kind::Process:
        return QStringLiteral("process");
    case Evidence::Kind::Note:
        break;
    }
    return QStringLiteral("note");
}

bool evidenceKindFrom(const QString &s, Evidence::Kind *k)
{
    static const Evidence::Kind kinds[]
        = {Evidence::Kind::File, Evidence::Kind::Oops, Evidence::Kind::Process, Evidence::Kind::Note};
    const auto *it
        = std::find_if(std::begin(kinds), std::end(kinds), [&s](Evidence::Kind c) { return evidenceKindName(c) == s; });
    if (it == std::end(kinds))
        return false;
    *k = *it;
    return true;
}

QString userKindName(ModuleUser::Kind k)
{
    switch (k) {
    case ModuleUser::Kind::DeviceNode:
        return QStringLiteral("device-node");
    case ModuleUser::Kind::Mount:
        return QStringLiteral("mount");
    case ModuleUser::Kind::NetworkInterface:
        break;
    }
    return QStringLiteral("network-interface");
}

QJsonArray strings(const QStringList &l)
{
    return QJsonArray::fromStringList(l);
}

QStringList stringsFrom(const QJsonValue &v)
{
    QStringList out;
    for (const auto &x : v.toArray())
        out << x.toString();
    return out;
}

bool fail(QString *error, const QString &what)
{
    if (error)
        *error = what;
    return false;
}

} // namespace

QJsonObject toJson(const Evidence &e)
{
    QJsonObject o {{QStringLiteral("kind"), evidenceKindName(e.kind)}, {QStringLiteral("label"), e.label},
        {QStringLiteral("source"), e.source}, {QStringLiteral("value"), e.value}};
    if (!e.oopsId.isEmpty())
        o.insert(QStringLiteral("oopsId"), e.oopsId);
    if (e.pid >= 0)
        o.insert(QStringLiteral("pid"), e.pid);
    if (e.needsHelper)
        o.insert(QStringLiteral("needsHelper"), true);
    if (!e.detail.isEmpty())
        o.insert(QStringLiteral("detail"), strings(e.detail));
    return o;
}

QJsonObject toJson(const Finding &f)
{
    QJsonArray evidence;
    for (const Evidence &e : f.evidence)
        evidence.append(toJson(e));
    QJsonArray steps;
    for (RemedyStep s : f.steps)
        steps.append(toString(s));
    QJsonObject o {{QStringLiteral("kind"), toString(f.kind)}, {QStringLiteral("severity"), toString(f.severity)},
        {QStringLiteral("sentence"), f.sentence}, {QStringLiteral("evidence"), evidence},
        {QStringLiteral("remedy"), f.remedy}, {QStringLiteral("steps"), steps}};
    if (!f.unloadOrder.isEmpty())
        o.insert(QStringLiteral("unloadOrder"), strings(f.unloadOrder));
    return o;
}

QJsonObject toJson(const ModuleUser &u)
{
    QJsonObject o {{QStringLiteral("kind"), userKindName(u.kind)}, {QStringLiteral("what"), u.what},
        {QStringLiteral("source"), u.source}};
    if (u.pid >= 0) {
        o.insert(QStringLiteral("pid"), u.pid);
        o.insert(QStringLiteral("command"), u.command);
    }
    return o;
}

QJsonObject toJson(const Diagnosis &d)
{
    QJsonArray findings;
    for (const Finding &f : d.findings)
        findings.append(toJson(f));
    QJsonArray users;
    for (const ModuleUser &u : d.users)
        users.append(toJson(u));
    return QJsonObject {{QStringLiteral("schema"), QStringLiteral("kmodrescue-diagnosis")},
        {QStringLiteral("version"), DiagnosisSchemaVersion}, {QStringLiteral("module"), d.module},
        {QStringLiteral("loaded"), d.loaded}, {QStringLiteral("state"), toString(d.state)},
        {QStringLiteral("refcount"), d.refcount}, {QStringLiteral("stuck"), d.stuck()},
        {QStringLiteral("findings"), findings}, {QStringLiteral("users"), users},
        {QStringLiteral("usersScanned"), d.usersScanned}, {QStringLiteral("warnings"), strings(d.warnings)}};
}

bool fromJson(const QJsonObject &o, Diagnosis *out, QString *error)
{
    if (o.value(QStringLiteral("schema")).toString() != QLatin1String("kmodrescue-diagnosis"))
        return fail(error, QStringLiteral("not a diagnosis: \"schema\" is not \"kmodrescue-diagnosis\""));
    const int version = o.value(QStringLiteral("version")).toInt(-1);
    if (version != DiagnosisSchemaVersion)
        return fail(error,
            QStringLiteral("diagnosis schema version %1 is not supported (this build reads version %2)")
                .arg(version)
                .arg(DiagnosisSchemaVersion));
    if (!o.value(QStringLiteral("module")).isString() || !o.value(QStringLiteral("findings")).isArray())
        return fail(error, QStringLiteral("diagnosis: \"module\" must be a string and \"findings\" an array"));
    Diagnosis d;
    d.module = o.value(QStringLiteral("module")).toString();
    d.loaded = o.value(QStringLiteral("loaded")).toBool();
    d.state = moduleStateFromString(o.value(QStringLiteral("state")).toString());
    d.refcount = o.value(QStringLiteral("refcount")).toInt(-1);
    d.usersScanned = o.value(QStringLiteral("usersScanned")).toBool();
    d.warnings = stringsFrom(o.value(QStringLiteral("warnings")));
    int i = 0;
    for (const auto &fv : o.value(QStringLiteral("findings")).toArray()) {
        const QJsonObject fo = fv.toObject();
        Finding f;
        if (!findingKindFromString(fo.value(QStringLiteral("kind")).toString(), &f.kind))
            return fail(error,
                QStringLiteral("findings[%1]: unknown kind \"%2\"")
                    .arg(i)
                    .arg(fo.value(QStringLiteral("kind")).toString()));
        if (!severityFromString(fo.value(QStringLiteral("severity")).toString(), &f.severity))
            return fail(error, QStringLiteral("findings[%1]: unknown severity").arg(i));
        f.sentence = fo.value(QStringLiteral("sentence")).toString();
        f.remedy = fo.value(QStringLiteral("remedy")).toString();
        f.unloadOrder = stringsFrom(fo.value(QStringLiteral("unloadOrder")));
        for (const auto &sv : fo.value(QStringLiteral("steps")).toArray()) {
            RemedyStep s;
            if (!remedyStepFromString(sv.toString(), &s))
                return fail(error, QStringLiteral("findings[%1]: unknown step \"%2\"").arg(i).arg(sv.toString()));
            f.steps << s;
        }
        for (const auto &ev : fo.value(QStringLiteral("evidence")).toArray()) {
            const QJsonObject eo = ev.toObject();
            Evidence e;
            if (!evidenceKindFrom(eo.value(QStringLiteral("kind")).toString(), &e.kind))
                return fail(error, QStringLiteral("findings[%1]: unknown evidence kind").arg(i));
            e.label = eo.value(QStringLiteral("label")).toString();
            e.source = eo.value(QStringLiteral("source")).toString();
            e.value = eo.value(QStringLiteral("value")).toString();
            e.oopsId = eo.value(QStringLiteral("oopsId")).toString();
            e.pid = eo.value(QStringLiteral("pid")).toInteger(-1);
            e.needsHelper = eo.value(QStringLiteral("needsHelper")).toBool();
            e.detail = stringsFrom(eo.value(QStringLiteral("detail")));
            f.evidence << e;
        }
        d.findings << f;
        ++i;
    }
    for (const auto &uv : o.value(QStringLiteral("users")).toArray()) {
        const QJsonObject uo = uv.toObject();
        ModuleUser u;
        const QString k = uo.value(QStringLiteral("kind")).toString();
        u.kind = k == QLatin1String("mount")    ? ModuleUser::Kind::Mount
            : k == QLatin1String("device-node") ? ModuleUser::Kind::DeviceNode
                                                : ModuleUser::Kind::NetworkInterface;
        u.what = uo.value(QStringLiteral("what")).toString();
        u.source = uo.value(QStringLiteral("source")).toString();
        u.pid = uo.value(QStringLiteral("pid")).toInteger(-1);
        u.command = uo.value(QStringLiteral("command")).toString();
        d.users << u;
    }
    *out = d;
    return true;
}

} // namespace kmr
