// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/modulefiles.h"

#include "snapshot/kofile.h"
#include "util/fileread.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

#include <libkmod.h>

namespace kmr {

namespace {

struct CachedKo {
    qint64 size = -1;
    qint64 mtimeMs = 0;
    Fact vermagic, srcversion, signer;
    QStringList depends;
    KoFileFacts facts;
};

QMutex g_cacheMutex;
QHash<QString, CachedKo> g_cache;

CachedKo readKo(::kmod_ctx *ctx, const QString &path)
{
    CachedKo c;
    const QFileInfo fi(path);
    c.size = fi.size();
    c.mtimeMs = fi.lastModified().toMSecsSinceEpoch();
    {
        QMutexLocker lock(&g_cacheMutex);
        auto it = g_cache.constFind(path);
        if (it != g_cache.constEnd() && it->size == c.size && it->mtimeMs == c.mtimeMs)
            return *it;
    }
    const QString none = path + QStringLiteral(": modinfo has no %1");
    c.vermagic = Fact::unknown(none.arg(QStringLiteral("vermagic")));
    c.srcversion = Fact::unknown(none.arg(QStringLiteral("srcversion")));
    c.signer = Fact::of(QString()); // unsigned unless modinfo says otherwise

    struct kmod_module *mod = nullptr;
    const QByteArray native = path.toLocal8Bit();
    int err = ctx ? kmod_module_new_from_path(ctx, native.constData(), &mod) : -EINVAL;
    struct kmod_list *info = nullptr;
    if (err == 0)
        err = kmod_module_get_info(mod, &info);
    if (err < 0) {
        const QString why = path + QStringLiteral(": modinfo failed: ") + QString::fromLocal8Bit(strerror(-err))
            + QStringLiteral(" (corrupt or unreadable .ko?)");
        c.vermagic = c.srcversion = c.signer = Fact::unknown(why);
    } else {
        struct kmod_list *it = nullptr;
        kmod_list_foreach(it, info)
        {
            const QString key = QString::fromUtf8(kmod_module_info_get_key(it));
            const QString value = QString::fromUtf8(kmod_module_info_get_value(it));
            if (key == QLatin1String("vermagic"))
                c.vermagic = Fact::of(value.trimmed());
            else if (key == QLatin1String("srcversion"))
                c.srcversion = Fact::of(value);
            else if (key == QLatin1String("signer"))
                c.signer = Fact::of(value);
            else if (key == QLatin1String("depends"))
                c.depends = value.split(QLatin1Char(','), Qt::SkipEmptyParts);
        }
        kmod_module_info_free_list(info);
    }
    if (mod)
        kmod_module_unref(mod);
    c.facts = readKoFile(path);
    QMutexLocker lock(&g_cacheMutex);
    g_cache.insert(path, c);
    return c;
}

} // namespace

ModuleFiles::ModuleFiles(const QString &root, const QString &release, const QStringList &extraDirs)
    : m_root(root)
    , m_extraDirs(extraDirs)
{
    const QString dir = joinRoot(root, QStringLiteral("/lib/modules/") + release);
    const QByteArray native = dir.toLocal8Bit();
    // No modprobe.d: aliases, options and blacklists say nothing about modules already loaded,
    // and reading them costs a directory walk per snapshot (and the host's, for a fixture).
    static const char *const noConfig[] = {nullptr};
    m_ctx = kmod_new(native.constData(), noConfig);
    if (!m_ctx) {
        m_ctxError = QStringLiteral("libkmod could not open ") + dir;
    } else {
        kmod_set_log_priority(m_ctx, 0);
        // Map modules.dep.bin once instead of reading it again for every lookup.
        kmod_load_resources(m_ctx);
    }
    if (release.isEmpty())
        m_ctxError = QStringLiteral("kernel release unknown, modules.dep not searched");
}

ModuleFiles::~ModuleFiles()
{
    if (m_ctx)
        kmod_unref(m_ctx);
}

QString ModuleFiles::findInExtraDirs(const QString &name) const
{
    static const char *const suffixes[] = {".ko", ".ko.xz", ".ko.zst", ".ko.gz"};
    QString dashed = name;
    dashed.replace(QLatin1Char('_'), QLatin1Char('-'));
    for (const QString &dir : m_extraDirs) {
        for (const QString &n : {name, dashed}) {
            for (const char *s : suffixes) {
                const QString p = QDir(dir).filePath(n + QLatin1String(s));
                if (QFileInfo::exists(p))
                    return p;
            }
        }
    }
    return {};
}

void ModuleFiles::fill(ModuleInfo *m, const QString &sysfsSrcversion, QStringList *modinfoDepends) const
{
    QString path;
    QString why;
    if (m_ctx && m_ctxError.isEmpty()) {
        struct kmod_module *mod = nullptr;
        const QByteArray name = m->name.toUtf8();
        if (kmod_module_new_from_name(m_ctx, name.constData(), &mod) == 0 && mod) {
            const char *p = kmod_module_get_path(mod);
            if (p) // already under the context's directory, ROOT/lib/modules/RELEASE
                path = QString::fromLocal8Bit(p);
            kmod_module_unref(mod);
        }
    }
    if (path.isEmpty()) {
        path = findInExtraDirs(m->name);
        if (path.isEmpty())
            why = m_ctxError.isEmpty() ? QStringLiteral("not in modules.dep (loaded with insmod from a build tree? "
                                                        "set KMODRESCUE_MODULE_PATH to its directory)")
                                       : m_ctxError;
    }
    if (!path.isEmpty() && !QFileInfo::exists(path)) {
        why = path + QStringLiteral(": listed in modules.dep but missing (package removed or kernel updated?)");
        path.clear();
    }
    if (path.isEmpty()) {
        m->koPath = m->vermagic = m->srcversion = m->signer = m->compiler = Fact::unknown(why);
        m->exit = ExitPresence::Unknown;
        m->exitWhy = why;
        return;
    }
    const CachedKo c = readKo(m_ctx, path);
    if (!sysfsSrcversion.isEmpty() && c.srcversion.known() && c.srcversion.value != sysfsSrcversion) {
        m->warnings << QStringLiteral("%1 has srcversion %2 but the loaded module has %3: the file on disk is not "
                                      "the one that was loaded")
                           .arg(path, c.srcversion.value, sysfsSrcversion);
    }
    m->koPath = Fact::of(path);
    m->vermagic = c.vermagic;
    m->srcversion = c.srcversion;
    m->signer = c.signer;
    m->compiler = c.facts.compiler;
    m->exit = c.facts.exit;
    m->exitWhy = c.facts.exitWhy;
    if (modinfoDepends)
        *modinfoDepends = c.depends;
}

} // namespace kmr
