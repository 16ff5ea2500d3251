// SPDX-License-Identifier: GPL-2.0-or-later
// A sosreport imported into BundleContents.
#include "bundle/sosreport.h"

#include "bundle/bundlelog.h"
#include "bundle/sosreport_p.h"
#include "kernellog/dmesgparser.h"
#include "kernellog/oopsextractor.h"
#include "snapshot/snapshotreader.h"

#include <QJsonDocument>

namespace kmr::bundle {

using namespace kmr::kernellog;

namespace {

// Journals sos saved, best first: the kernel's own (-k, --dmesg), this boot's, then the full
// journal (its last boot).
QList<QPair<QString, bool>> journalsByPreference(const MemoryTree &t)
{
    QList<QPair<QString, bool>> kernel, thisBoot, full;
    for (const QString &rel : t.filesUnder(QStringLiteral("sos_commands/logs"))) {
        const QString name = rel.section(QLatin1Char('/'), -1);
        if (!name.startsWith(QLatin1String("journalctl_")))
            continue;
        if (name.contains(QLatin1String("_-k")) || name.contains(QLatin1String("--dmesg")))
            kernel.append({rel, false});
        else if ((name.contains(QLatin1String("--boot")) && !name.contains(QLatin1String("--boot_-")))
            || name.contains(QLatin1String("--this-boot")))
            thisBoot.append({rel, false});
        else if (!name.contains(QLatin1String("--boot")))
            full.append({rel, true});
    }
    return kernel + thisBoot + full;
}

// "sosreport-none-2026-11-22-ysmvnno": "sosreport: 4.0" (version.txt) or the version in sos's
// manifest (sos_reports/manifest.json, parsed).
QString sosVersion(const MemoryTree &t, const QJsonObject &manifest)
{
    for (const QByteArray &line : t.value(QStringLiteral("version.txt")).split('\n')) {
        if (line.startsWith("sosreport:") || line.startsWith("sos report:"))
            return QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
    }
    return manifest.value(QStringLiteral("version")).toString();
}

QJsonObject sosManifest(const SosTree &sos)
{
    const QJsonObject m
        = QJsonDocument::fromJson(sos.files.value(QStringLiteral("sos_reports/manifest.json"))).object();
    return QJsonObject {{QStringLiteral("schema"), QStringLiteral("sosreport")},
        {QStringLiteral("sos_version"), sosVersion(sos.files, m)}, {QStringLiteral("name"), sos.topName},
        {QStringLiteral("created"), m.value(QStringLiteral("start_time")).toString()},
        {QStringLiteral("cmdline"), m.value(QStringLiteral("cmdline")).toString()}};
}

// The module list: proc/modules, else lsmod (which has no states).
bool moduleListing(const MemoryTree &t, ProcModulesParse *listing, QMap<QString, QString> *absent)
{
    if (t.contains(QStringLiteral("proc/modules"))) {
        *listing = parseProcModules(t.value(QStringLiteral("proc/modules")));
        return true;
    }
    if (!t.contains(QStringLiteral("sos_commands/kernel/lsmod")))
        return false;
    *listing = parseLsmod(t.value(QStringLiteral("sos_commands/kernel/lsmod")));
    absent->insert(QStringLiteral("proc-modules"),
        QStringLiteral("no proc/modules in this sosreport: the module list is lsmod's, which shows no state, address "
                       "or taint (sys/module/NAME/initstate and taint fill them where sos copied them)"));
    return true;
}

// What sos does not collect, said once for the whole report.
void noteSysfsGaps(const MemoryTree &t, QMap<QString, QString> *absent)
{
    if (!t.isDir(QStringLiteral("sys/module"))) {
        absent->insert(QStringLiteral("sysfs"),
            QStringLiteral("no sys/module in this sosreport: states, refcounts and holders come from the module list "
                           "only"));
        return;
    }
    bool holders = false;
    for (const QString &m : t.list(QStringLiteral("sys/module")))
        holders = holders || t.isDir(QStringLiteral("sys/module/") + m + QStringLiteral("/holders"));
    if (!holders)
        absent->insert(QStringLiteral("sysfs-holders"),
            QStringLiteral("sysfs holders/ not collected by this sosreport: holders are derived from /proc/modules' "
                           "used-by column"));
}

void addKernelLog(const SosTree &sos, BundleContents *c)
{
    const SosKernelLogText log = sosKernelLogText(sos.files);
    if (log.text.isEmpty()) {
        const QString why = QStringLiteral("no kernel log in this sosreport (no sos_commands/kernel/dmesg, no journal "
                                           "with kernel lines, no var/log/dmesg or kern.log)");
        c->absentWhy.insert(QStringLiteral("kernel-log"), why);
        c->absentWhy.insert(QStringLiteral("oops"), QStringLiteral("no kernel log"));
        c->warnings << why;
        return;
    }
    c->hasKernelLog = true;
    c->kernelLog = parseDmesgText(log.text);
    c->oopses = OopsExtractor::extract(c->kernelLog);
    c->manifest.insert(QStringLiteral("kernel_log_source"), log.source);
}

// Where a fact the diagnosis cites really came from in the report: the rules name the live paths
// ("/sys/module/kmr_victim/holders"), and sos copies some of them, not all.
QString sosSource(const MemoryTree &t, const QString &source, const QString &logSource)
{
    const QString rel = source.mid(1);
    if (t.contains(rel))
        return QStringLiteral("sosreport ") + rel;
    if (rel.startsWith(QLatin1String("sys/module/")) && rel.endsWith(QLatin1String("/holders")))
        return QStringLiteral("sosreport proc/modules, used-by column (sos copies no holders/)");
    if (rel.startsWith(QLatin1String("sys/module/")))
        return QStringLiteral("sosreport proc/modules (sos copied no ") + rel + QLatin1Char(')');
    if (rel.startsWith(QLatin1String("proc/sys/kernel/"))
        && t.contains(QStringLiteral("sos_commands/kernel/sysctl_-a")))
        return QStringLiteral("sosreport sos_commands/kernel/sysctl_-a");
    if (rel == QLatin1String("proc/version") && !logSource.isEmpty())
        return QStringLiteral("sosreport ") + logSource + QStringLiteral(", its \"Linux version\" line");
    return source + QStringLiteral(" (not in the sosreport)");
}

void relabelSources(const MemoryTree &t, BundleContents *c)
{
    const QString logSource = c->manifest.value(QStringLiteral("kernel_log_source")).toString();
    for (Diagnosis &d : c->diagnoses) {
        for (Finding &f : d.findings) {
            for (Evidence &e : f.evidence) {
                if (e.kind == Evidence::Kind::File && e.source.startsWith(QLatin1Char('/')))
                    e.source = sosSource(t, e.source, logSource);
                else if (e.source == QLatin1String(".ko symbol table")) // no .ko in a report: "[permanent]" said it
                    e.source = QStringLiteral("sosreport proc/modules, \"[permanent]\" (no .ko file in a sosreport)");
            }
        }
    }
}

} // namespace

SosKernelLogText sosKernelLogText(const MemoryTree &t)
{
    for (const char *rel : {"sos_commands/kernel/dmesg", "sos_commands/kernel/dmesg_-T"}) {
        const QByteArray text = t.value(QLatin1String(rel));
        if (!text.trimmed().isEmpty())
            return {text, QLatin1String(rel)};
    }
    for (const auto &[journal, lastBoot] : journalsByPreference(t)) {
        const QByteArray lines = kernelLinesOfJournal(t.value(journal), lastBoot);
        if (!lines.isEmpty())
            return {lines, journal + QStringLiteral(" (kernel lines)")};
    }
    const QByteArray boot = t.value(QStringLiteral("var/log/dmesg")); // the boot's messages only
    if (!boot.trimmed().isEmpty())
        return {boot, QStringLiteral("var/log/dmesg")};
    const QByteArray kern = kernelLinesOfJournal(t.value(QStringLiteral("var/log/kern.log")), false);
    return {kern, kern.isEmpty() ? QString() : QStringLiteral("var/log/kern.log")};
}

bool sosReportContents(const SosTree &sos, BundleContents *out, BundleError *error, QString *message)
{
    BundleContents c;
    c.manifest = sosManifest(sos);
    ProcModulesParse listing;
    if (!moduleListing(sos.files, &listing, &c.absentWhy)) {
        if (error)
            *error = BundleError::NoModuleList;
        if (message)
            *message = sos.path
                + QStringLiteral(": this sosreport has no module list (neither proc/modules nor "
                                 "sos_commands/kernel/lsmod): it was taken without sos's kernel plugin. Ask for one "
                                 "taken with `sos report -o kernel,logs` (or the default plugins).");
        return false;
    }
    addKernelLog(sos, &c);
    const KernelFacts facts = sosKernelFacts(sos.files, c.kernelLog, &c.absentWhy);
    c.snapshot = SnapshotReader::readTree(sos.files, listing, facts, QStringLiteral("sosreport:") + sos.path,
        QStringLiteral("a sosreport holds no .ko files"));
    applySosModinfo(sos.files, &c.snapshot);
    noteSysfsGaps(sos.files, &c.absentWhy);
    c.absentWhy.insert(QStringLiteral("ko-files"),
        QStringLiteral("a sosreport holds no .ko files: each module's compiler (.comment) and exit function are "
                       "unknown; vermagic, srcversion and signer come from sos's modinfo where it found the module"));
    if (!sos.skippedSpecial.isEmpty())
        c.snapshot.warnings << QStringLiteral("%1 device nodes or fifos in the sosreport were skipped (not read)")
                                   .arg(sos.skippedSpecial.size());
    if (!facts.configSource.known())
        c.kernelConfig.clear();
    else
        c.kernelConfig = QStringLiteral("# from ") + facts.configSource.value + QLatin1Char('\n')
            + relevantConfigLines(sos.files.value(QStringLiteral("boot/config-") + facts.release.value));
    deriveDiagnoses(&c, {}, QString(), nullptr);
    relabelSources(sos.files, &c);
    c.absentWhy.insert(QStringLiteral("refcount-history"), QStringLiteral("a sosreport has no refcount history"));
    c.absentWhy.insert(QStringLiteral("refcount-trace"), QStringLiteral("a sosreport has no get/put trace"));
    c.absentWhy.insert(QStringLiteral("unload-plan"), QStringLiteral("no unload plan ran"));
    c.manifest.insert(QStringLiteral("kernel_release"), c.snapshot.kernel.release.value);
    qCDebug(lcBundle) << "sosreport" << sos.path << c.snapshot.modules.size() << "modules," << c.kernelLog.size()
                      << "log records," << c.oopses.size() << "oopses, chosen" << c.chosenModules;
    if (out)
        *out = std::move(c);
    return true;
}

bool openSosReport(
    const QString &path, BundleContents *out, BundleError *error, QString *message, const ReadLimits &limits)
{
    SosTree sos;
    return readSosTree(path, &sos, error, message, limits) && sosReportContents(sos, out, error, message);
}

} // namespace kmr::bundle
