// SPDX-License-Identifier: GPL-2.0-or-later
// A sosreport's kernel-wide facts and its modinfo output.
#include "bundle/sosreport_p.h"

#include "snapshot/kernelfactsreader.h"
#include "snapshot/taint.h"
#include "util/fileread.h"

namespace kmr::bundle {

using namespace kmr::kernellog;

namespace {

QString sourceOf(const QString &rel)
{
    return QStringLiteral("sosreport ") + rel;
}

Fact fromFile(const MemoryTree &t, const QString &rel)
{
    QString why;
    const QString v = t.firstLine(rel, &why);
    return why.isEmpty() ? Fact::of(v) : Fact::unknown(why);
}

// "kernel.osrelease = 6.1.0-56-amd64" in `sysctl -a` output.
Fact fromSysctl(const QByteArray &sysctl, const QByteArray &key)
{
    const QByteArray prefix = key + " = ";
    for (const QByteArray &line : sysctl.split('\n')) {
        if (line.startsWith(prefix))
            return Fact::of(QString::fromUtf8(line.mid(prefix.size()).trimmed()));
    }
    return Fact::unknown(QStringLiteral("no %1 in sos_commands/kernel/sysctl_-a").arg(QLatin1String(key)));
}

// The first of `candidates` that is known; else unknown with every reason.
Fact firstKnown(const QList<Fact> &candidates)
{
    QStringList why;
    for (const Fact &f : candidates) {
        if (f.known())
            return f;
        why << f.why;
    }
    return Fact::unknown(why.join(QStringLiteral("; ")));
}

// "Linux host 6.1.0-56-amd64 #1 SMP ..." (uname -a): the third field.
Fact releaseFromUname(const MemoryTree &t)
{
    const QString rel = QStringLiteral("sos_commands/kernel/uname_-a");
    const Fact line = fromFile(t, rel);
    const QStringList f = line.value.split(QLatin1Char(' '), Qt::SkipEmptyParts);
    if (!line.known() || f.size() < 3)
        return Fact::unknown(line.known() ? rel + QStringLiteral(": not `uname -a` output") : line.why);
    return Fact::of(f.at(2));
}

// proc/version, else the log's own "Linux version" line (the kernel prints it first at boot).
Fact versionLine(const MemoryTree &t, const KernelLog &log)
{
    const Fact proc = fromFile(t, QStringLiteral("proc/version"));
    if (proc.known())
        return proc;
    for (const KernelLogRecord &r : log) {
        if (r.message.startsWith(QLatin1String("Linux version ")))
            return Fact::of(r.message);
    }
    return Fact::unknown(QStringLiteral("sos report does not copy /proc/version, and the kernel log does not reach "
                                        "back to the boot's \"Linux version\" line"));
}

void addTaint(const MemoryTree &t, const QByteArray &sysctl, KernelFacts *k)
{
    const Fact tainted
        = firstKnown({fromFile(t, QStringLiteral("proc/sys/kernel/tainted")), fromSysctl(sysctl, "kernel.tainted")});
    bool ok = false;
    k->taintMask = tainted.value.toULongLong(&ok);
    k->taintKnown = tainted.known() && ok;
    if (k->taintKnown)
        k->taintLetters = taintLetters(k->taintMask);
}

void addConfig(const MemoryTree &t, KernelFacts *k, QMap<QString, QString> *absent)
{
    const QString rel = QStringLiteral("boot/config-") + k->release.value;
    if (!k->release.known() || !t.contains(rel)) {
        const QString why = k->release.known()
            ? QStringLiteral(
                "no %1 in this sosreport (older sos versions, 4.0 among them, do not collect /boot/config-*)")
                  .arg(rel)
            : QStringLiteral("the kernel release is unknown, so its config cannot be found");
        k->configSource = k->forceUnload = k->ccVersionText = Fact::unknown(why);
        absent->insert(QStringLiteral("kernel-config"), why);
        return;
    }
    const QByteArray config = t.value(rel);
    k->configSource = Fact::of(sourceOf(rel));
    const QString force = kernelConfigValue(config, "CONFIG_MODULE_FORCE_UNLOAD");
    k->forceUnload = force.isEmpty()
        ? Fact::unknown(rel + QStringLiteral(" does not mention CONFIG_MODULE_FORCE_UNLOAD"))
        : Fact::of(force);
    const QString cc = kernelConfigValue(config, "CONFIG_CC_VERSION_TEXT");
    k->ccVersionText
        = cc.isEmpty() ? Fact::unknown(rel + QStringLiteral(" has no CONFIG_CC_VERSION_TEXT")) : Fact::of(cc);
}

} // namespace

KernelFacts sosKernelFacts(const MemoryTree &t, const KernelLog &log, QMap<QString, QString> *absent)
{
    KernelFacts k;
    const QByteArray sysctl = t.value(QStringLiteral("sos_commands/kernel/sysctl_-a"));
    k.moduleSupport
        = t.contains(QStringLiteral("proc/modules")) || t.contains(QStringLiteral("sos_commands/kernel/lsmod"));
    k.release = firstKnown({fromFile(t, QStringLiteral("proc/sys/kernel/osrelease")),
        fromSysctl(sysctl, "kernel.osrelease"), releaseFromUname(t)});
    k.version = versionLine(t, log);
    const QString cc = k.version.known() ? compilerFromProcVersion(k.version.value) : QString();
    k.compiler = k.version.known()
        ? (cc.isEmpty() ? Fact::unknown(QStringLiteral("the \"Linux version\" line names no compiler")) : Fact::of(cc))
        : Fact::unknown(k.version.why);
    addTaint(t, sysctl, &k);
    k.modulesDisabled = firstKnown({fromFile(t, QStringLiteral("proc/sys/kernel/modules_disabled")),
        fromSysctl(sysctl, "kernel.modules_disabled")});
    const Fact lock = fromFile(t, QStringLiteral("sys/kernel/security/lockdown"));
    k.lockdown = lock.known() && !activeLockdownMode(lock.value).isEmpty()
        ? Fact::of(activeLockdownMode(lock.value))
        : Fact::unknown(QStringLiteral("sos report does not collect /sys/kernel/security/lockdown"));
    k.sigEnforce = fromFile(t, QStringLiteral("sys/module/module/parameters/sig_enforce"));
    addConfig(t, &k, absent);
    return k;
}

ModinfoOutput parseModinfoOutput(const QByteArray &text)
{
    // A loadable module's block begins with "filename:" and has "name:" further down; a built-in
    // one's begins with "name:" and has "filename: (builtin)" next. A block ends where one of the
    // two repeats. sos saves stderr with stdout, so an error line may be spliced into another.
    ModinfoOutput out;
    ModinfoBlock block;
    QString name;
    const auto flush = [&]() {
        if (name.isEmpty() && block.filename.startsWith(QLatin1Char('/')))
            name = block.filename.section(QLatin1Char('/'), -1).section(QLatin1Char('.'), 0, 0);
        if (!name.isEmpty() && !block.filename.isEmpty())
            out.modules.insert(canonicalModuleName(name), block);
        block = ModinfoBlock();
        name.clear();
    };
    static const QLatin1String error("modinfo: ERROR: Module ");
    for (const QByteArray &raw : text.split('\n')) {
        QString line = decodeKernelBytes(raw);
        const qsizetype e = line.indexOf(error);
        if (e >= 0) {
            const QString module = line.mid(e + error.size()).section(QLatin1Char(' '), 0, 0);
            out.errors.insert(canonicalModuleName(module), line.mid(e + 16));
            continue; // what came before it on the line is cut: dropped
        }
        const qsizetype colon = line.indexOf(QLatin1Char(':'));
        if (colon <= 0 || line.at(0).isSpace())
            continue;
        const QString key = line.left(colon);
        const QString value = line.mid(colon + 1).trimmed();
        if ((key == QLatin1String("filename") && !block.filename.isEmpty())
            || (key == QLatin1String("name") && !name.isEmpty()))
            flush();
        if (key == QLatin1String("filename"))
            block.filename = value;
        else if (key == QLatin1String("name"))
            name = value;
        else if (key == QLatin1String("vermagic"))
            block.vermagic = value;
        else if (key == QLatin1String("srcversion"))
            block.srcversion = value;
        else if (key == QLatin1String("signer"))
            block.signer = value;
        else if (key == QLatin1String("depends"))
            block.depends = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
    }
    flush();
    return out;
}

namespace {

void fillFromModinfo(ModuleInfo *m, const ModinfoBlock &b)
{
    m->koPath = Fact::of(b.filename);
    m->vermagic
        = b.vermagic.isEmpty() ? Fact::unknown(QStringLiteral("modinfo shows no vermagic")) : Fact::of(b.vermagic);
    m->srcversion = b.srcversion.isEmpty() ? Fact::unknown(QStringLiteral("modinfo shows no srcversion"))
                                           : Fact::of(b.srcversion);
    m->signer = Fact::of(b.signer); // no signer line: unsigned
    for (const QString &d : b.depends) {
        const QString c = canonicalModuleName(d);
        if (!m->dependencies.contains(c))
            m->dependencies << c;
    }
    m->dependencies.sort();
}

} // namespace

void applySosModinfo(const MemoryTree &t, Snapshot *s)
{
    QByteArray text;
    for (const QString &rel : t.filesUnder(QStringLiteral("sos_commands/kernel"))) {
        if (rel.section(QLatin1Char('/'), -1).startsWith(QLatin1String("modinfo_")))
            text += t.value(rel) + '\n';
    }
    const ModinfoOutput out = parseModinfoOutput(text);
    for (ModuleInfo &m : s->modules) {
        const auto block = out.modules.constFind(m.name);
        if (block != out.modules.constEnd()) {
            fillFromModinfo(&m, *block);
            continue;
        }
        const QString why = text.isEmpty()
            ? QStringLiteral("no modinfo output in this sosreport")
            : QStringLiteral("modinfo on that machine: %1 (a module loaded from outside /lib/modules, e.g. by insmod "
                             "from a build tree)")
                  .arg(out.errors.value(m.name, QStringLiteral("no entry for this module")));
        m.koPath = m.vermagic = m.srcversion = m.signer = Fact::unknown(why);
    }
}

} // namespace kmr::bundle
