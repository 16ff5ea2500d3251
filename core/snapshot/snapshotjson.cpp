// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/snapshotjson.h"

#include <QJsonArray>

namespace kmr {

QJsonObject toJson(const Fact &f)
{
    QJsonObject o;
    if (f.known())
        o.insert(QStringLiteral("value"), f.value);
    else
        o.insert(QStringLiteral("unknown"), f.why);
    return o;
}

static Fact factFromJson(const QJsonValue &v)
{
    const QJsonObject o = v.toObject();
    if (o.contains(QStringLiteral("unknown")))
        return Fact::unknown(o.value(QStringLiteral("unknown")).toString());
    return Fact::of(o.value(QStringLiteral("value")).toString());
}

static QJsonArray toArray(const QStringList &l)
{
    return QJsonArray::fromStringList(l);
}

static QStringList fromArray(const QJsonValue &v)
{
    QStringList l;
    for (const QJsonValue &x : v.toArray())
        l << x.toString();
    return l;
}

QJsonObject toJson(const ModuleInfo &m)
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), m.name);
    o.insert(QStringLiteral("size"), double(m.size));
    o.insert(QStringLiteral("refcount"), m.refcount);
    o.insert(QStringLiteral("state"), toString(m.state));
    o.insert(QStringLiteral("holders"), toArray(m.holders));
    o.insert(QStringLiteral("dependencies"), toArray(m.dependencies));
    o.insert(QStringLiteral("taint"), m.taint);
    o.insert(QStringLiteral("address"), QStringLiteral("0x%1").arg(m.address, 16, 16, QLatin1Char('0')));
    o.insert(QStringLiteral("ko_path"), toJson(m.koPath));
    o.insert(QStringLiteral("vermagic"), toJson(m.vermagic));
    o.insert(QStringLiteral("srcversion"), toJson(m.srcversion));
    o.insert(QStringLiteral("signer"), toJson(m.signer));
    o.insert(QStringLiteral("compiler"), toJson(m.compiler));
    QJsonObject exit {{QStringLiteral("value"), toString(m.exit)}};
    if (m.exit == ExitPresence::Unknown)
        exit.insert(QStringLiteral("why"), m.exitWhy);
    o.insert(QStringLiteral("exit"), exit);
    o.insert(QStringLiteral("out_of_tree"), m.outOfTree);
    o.insert(QStringLiteral("warnings"), toArray(m.warnings));
    return o;
}

QJsonObject toJson(const KernelFacts &k)
{
    QJsonObject o;
    o.insert(QStringLiteral("release"), toJson(k.release));
    o.insert(QStringLiteral("version"), toJson(k.version));
    o.insert(QStringLiteral("compiler"), toJson(k.compiler));
    o.insert(QStringLiteral("cc_version_text"), toJson(k.ccVersionText));
    QJsonObject taint;
    if (k.taintKnown) {
        taint.insert(QStringLiteral("mask"), double(k.taintMask));
        taint.insert(QStringLiteral("letters"), k.taintLetters);
    } else {
        taint.insert(QStringLiteral("unknown"), QStringLiteral("/proc/sys/kernel/tainted unreadable"));
    }
    o.insert(QStringLiteral("taint"), taint);
    o.insert(QStringLiteral("modules_disabled"), toJson(k.modulesDisabled));
    o.insert(QStringLiteral("lockdown"), toJson(k.lockdown));
    o.insert(QStringLiteral("sig_enforce"), toJson(k.sigEnforce));
    o.insert(QStringLiteral("force_unload"), toJson(k.forceUnload));
    o.insert(QStringLiteral("config_source"), toJson(k.configSource));
    o.insert(QStringLiteral("module_support"), k.moduleSupport);
    return o;
}

QJsonObject toJson(const Snapshot &s)
{
    QJsonObject o;
    o.insert(QStringLiteral("schema"), QStringLiteral("kmodrescue.snapshot"));
    o.insert(QStringLiteral("schema_version"), SnapshotSchemaVersion);
    o.insert(QStringLiteral("taken_ms"), double(s.takenMsecsSinceEpoch));
    o.insert(QStringLiteral("source"), s.source);
    o.insert(QStringLiteral("kernel"), toJson(s.kernel));
    QJsonArray mods;
    for (const ModuleInfo &m : s.modules)
        mods.append(toJson(m));
    o.insert(QStringLiteral("modules"), mods);
    o.insert(QStringLiteral("warnings"), toArray(s.warnings));
    return o;
}

bool fromJson(const QJsonObject &o, ModuleInfo *m, QString *error)
{
    if (!o.value(QStringLiteral("name")).isString()) {
        *error = QStringLiteral("module entry without a name");
        return false;
    }
    m->name = o.value(QStringLiteral("name")).toString();
    m->size = qint64(o.value(QStringLiteral("size")).toDouble(-1));
    m->refcount = o.value(QStringLiteral("refcount")).toInt(-1);
    m->state = moduleStateFromString(o.value(QStringLiteral("state")).toString());
    m->holders = fromArray(o.value(QStringLiteral("holders")));
    m->dependencies = fromArray(o.value(QStringLiteral("dependencies")));
    m->taint = o.value(QStringLiteral("taint")).toString();
    m->address = o.value(QStringLiteral("address")).toString().mid(2).toULongLong(nullptr, 16);
    m->koPath = factFromJson(o.value(QStringLiteral("ko_path")));
    m->vermagic = factFromJson(o.value(QStringLiteral("vermagic")));
    m->srcversion = factFromJson(o.value(QStringLiteral("srcversion")));
    m->signer = factFromJson(o.value(QStringLiteral("signer")));
    m->compiler = factFromJson(o.value(QStringLiteral("compiler")));
    const QJsonObject exit = o.value(QStringLiteral("exit")).toObject();
    const QString ev = exit.value(QStringLiteral("value")).toString();
    m->exit = ev == QLatin1String("present") ? ExitPresence::Present
        : ev == QLatin1String("missing")     ? ExitPresence::Missing
                                             : ExitPresence::Unknown;
    m->exitWhy = exit.value(QStringLiteral("why")).toString();
    m->outOfTree = o.value(QStringLiteral("out_of_tree")).toBool();
    m->warnings = fromArray(o.value(QStringLiteral("warnings")));
    return true;
}

bool fromJson(const QJsonObject &o, Snapshot *s, QString *error)
{
    if (o.value(QStringLiteral("schema")).toString() != QLatin1String("kmodrescue.snapshot")) {
        *error = QStringLiteral("not a kmodrescue snapshot (no \"schema\": \"kmodrescue.snapshot\")");
        return false;
    }
    const int version = o.value(QStringLiteral("schema_version")).toInt(-1);
    if (version != SnapshotSchemaVersion) {
        *error = QStringLiteral("snapshot schema version %1 is not supported (this build reads version %2); "
                                "open it with a matching kmodrescue")
                     .arg(version)
                     .arg(SnapshotSchemaVersion);
        return false;
    }
    s->takenMsecsSinceEpoch = qint64(o.value(QStringLiteral("taken_ms")).toDouble());
    s->source = o.value(QStringLiteral("source")).toString();
    const QJsonObject k = o.value(QStringLiteral("kernel")).toObject();
    KernelFacts &kf = s->kernel;
    kf.release = factFromJson(k.value(QStringLiteral("release")));
    kf.version = factFromJson(k.value(QStringLiteral("version")));
    kf.compiler = factFromJson(k.value(QStringLiteral("compiler")));
    kf.ccVersionText = factFromJson(k.value(QStringLiteral("cc_version_text")));
    const QJsonObject taint = k.value(QStringLiteral("taint")).toObject();
    kf.taintKnown = taint.contains(QStringLiteral("mask"));
    kf.taintMask = quint64(taint.value(QStringLiteral("mask")).toDouble());
    kf.taintLetters = taint.value(QStringLiteral("letters")).toString();
    kf.modulesDisabled = factFromJson(k.value(QStringLiteral("modules_disabled")));
    kf.lockdown = factFromJson(k.value(QStringLiteral("lockdown")));
    kf.sigEnforce = factFromJson(k.value(QStringLiteral("sig_enforce")));
    kf.forceUnload = factFromJson(k.value(QStringLiteral("force_unload")));
    kf.configSource = factFromJson(k.value(QStringLiteral("config_source")));
    kf.moduleSupport = k.value(QStringLiteral("module_support")).toBool(true);
    s->modules.clear();
    for (const QJsonValue &v : o.value(QStringLiteral("modules")).toArray()) {
        ModuleInfo m;
        if (!fromJson(v.toObject(), &m, error))
            return false;
        s->modules << m;
    }
    s->warnings = fromArray(o.value(QStringLiteral("warnings")));
    return true;
}

} // namespace kmr
