// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/snapshotreader.h"

#include "snapshot/kernelfactsreader.h"
#include "snapshot/modulefiles.h"
#include "snapshot/procmodules.h"
#include "util/fileread.h"
#include "util/filetree.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>

#include <libkmod.h>

#include <algorithm>
#include <optional>

Q_LOGGING_CATEGORY(lcSnapshot, "kmodrescue.snapshot", QtInfoMsg)

namespace kmr {

namespace {

// What the per-module readers produce before .ko facts are added.
struct RawModule {
    ModuleInfo info;
    QString sysfsSrcversion;
    bool permanent = false; // /proc/modules says "[permanent]": the kernel knows it has no exit
};

QString sysModulePath(const QString &root, const QString &name, const char *leaf)
{
    return joinRoot(root, QStringLiteral("/sys/module/") + name + QLatin1Char('/') + QLatin1String(leaf));
}

QString sysModuleFile(const QString &name, const char *leaf)
{
    return sysModulePath(QStringLiteral("/"), name, leaf);
}

// What /proc/modules said, before /sys/module/NAME adds to it.
RawModule fromListing(const ProcModulesEntry &e)
{
    RawModule r;
    ModuleInfo &m = r.info;
    m.name = e.name;
    m.size = e.size;
    m.refcount = e.refcount;
    m.state = e.state;
    m.holders = e.usedBy;
    r.permanent = e.permanent;
    m.taint = e.taint;
    m.address = e.address;
    if (e.nameLossy) {
        // Paths are built from QString; a name that does not decode cannot be mapped back to
        // its /sys/module directory, so keep what /proc/modules said and say so.
        m.warnings << QStringLiteral("name has bytes that are not UTF-8; shown with U+FFFD, its /sys/module "
                                     "entry was not read");
    }
    return r;
}

// TREE/sys/module/NAME/{refcnt,initstate,taint,coresize,holders,srcversion}: each where present.
void addSysfs(const FileTree &tree, RawModule *r)
{
    ModuleInfo &m = r->info;
    QString w;
    const QString refcnt = tree.firstLine(sysModuleFile(m.name, "refcnt"), &w);
    bool ok = false;
    const int rc = refcnt.toInt(&ok);
    if (ok)
        m.refcount = rc;
    else if (!w.isEmpty())
        m.warnings << w;
    w.clear();
    const ModuleState st = moduleStateFromString(tree.firstLine(sysModuleFile(m.name, "initstate"), &w));
    if (st != ModuleState::Unknown)
        m.state = st;
    w.clear();
    const QString taint = tree.firstLine(sysModuleFile(m.name, "taint"), &w);
    if (w.isEmpty())
        m.taint = taint;
    w.clear();
    const qint64 coreSize = tree.firstLine(sysModuleFile(m.name, "coresize"), &w).toLongLong(&ok);
    if (ok && m.size < 0)
        m.size = coreSize;
    const QString holders = QStringLiteral("/sys/module/") + m.name + QStringLiteral("/holders");
    if (tree.isDir(holders))
        m.holders = tree.list(holders);
    w.clear();
    r->sysfsSrcversion = tree.firstLine(sysModuleFile(m.name, "srcversion"), &w);
}

// Hand reader: the listing (TREE/proc/modules, or a sosreport's lsmod) plus TREE/sys/module/NAME/*.
// Used for fixture trees, bundles and sosreports; libkmod cannot be pointed at another root for
// /proc and /sys. A module without a /sys/module directory vanished during a live read; in a
// sosreport it was just not copied, and is kept with what the listing said.
QList<RawModule> readByHand(
    const FileTree &tree, const ProcModulesParse &listing, bool missingSysfsIsVanished, QStringList *warnings)
{
    QList<RawModule> out;
    *warnings << listing.warnings;
    const bool haveSys = tree.isDir(QStringLiteral("/sys/module"));
    if (!haveSys)
        *warnings << QStringLiteral(
            "no /sys/module under %1: holders, taint and refcounts come from /proc/modules only")
                         .arg(tree.describe());
    for (const ProcModulesEntry &e : listing.entries) {
        RawModule r = fromListing(e);
        const QString dir = QStringLiteral("/sys/module/") + e.name;
        if (haveSys && !e.nameLossy && tree.isDir(dir)) {
            addSysfs(tree, &r);
        } else if (haveSys && !e.nameLossy && missingSysfsIsVanished) {
            *warnings << QStringLiteral("%1 vanished during the read (listed in /proc/modules, no %2)")
                             .arg(e.name, joinRoot(tree.describe(), dir));
            continue;
        } else if (haveSys && !e.nameLossy) {
            r.info.warnings << QStringLiteral("no %1 in %2: from the module list only").arg(dir, tree.describe());
        }
        out << r;
    }
    return out;
}

QList<RawModule> readByHand(const QString &root, QStringList *warnings)
{
    const DiskTree tree(root);
    QByteArray text;
    QString why;
    if (!tree.read(QStringLiteral("/proc/modules"), &text, &why, 64 * 1024 * 1024)) {
        *warnings << why;
        return {};
    }
    return readByHand(tree, parseProcModules(text), true, warnings);
}

// Live reader: libkmod does the loaded list, holders, refcnt and initstate.
QList<RawModule> readWithLibkmod(QStringList *warnings)
{
    QList<RawModule> out;
    static const char *const noConfig[] = {nullptr}; // modprobe.d is irrelevant to what is loaded
    struct kmod_ctx *ctx = kmod_new(nullptr, noConfig);
    if (!ctx) {
        *warnings << QStringLiteral("libkmod could not start");
        return out;
    }
    kmod_set_log_priority(ctx, 0);
    struct kmod_list *list = nullptr;
    const int err = kmod_module_new_from_loaded(ctx, &list);
    if (err < 0) {
        *warnings << QStringLiteral("libkmod could not read the loaded modules: ")
                + QString::fromLocal8Bit(strerror(-err));
        kmod_unref(ctx);
        return out;
    }
    // /proc/modules is read once more for what libkmod does not expose (address, taint letters).
    QHash<QString, ProcModulesEntry> proc;
    QByteArray text;
    QString why;
    if (readSmallFile(QStringLiteral("/proc/modules"), &text, &why, 64 * 1024 * 1024)) {
        for (const ProcModulesEntry &e : parseProcModules(text).entries)
            proc.insert(e.name, e);
    }
    struct kmod_list *it = nullptr;
    kmod_list_foreach(it, list)
    {
        struct kmod_module *mod = kmod_module_get_module(it);
        RawModule r;
        ModuleInfo &m = r.info;
        bool lossy = false;
        m.name = decodeKernelBytes(kmod_module_get_name(mod), &lossy);
        if (lossy)
            m.warnings << QStringLiteral("name has bytes that are not UTF-8");
        const int initstate = kmod_module_get_initstate(mod);
        if (initstate == -ENOENT) {
            // Listed a moment ago, gone now: it was unloaded during the read.
            *warnings << QStringLiteral("%1 vanished during the read").arg(m.name);
            kmod_module_unref(mod);
            continue;
        }
        switch (initstate) {
        case KMOD_MODULE_LIVE:
            m.state = ModuleState::Live;
            break;
        case KMOD_MODULE_COMING:
            m.state = ModuleState::Loading;
            break;
        case KMOD_MODULE_GOING:
            m.state = ModuleState::Unloading;
            break;
        default:
            m.state = ModuleState::Unknown;
            m.warnings << QStringLiteral("initstate unreadable: %1")
                              .arg(initstate < 0 ? QString::fromLocal8Bit(strerror(-initstate))
                                                 : QString::number(initstate));
        }
        m.size = kmod_module_get_size(mod);
        m.refcount = kmod_module_get_refcnt(mod);
        if (m.refcount < 0) {
            m.warnings << QStringLiteral("refcnt unreadable: ") + QString::fromLocal8Bit(strerror(-m.refcount));
            m.refcount = -1;
        }
        struct kmod_list *holders = kmod_module_get_holders(mod);
        struct kmod_list *h = nullptr;
        kmod_list_foreach(h, holders)
        {
            struct kmod_module *hm = kmod_module_get_module(h);
            m.holders << QString::fromUtf8(kmod_module_get_name(hm));
            kmod_module_unref(hm);
        }
        kmod_module_unref_list(holders);
        const auto p = proc.constFind(m.name);
        if (p != proc.constEnd()) {
            m.address = p->address;
            r.permanent = p->permanent;
            if (m.holders.isEmpty())
                m.holders = p->usedBy;
            if (m.state == ModuleState::Unknown)
                m.state = p->state;
        }
        QString w;
        m.taint = readFirstLine(sysModulePath(QStringLiteral("/"), m.name, "taint"), &w);
        if (!w.isEmpty() && p != proc.constEnd())
            m.taint = p->taint;
        w.clear();
        r.sysfsSrcversion = readFirstLine(sysModulePath(QStringLiteral("/"), m.name, "srcversion"), &w);
        kmod_module_unref(mod);
        out << r;
    }
    kmod_module_unref_list(list);
    kmod_unref(ctx);
    return out;
}

void skipKoFacts(ModuleInfo *m, const QString &why)
{
    const Fact skipped = Fact::unknown(why);
    m->koPath = m->vermagic = m->srcversion = m->signer = m->compiler = skipped;
    m->exitWhy = why;
}

// The last steps of every snapshot: out-of-tree from the taint, the kernel's "[permanent]" over
// an unknown exit, dependencies as the inverse of holders, everything sorted.
void finish(Snapshot *s, QList<RawModule> &raw)
{
    QHash<QString, int> index;
    for (int i = 0; i < raw.size(); ++i)
        index.insert(raw[i].info.name, i);
    for (RawModule &r : raw) {
        ModuleInfo &m = r.info;
        m.outOfTree = m.taint.contains(QLatin1Char('O'));
        // The kernel's own word beats a .ko that could not be found (insmod from a build tree).
        if (r.permanent && m.exit == ExitPresence::Unknown) {
            m.exit = ExitPresence::Missing;
            m.exitWhy.clear();
        }
    }
    // If B is among A's holders, B depends on A.
    for (const RawModule &r : raw) {
        for (const QString &holder : r.info.holders) {
            const auto it = index.constFind(holder);
            if (it != index.constEnd() && !raw[*it].info.dependencies.contains(r.info.name))
                raw[*it].info.dependencies << r.info.name;
        }
    }
    s->modules.reserve(raw.size());
    for (RawModule &r : raw) {
        std::sort(r.info.dependencies.begin(), r.info.dependencies.end());
        std::sort(r.info.holders.begin(), r.info.holders.end());
        s->modules << std::move(r.info);
    }
    std::sort(
        s->modules.begin(), s->modules.end(), [](const ModuleInfo &a, const ModuleInfo &b) { return a.name < b.name; });
    qCDebug(lcSnapshot) << "snapshot" << s->source << s->modules.size() << "modules," << s->warnings.size()
                        << "warnings";
}

} // namespace

SnapshotReader::SnapshotReader()
    : SnapshotReader(Options {})
{ }

SnapshotReader::SnapshotReader(Options options)
    : m_options(std::move(options))
{ }

KernelFacts SnapshotReader::readKernelFacts() const
{
    return kmr::readKernelFacts(m_options.root);
}

Snapshot SnapshotReader::read() const
{
    Snapshot s;
    s.takenMsecsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    const bool live = m_options.root == QLatin1String("/") && !m_options.forceHandReader;
    s.source
        = m_options.root == QLatin1String("/") ? QStringLiteral("live") : QStringLiteral("fixture:") + m_options.root;
    s.kernel = readKernelFacts();
    if (!s.kernel.moduleSupport) {
        s.warnings << QStringLiteral("this kernel has no loadable module support (no /proc/modules)");
        return s;
    }
    QList<RawModule> raw = live ? readWithLibkmod(&s.warnings) : readByHand(m_options.root, &s.warnings);

    QStringList extraDirs;
    const QByteArray env = qgetenv("KMODRESCUE_MODULE_PATH");
    for (const QByteArray &d : env.split(':')) {
        if (!d.isEmpty())
            extraDirs << QString::fromLocal8Bit(d);
    }
    std::optional<ModuleFiles> files;
    if (m_options.readKoFiles)
        files.emplace(m_options.root, s.kernel.release.value, extraDirs);
    for (RawModule &r : raw) {
        ModuleInfo &m = r.info;
        if (m_options.readKoFiles) {
            QStringList depends;
            files->fill(&m, r.sysfsSrcversion, &depends);
            for (const QString &d : depends) {
                const QString c = canonicalModuleName(d);
                if (!m.dependencies.contains(c))
                    m.dependencies << c;
            }
        } else {
            skipKoFacts(&m, QStringLiteral(".ko files not read"));
        }
    }
    finish(&s, raw);
    return s;
}

Snapshot SnapshotReader::readTree(const FileTree &tree, const ProcModulesParse &listing, const KernelFacts &facts,
    const QString &source, const QString &koWhy)
{
    Snapshot s;
    s.takenMsecsSinceEpoch = QDateTime::currentMSecsSinceEpoch();
    s.source = source;
    s.kernel = facts;
    QList<RawModule> raw = readByHand(tree, listing, false, &s.warnings);
    for (RawModule &r : raw)
        skipKoFacts(&r.info, koWhy);
    finish(&s, raw);
    return s;
}

} // namespace kmr
