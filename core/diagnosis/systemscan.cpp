// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnosis/systemscan.h"

#include "snapshot/moduleinfo.h"
#include "util/fileread.h"

#include <QDir>
#include <QLoggingCategory>

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSystemScan, "kmr.diagnosis.systemscan", QtWarningMsg)

namespace kmr {

QString DeviceNumber::display() const
{
    if (type == 0)
        return QStringLiteral("not a device");
    return (type == 'b' ? QStringLiteral("block ") : QStringLiteral("char ")) + QString::number(major)
        + QLatin1Char(':') + QString::number(minor);
}

namespace {

// readlink(2) as a QString; empty on failure.
QString readLink(const QString &path)
{
    const QByteArray p = QFile::encodeName(path);
    char buf[4096];
    const ssize_t n = ::readlink(p.constData(), buf, sizeof buf - 1);
    if (n <= 0)
        return {};
    return decodeKernelBytes(QByteArray(buf, int(n)));
}

QString lastPathPart(const QString &path)
{
    const int slash = path.lastIndexOf(QLatin1Char('/'));
    return slash < 0 ? path : path.mid(slash + 1);
}

// /proc/self/mounts escapes space, tab, newline and backslash as \ooo.
QString unescapeMountField(const QString &s)
{
    if (!s.contains(QLatin1Char('\\')))
        return s;
    QString out;
    for (int i = 0; i < s.size(); ++i) {
        if (s.at(i) == QLatin1Char('\\') && i + 3 < s.size()) {
            bool ok = false;
            const int v = s.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                out += QChar(v);
                i += 3;
                continue;
            }
        }
        out += s.at(i);
    }
    return out;
}

bool parseDevNumber(const QString &text, int *major, int *minor)
{
    const QStringList parts = text.trimmed().split(QLatin1Char(':'));
    if (parts.size() != 2)
        return false;
    bool ok1 = false;
    bool ok2 = false;
    *major = parts.at(0).toInt(&ok1);
    *minor = parts.at(1).toInt(&ok2);
    return ok1 && ok2;
}

} // namespace

SystemScan::SystemScan(const QString &root)
    : m_root(root.isEmpty() ? QStringLiteral("/") : root)
    , m_live(QDir(m_root).canonicalPath() == QLatin1String("/"))
{ }

void SystemScan::run()
{
    readMajors();
    readDevices();
    readMounts();
    readNet();
    readProcesses();
}

void SystemScan::readMajors()
{
    QByteArray data;
    QString why;
    if (!readSmallFile(joinRoot(m_root, QStringLiteral("/proc/devices")), &data, &why)) {
        warnings << why;
        return;
    }
    char type = 0;
    for (const QByteArray &raw : data.split('\n')) {
        const QString line = decodeKernelBytes(raw).trimmed();
        if (line.startsWith(QLatin1String("Character devices"))) {
            type = 'c';
            continue;
        }
        if (line.startsWith(QLatin1String("Block devices"))) {
            type = 'b';
            continue;
        }
        const int space = line.indexOf(QLatin1Char(' '));
        if (type == 0 || space <= 0)
            continue;
        bool ok = false;
        const int major = line.left(space).toInt(&ok);
        if (ok)
            majors.append(RegisteredMajor {type, major, line.mid(space + 1).trimmed()});
    }
}

void SystemScan::readDevices()
{
    const QString classDir = joinRoot(m_root, QStringLiteral("/sys/class"));
    const QStringList classes = QDir(classDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    for (const QString &cls : classes) {
        const QString dir = classDir + QLatin1Char('/') + cls;
        const QStringList entries = QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
        for (const QString &name : entries) {
            const QString base = dir + QLatin1Char('/') + name;
            QByteArray uevent;
            QString why;
            SysDevice d;
            d.cls = cls;
            d.name = name;
            if (readSmallFile(base + QStringLiteral("/uevent"), &uevent, &why, qint64(64) * 1024)) {
                for (const QByteArray &raw : uevent.split('\n')) {
                    const QString l = decodeKernelBytes(raw);
                    if (l.startsWith(QLatin1String("MAJOR=")))
                        d.number.major = l.mid(6).toInt();
                    else if (l.startsWith(QLatin1String("MINOR=")))
                        d.number.minor = l.mid(6).toInt();
                    else if (l.startsWith(QLatin1String("DEVNAME=")))
                        d.devName = l.mid(8);
                }
            }
            if (d.number.major < 0) {
                QString devWhy;
                const QString dev = readFirstLine(base + QStringLiteral("/dev"), &devWhy);
                if (!parseDevNumber(dev, &d.number.major, &d.number.minor))
                    continue; // not a device node (a net interface, a power supply, ...)
            }
            d.number.type = cls == QLatin1String("block") ? 'b' : 'c';
            const QString module = readLink(base + QStringLiteral("/device/driver/module"));
            if (!module.isEmpty())
                d.driverModule = canonicalModuleName(lastPathPart(module));
            if (!d.devName.isEmpty())
                m_byDevName.insert(QStringLiteral("/dev/") + d.devName, d.number);
            devices.append(d);
        }
    }
}

DeviceNumber SystemScan::deviceOf(const QString &fdPath, const QString &target) const
{
    if (m_live) {
        struct stat st;
        if (::stat(QFile::encodeName(fdPath).constData(), &st) == 0) {
            if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
                return DeviceNumber {
                    S_ISCHR(st.st_mode) ? 'c' : 'b', int(::major(st.st_rdev)), int(::minor(st.st_rdev))};
            return {};
        }
    }
    return m_byDevName.value(target);
}

void SystemScan::readProcesses()
{
    const QString procDir = joinRoot(m_root, QStringLiteral("/proc"));
    const QStringList entries = QDir(procDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Unsorted);
    for (const QString &e : entries) {
        bool ok = false;
        const qint64 pid = e.toLongLong(&ok);
        if (!ok || pid <= 0)
            continue;
        const QString base = procDir + QLatin1Char('/') + e;
        ProcessInfo p;
        p.pid = pid;
        QByteArray stat;
        QString why;
        if (!readSmallFile(base + QStringLiteral("/stat"), &stat, &why, qint64(64) * 1024))
            continue; // the process ended meanwhile
        const int open = stat.indexOf('(');
        const int close = stat.lastIndexOf(')');
        if (open < 0 || close < open)
            continue;
        p.comm = decodeKernelBytes(stat.mid(open + 1, close - open - 1));
        const QByteArray rest = stat.mid(close + 1).trimmed();
        if (!rest.isEmpty())
            p.state = QLatin1Char(rest.at(0));
        QByteArray cmdline;
        if (readSmallFile(base + QStringLiteral("/cmdline"), &cmdline, &why, qint64(256) * 1024)) {
            if (cmdline.endsWith('\0'))
                cmdline.chop(1);
            if (!cmdline.isEmpty())
                for (const QByteArray &a : cmdline.split('\0'))
                    p.argv << decodeKernelBytes(a);
        }
        const QString wchan = readFirstLine(base + QStringLiteral("/wchan"), &why);
        if (wchan != QLatin1String("0"))
            p.wchan = wchan;

        const QString fdDir = base + QStringLiteral("/fd");
        QDir fds(fdDir);
        if (!fds.isReadable() || !fds.exists()) {
            ++unreadableProcesses;
        } else {
            const QStringList fdNames
                = fds.entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::System, QDir::Unsorted);
            for (const QString &fd : fdNames) {
                const QString path = fdDir + QLatin1Char('/') + fd;
                const QString target = readLink(path);
                if (target.isEmpty() || !target.startsWith(QLatin1Char('/')))
                    continue; // sockets, pipes, anon inodes
                OpenFile f {pid, QStringLiteral("/proc/") + e + QStringLiteral("/fd/") + fd, target, {}};
                if (target.startsWith(QLatin1String("/dev/")))
                    f.device = deviceOf(path, target);
                openFiles.append(f);
            }
        }
        for (const char *link : {"cwd", "root"}) {
            const QString target = readLink(base + QLatin1Char('/') + QLatin1String(link));
            if (!target.isEmpty())
                openFiles.append(
                    OpenFile {pid, QStringLiteral("/proc/") + e + QLatin1Char('/') + QLatin1String(link), target, {}});
        }
        m_processIndex.insert(pid, int(processes.size()));
        processes.append(p);
    }
}

void SystemScan::readMounts()
{
    QByteArray data;
    QString why;
    if (readSmallFile(joinRoot(m_root, QStringLiteral("/proc/self/mounts")), &data, &why)) {
        for (const QByteArray &raw : data.split('\n')) {
            const QStringList f = decodeKernelBytes(raw).split(QLatin1Char(' '), Qt::SkipEmptyParts);
            if (f.size() >= 3)
                mounts.append(MountEntry {unescapeMountField(f.at(0)), unescapeMountField(f.at(1)), f.at(2)});
        }
    } else {
        warnings << why;
    }
    if (readSmallFile(joinRoot(m_root, QStringLiteral("/proc/filesystems")), &data, &why)) {
        for (const QByteArray &raw : data.split('\n')) {
            const QStringList f = decodeKernelBytes(raw).split(QLatin1Char('\t'), Qt::SkipEmptyParts);
            if (!f.isEmpty())
                filesystems << f.last().trimmed();
        }
    } else {
        warnings << why;
    }
}

void SystemScan::readNet()
{
    const QString netDir = joinRoot(m_root, QStringLiteral("/sys/class/net"));
    const QStringList entries = QDir(netDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot | QDir::System, QDir::Name);
    for (const QString &name : entries) {
        const QString base = netDir + QLatin1Char('/') + name;
        NetInterface n;
        n.name = name;
        const QString module = readLink(base + QStringLiteral("/device/driver/module"));
        if (!module.isEmpty())
            n.driverModule = canonicalModuleName(lastPathPart(module));
        QString why;
        n.operstate = readFirstLine(base + QStringLiteral("/operstate"), &why);
        interfaces.append(n);
    }
}

const ProcessInfo *SystemScan::process(qint64 pid) const
{
    const auto it = m_processIndex.constFind(pid);
    return it == m_processIndex.constEnd() ? nullptr : &processes.at(*it);
}

QList<ProcessInfo> SystemScan::unloaders(const QString &module) const
{
    const QString want = canonicalModuleName(module);
    QList<ProcessInfo> out;
    for (const ProcessInfo &p : processes) {
        // rmmod NAME and modprobe -r NAME in any state; any other program that names the module
        // on its command line (a test harness calling delete_module) when it sleeps in the kernel.
        const QString prog = p.argv.isEmpty() ? p.comm : lastPathPart(p.argv.first());
        const bool isRmmod = prog == QLatin1String("rmmod") || p.comm == QLatin1String("rmmod");
        const bool isModprobe = prog == QLatin1String("modprobe")
            && (p.argv.contains(QLatin1String("-r")) || p.argv.contains(QLatin1String("--remove")));
        bool names = false;
        for (int i = 1; i < p.argv.size(); ++i) {
            QString a = p.argv.at(i);
            if (a.endsWith(QLatin1String(".ko")))
                a = lastPathPart(a).chopped(3);
            if (canonicalModuleName(a) == want)
                names = true;
        }
        if (!names || (!isRmmod && !isModprobe && p.state != QLatin1Char('D')))
            continue;
        ProcessInfo q = p;
        const QString stackPath
            = joinRoot(m_root, QStringLiteral("/proc/") + QString::number(p.pid) + QStringLiteral("/stack"));
        QByteArray stack;
        QString why;
        if (readSmallFile(stackPath, &stack, &why, qint64(64) * 1024)) {
            for (const QByteArray &l : stack.split('\n'))
                if (!l.trimmed().isEmpty())
                    q.stack << decodeKernelBytes(l.trimmed());
        } else {
            q.stackWhy = why;
        }
        out.append(q);
    }
    return out;
}

} // namespace kmr
