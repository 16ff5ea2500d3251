// SPDX-License-Identifier: GPL-2.0-or-later
#include "snapshot/kernelfactsreader.h"

#include "snapshot/kofile.h"
#include "snapshot/taint.h"
#include "util/fileread.h"

#include <QDateTime>
#include <QFileInfo>
#include <QHash>
#include <QMutex>

namespace kmr {

QString compilerFromProcVersion(const QString &line)
{
    // The line is "Linux version REL (BUILDER) (COMPILER, LINKER) #..." in 5.8+, and
    // "Linux version REL (BUILDER) (COMPILER) #..." before. Find the second balanced group.
    int depth = 0;
    int groupStart = -1;
    int group = 0;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (c == QLatin1Char('#') && depth == 0 && group >= 1)
            break;
        if (c == QLatin1Char('(')) {
            if (depth++ == 0)
                groupStart = i + 1;
        } else if (c == QLatin1Char(')') && depth > 0) {
            if (--depth == 0) {
                ++group;
                if (group == 2) {
                    QString inner = line.mid(groupStart, i - groupStart);
                    // Drop the linker part (", GNU ld ..." or ", LLD ...").
                    for (const char *sep : {", GNU ld", ", LLD", ", ld "}) {
                        const int at = inner.indexOf(QLatin1String(sep));
                        if (at > 0)
                            inner.truncate(at);
                    }
                    return inner.trimmed();
                }
            }
        }
    }
    return {};
}

QString activeLockdownMode(const QString &text)
{
    const int open = text.indexOf(QLatin1Char('['));
    const int close = text.indexOf(QLatin1Char(']'), open + 1);
    if (open < 0 || close < 0)
        return {};
    return text.mid(open + 1, close - open - 1);
}

QString kernelConfigValue(const QByteArray &config, const QByteArray &option)
{
    const QByteArray set = option + '=';
    const QByteArray unset = "# " + option + " is not set";
    for (const QByteArray &line : config.split('\n')) {
        if (line.startsWith(set)) {
            QByteArray v = line.mid(set.size()).trimmed();
            if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"'))
                v = v.mid(1, v.size() - 2);
            return QString::fromUtf8(v);
        }
        if (line.trimmed() == unset)
            return QStringLiteral("n");
    }
    return {};
}

namespace {
// The options a snapshot needs from the kernel config, kept per file so that auto-refresh does
// not re-read and re-parse a 250 KB file every time.
struct ConfigFacts {
    qint64 size = -1;
    qint64 mtimeMs = 0;
    QString forceUnload, ccVersionText;
};
QMutex g_configMutex;
QHash<QString, ConfigFacts> g_configCache;
} // namespace

bool readKernelConfig(const QString &root, const QString &release, QByteArray *config, QString *source, QString *why)
{
    QStringList tried;
    if (!release.isEmpty()) {
        const QString boot = joinRoot(root, QStringLiteral("/boot/config-") + release);
        QString err;
        if (readSmallFile(boot, config, &err, 64 * 1024 * 1024)) {
            *source = boot;
            return true;
        }
        tried << err;
    }
    const QString gz = joinRoot(root, QStringLiteral("/proc/config.gz"));
    if (QFileInfo::exists(gz)) {
        QString err;
        if (loadModuleImage(gz, config, &err)) { // libarchive raw + gzip filter
            *source = gz;
            return true;
        }
        tried << err;
    } else {
        tried << gz + QStringLiteral(": does not exist (CONFIG_IKCONFIG_PROC off)");
    }
    *why = tried.join(QStringLiteral("; "));
    return false;
}

static Fact factFromFile(const QString &path)
{
    QString why;
    const QString v = readFirstLine(path, &why);
    return why.isEmpty() ? Fact::of(v) : Fact::unknown(why);
}

KernelFacts readKernelFacts(const QString &root)
{
    KernelFacts k;
    k.moduleSupport = QFileInfo::exists(joinRoot(root, QStringLiteral("/proc/modules")));
    k.release = factFromFile(joinRoot(root, QStringLiteral("/proc/sys/kernel/osrelease")));
    k.version = factFromFile(joinRoot(root, QStringLiteral("/proc/version")));
    if (k.version.known()) {
        const QString cc = compilerFromProcVersion(k.version.value);
        k.compiler = cc.isEmpty() ? Fact::unknown(QStringLiteral("/proc/version names no compiler")) : Fact::of(cc);
    } else {
        k.compiler = Fact::unknown(k.version.why);
    }

    const Fact tainted = factFromFile(joinRoot(root, QStringLiteral("/proc/sys/kernel/tainted")));
    if (tainted.known()) {
        bool ok = false;
        k.taintMask = tainted.value.toULongLong(&ok);
        k.taintKnown = ok;
        if (ok)
            k.taintLetters = taintLetters(k.taintMask);
    }

    k.modulesDisabled = factFromFile(joinRoot(root, QStringLiteral("/proc/sys/kernel/modules_disabled")));

    const QString lockPath = joinRoot(root, QStringLiteral("/sys/kernel/security/lockdown"));
    const Fact lock = factFromFile(lockPath);
    if (lock.known()) {
        const QString mode = activeLockdownMode(lock.value);
        k.lockdown = mode.isEmpty() ? Fact::unknown(
                         lockPath + QStringLiteral(": unexpected content '") + lock.value.left(80) + QLatin1Char('\''))
                                    : Fact::of(mode);
    } else if (!QFileInfo::exists(joinRoot(root, QStringLiteral("/sys/kernel/security")))) {
        k.lockdown = Fact::unknown(QStringLiteral("securityfs is not mounted at /sys/kernel/security"));
    } else {
        k.lockdown = Fact::unknown(lock.why + QStringLiteral(" (lockdown LSM not active?)"));
    }

    k.sigEnforce = factFromFile(joinRoot(root, QStringLiteral("/sys/module/module/parameters/sig_enforce")));

    const QString bootConfig = joinRoot(root, QStringLiteral("/boot/config-") + k.release.value);
    const QFileInfo bootInfo(bootConfig);
    ConfigFacts cached;
    bool haveCached = false;
    if (k.release.known() && bootInfo.exists()) {
        QMutexLocker lock(&g_configMutex);
        const auto it = g_configCache.constFind(bootConfig);
        if (it != g_configCache.constEnd() && it->size == bootInfo.size()
            && it->mtimeMs == bootInfo.lastModified().toMSecsSinceEpoch()) {
            cached = *it;
            haveCached = true;
        }
    }
    QByteArray config;
    QString source, why;
    if (haveCached) {
        k.configSource = Fact::of(bootConfig);
        k.forceUnload = Fact::of(cached.forceUnload);
        k.ccVersionText = cached.ccVersionText.isEmpty()
            ? Fact::unknown(bootConfig + QStringLiteral(" has no CONFIG_CC_VERSION_TEXT"))
            : Fact::of(cached.ccVersionText);
        if (cached.forceUnload.isEmpty())
            k.forceUnload = Fact::unknown(bootConfig + QStringLiteral(" does not mention CONFIG_MODULE_FORCE_UNLOAD"));
    } else if (readKernelConfig(root, k.release.value, &config, &source, &why)) {
        k.configSource = Fact::of(source);
        const QString force = kernelConfigValue(config, "CONFIG_MODULE_FORCE_UNLOAD");
        k.forceUnload = force.isEmpty()
            ? Fact::unknown(source + QStringLiteral(" does not mention CONFIG_MODULE_FORCE_UNLOAD"))
            : Fact::of(force);
        const QString cc = kernelConfigValue(config, "CONFIG_CC_VERSION_TEXT");
        k.ccVersionText
            = cc.isEmpty() ? Fact::unknown(source + QStringLiteral(" has no CONFIG_CC_VERSION_TEXT")) : Fact::of(cc);
        if (source == bootConfig) {
            QMutexLocker lock(&g_configMutex);
            g_configCache.insert(
                bootConfig, ConfigFacts {bootInfo.size(), bootInfo.lastModified().toMSecsSinceEpoch(), force, cc});
        }
    } else {
        k.configSource = Fact::unknown(why);
        k.forceUnload = Fact::unknown(QStringLiteral("no kernel config found: ") + why);
        k.ccVersionText = Fact::unknown(QStringLiteral("no kernel config found"));
    }
    return k;
}

} // namespace kmr
