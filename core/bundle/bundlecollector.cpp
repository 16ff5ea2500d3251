// SPDX-License-Identifier: GPL-2.0-or-later
// Collects a bundle's contents from the system (or a fixture root).
#include "bundle/bundlecontents.h"
#include "bundle/bundlelog.h"

#include "diagnosis/oopscitation.h"
#include "diagnosis/referencetakers.h"
#include "graph/depgraph.h"
#include "graph/graphlayout.h"
#include "kernellog/dmesgparser.h"
#include "kernellog/kmsgreader.h"
#include "kernellog/oopsextractor.h"
#include "snapshot/kernelfactsreader.h"
#include "snapshot/snapshotreader.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSet>

namespace kmr::bundle {

using namespace kmr::kernellog;

const Diagnosis *BundleContents::diagnosis(const QString &module) const
{
    const QString c = canonicalModuleName(module);
    for (const Diagnosis &d : diagnoses) {
        if (d.module == c)
            return &d;
    }
    return nullptr;
}

namespace {

void collectKernelLog(const CollectOptions &o, BundleContents *c)
{
    QString why;
    if (!o.kernelLogFile.isEmpty()) {
        c->kernelLog = readLogFile(o.kernelLogFile, &why);
    } else {
        KernelLogError e = KernelLogError::None;
        c->kernelLog = readKmsg(QDir(o.root).filePath(QStringLiteral("dev/kmsg")), &e, &why);
        if (e == KernelLogError::None)
            why.clear();
        else if (e == KernelLogError::PermissionDenied)
            why += QStringLiteral(
                " (kernel.dmesg_restrict: save it with `sudo dmesg > kernel.log` and pass --log kernel.log)");
    }
    if (!why.isEmpty()) {
        c->absentWhy.insert(QStringLiteral("kernel-log"), why);
        c->absentWhy.insert(QStringLiteral("oops"), QStringLiteral("no kernel log"));
        c->warnings << QStringLiteral("kernel log: ") + why;
        c->kernelLog.clear();
        return;
    }
    c->hasKernelLog = true;
    c->oopses = OopsExtractor::extract(c->kernelLog);
}

} // namespace

QString relevantConfigLines(const QByteArray &config)
{
    static const QRegularExpression re(QStringLiteral(
        "^(# )?CONFIG_(MODULE|MODVERSIONS|CC_VERSION_TEXT|LOCK_DOWN|SECURITY_LOCKDOWN|GCC_VERSION|CLANG_VERSION)"));
    QString out;
    for (const QByteArray &line : config.split('\n')) {
        const QString l = QString::fromUtf8(line);
        if (re.match(l).hasMatch())
            out += l + QLatin1Char('\n');
    }
    return out;
}

namespace {

QStringList chooseModules(
    const QStringList &modules, const Snapshot &s, const QList<Diagnosis> &all, QStringList *unknown)
{
    QStringList chosen;
    if (!modules.isEmpty()) {
        for (const QString &n : modules) {
            if (const ModuleInfo *m = s.find(n))
                chosen << m->name;
            else if (unknown)
                *unknown << n;
        }
    } else {
        for (const Diagnosis &d : all) {
            const ModuleInfo *m = s.find(d.module);
            if (d.stuck() || (m && m->outOfTree))
                chosen << d.module;
        }
    }
    chosen.removeDuplicates();
    return chosen;
}

} // namespace

void deriveDiagnoses(BundleContents *c, const QStringList &modules, const QString &scanRoot, QStringList *unknown,
    const RecordedTrace &trace)
{
    Diagnoser::Options d;
    d.root = scanRoot;
    d.scanSystem = !scanRoot.isEmpty();
    Diagnoser diagnoser(c->snapshot, d);
    diagnoser.setOopses(citationsFromExcerpts(c->oopses));
    diagnoser.setReferenceTakers(trace.module, referenceTakers(trace));
    const QList<Diagnosis> all = modules.isEmpty() ? diagnoser.diagnoseAll() : QList<Diagnosis>();
    c->chosenModules = chooseModules(modules, c->snapshot, all, unknown);
    QSet<QString> involved;
    for (const QString &m : std::as_const(c->chosenModules)) {
        const Diagnosis *found = nullptr;
        for (const Diagnosis &x : all)
            found = x.module == m ? &x : found;
        c->diagnoses << (found ? *found : diagnoser.diagnose(m));
        involved.insert(m);
        for (const QString &h : holderUnloadOrder(c->snapshot, m))
            involved.insert(h);
    }
    for (const ModuleInfo &m : c->snapshot.modules) {
        if (involved.contains(m.name))
            c->involvedModules << m;
    }
    DepGraph g = DepGraph::fromSnapshot(c->snapshot);
    if (c->chosenModules.size() == 1)
        g = g.neighbourhood(c->chosenModules.first(), -1, DepDirection::Both);
    else if (!c->chosenModules.isEmpty())
        g.markStuckPath(c->chosenModules.first());
    c->graphDot = g.toDot();
}

BundleContents collectBundleContents(const CollectOptions &o, QStringList *unknown)
{
    BundleContents c;
    SnapshotReader::Options so;
    so.root = o.root;
    c.snapshot = SnapshotReader(so).read();
    collectKernelLog(o, &c);
    deriveDiagnoses(&c, o.modules, o.root, unknown, o.trace);
    QString svgWhy;
    c.graphSvg = renderDotToSvg(c.graphDot.toUtf8(), &svgWhy);
    if (c.graphSvg.isEmpty())
        c.absentWhy.insert(
            QStringLiteral("graph-svg"), svgWhy.isEmpty() ? QStringLiteral("Graphviz unavailable") : svgWhy);

    QByteArray config;
    QString source, why;
    if (readKernelConfig(o.root, c.snapshot.kernel.release.value, &config, &source, &why))
        c.kernelConfig = QStringLiteral("# from ") + source + QLatin1Char('\n') + relevantConfigLines(config);
    else
        c.absentWhy.insert(QStringLiteral("kernel-config"), why);
    c.absentWhy.insert(QStringLiteral("refcount-history"), QStringLiteral("not sampled in this session"));
    c.absentWhy.insert(QStringLiteral("refcount-trace"), QStringLiteral("no get/put tracing was run"));
    c.absentWhy.insert(QStringLiteral("unload-plan"), QStringLiteral("no unload plan was run"));
    qCDebug(lcBundle) << "collected" << c.snapshot.modules.size() << "modules," << c.kernelLog.size() << "log records,"
                      << c.oopses.size() << "oopses, chosen" << c.chosenModules;
    return c;
}

} // namespace kmr::bundle
