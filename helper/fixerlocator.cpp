// SPDX-License-Identifier: GPL-2.0-or-later
#include "fixerlocator.h"

#include "helperlog.h"
#include "livemodules.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>

#include <sys/stat.h>

namespace kmr {

bool trustedPath(const QString &path, QString *why)
{
    QString p = QFileInfo(path).absoluteFilePath();
    while (!p.isEmpty()) {
        struct stat st { };
        if (::lstat(QFile::encodeName(p).constData(), &st) != 0) {
            *why = QStringLiteral("%1 does not exist").arg(p);
            return false;
        }
        if (S_ISLNK(st.st_mode) && p == path) {
            *why = QStringLiteral("%1 is a symbolic link").arg(p);
            return false;
        }
        if (st.st_uid != 0 || (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX))) {
            *why = QStringLiteral("%1 is not owned by root or is writable by others").arg(p);
            return false;
        }
        if (p == QLatin1String("/"))
            break;
        p = QFileInfo(p).path();
    }
    return true;
}

static const char *const koNames[]
    = {"kmodrescue_fixer.ko", "kmodrescue_fixer.ko.xz", "kmodrescue_fixer.ko.zst", "kmodrescue_fixer.ko.gz"};

static QString firstExisting(const QString &dir, QStringList *tried)
{
    for (const char *n : koNames) {
        const QString p = dir + QLatin1Char('/') + QLatin1String(n);
        *tried << p;
        if (QFileInfo::exists(p))
            return p;
    }
    return {};
}

QString FixerLocator::locate(QString *error) const
{
    const QString release = runningKernelRelease();
    QStringList tried;
    QString found;
    if (!m_options.fixerDir.isEmpty()) {
        found = firstExisting(m_options.fixerDir + QLatin1Char('/') + release, &tried);
        if (found.isEmpty())
            found = firstExisting(m_options.fixerDir, &tried);
        if (found.isEmpty()) {
            *error = QStringLiteral("no kmodrescue_fixer.ko in the --fixer-dir given to the helper (tried %1)")
                         .arg(tried.join(QStringLiteral(", ")));
            return {};
        }
    } else {
        found = firstExisting(QStringLiteral("/lib/modules/%1/updates/dkms").arg(release), &tried);
        if (found.isEmpty())
            found = build(release, error);
        if (found.isEmpty())
            return {};
    }
    QString why;
    if (!trustedPath(found, &why)) {
        *error = QStringLiteral("refusing to load %1: %2").arg(found, why);
        return {};
    }
    return found;
}

// The compiler the running kernel was built with, from /proc/version: "gcc-12", "clang-14", "gcc".
static QString kernelCompiler()
{
    QFile f(QStringLiteral("/proc/version"));
    if (!f.open(QIODevice::ReadOnly))
        return {};
    static const QRegularExpression re(QStringLiteral("\\((gcc(?:-\\d+)?|clang(?:-\\d+)?|[\\w.-]+-gcc(?:-\\d+)?) "));
    const QRegularExpressionMatch m = re.match(QString::fromUtf8(f.readAll()));
    return m.hasMatch() ? m.captured(1) : QString();
}

QString FixerLocator::build(const QString &release, QString *error) const
{
    const QString kbuild = QStringLiteral("/lib/modules/%1/build").arg(release);
    if (!QFileInfo::exists(kbuild + QStringLiteral("/Makefile"))) {
        *error = QStringLiteral("kmodrescue_fixer is not built for %1 and the kernel headers are missing (%2): install "
                                "linux-headers-%1, or the kmodrescue DKMS module")
                     .arg(release, kbuild);
        return {};
    }
    const QDir src(m_options.sourceDir);
    if (!src.exists(QStringLiteral("Kbuild")) && !src.exists(QStringLiteral("Makefile"))) {
        *error = QStringLiteral("the fixer's source is not installed in %1").arg(m_options.sourceDir);
        return {};
    }
    QString why;
    if (!trustedPath(m_options.sourceDir, &why)) {
        *error = QStringLiteral("refusing to build the fixer: %1").arg(why);
        return {};
    }
    const QString cc = kernelCompiler();
    const QString ccPath = cc.isEmpty() ? QString() : QStringLiteral("/usr/bin/") + cc;
    if (cc.isEmpty() || !QFileInfo::exists(ccPath)) {
        *error = QStringLiteral("the kernel's own compiler (%1, from /proc/version) is not installed: install it to "
                                "build kmodrescue_fixer")
                     .arg(cc.isEmpty() ? QStringLiteral("unknown") : cc);
        return {};
    }
    ::umask(077);
    QDir().mkpath(m_options.stateDir);
    ::chmod(QFile::encodeName(m_options.stateDir).constData(), 0700);
    const QString dir = m_options.stateDir + QStringLiteral("/fixer-") + release;
    QDir(dir).removeRecursively();
    QDir().mkpath(dir);
    const QStringList files = src.entryList(
        {QStringLiteral("*.c"), QStringLiteral("*.h"), QStringLiteral("Kbuild"), QStringLiteral("Makefile")},
        QDir::Files);
    for (const QString &f : files)
        QFile::copy(src.filePath(f), dir + QLatin1Char('/') + f);

    QProcess make;
    QProcessEnvironment env; // clean: nothing from whoever started us
    env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/sbin:/usr/bin:/sbin:/bin"));
    env.insert(QStringLiteral("LC_ALL"), QStringLiteral("C"));
    env.insert(QStringLiteral("HOME"), m_options.stateDir);
    make.setProcessEnvironment(env);
    make.setWorkingDirectory(dir);
    make.setProcessChannelMode(QProcess::MergedChannels);
    QStringList args {QStringLiteral("-C"), kbuild, QStringLiteral("M=") + dir, QStringLiteral("modules")};
    args << (cc.startsWith(QLatin1String("clang")) ? QStringLiteral("LLVM=1") : QStringLiteral("CC=") + ccPath);
    qCInfo(lcHelper) << "building kmodrescue_fixer for" << release << "with" << ccPath;
    make.start(QStringLiteral("/usr/bin/make"), args);
    if (!make.waitForFinished(10 * 60 * 1000) || make.exitStatus() != QProcess::NormalExit || make.exitCode() != 0) {
        const QString out = QString::fromUtf8(make.readAll()).right(2000);
        make.kill();
        *error = QStringLiteral("building kmodrescue_fixer failed: %1").arg(out.trimmed());
        return {};
    }
    const QString ko = dir + QStringLiteral("/kmodrescue_fixer.ko");
    if (!QFileInfo::exists(ko)) {
        *error = QStringLiteral("the fixer's build produced no %1").arg(ko);
        return {};
    }
    return ko;
}

} // namespace kmr
