// SPDX-License-Identifier: GPL-2.0-or-later
// Who really uses a module: open device nodes of its majors, mounts of its filesystem types,
// network interfaces of its driver, and the processes holding those files.
#include "diagnosis/diagnosisrules.h"
#include "diagnosis/systemscan.h"

#include <QSet>

namespace kmr {

namespace {

bool pathUnder(const QString &path, const QString &mountPoint)
{
    if (mountPoint == QLatin1String("/"))
        return false; // everything is under /: the root file system is never a module's use here
    return path == mountPoint || path.startsWith(mountPoint + QLatin1Char('/'));
}

QString commandOf(const SystemScan &scan, qint64 pid)
{
    const ProcessInfo *p = scan.process(pid);
    return p ? p->commandLine() : QString();
}

} // namespace

QList<ModuleUser> findModuleUsers(const SystemScan &scan, const QString &module)
{
    const QString want = canonicalModuleName(module);
    QList<ModuleUser> users;

    // Device numbers that belong to the module: whole majors registered under its name in
    // /proc/devices, and single devices whose driver is the module or that carry its name
    // (misc devices share major 10, so they are matched one by one).
    QList<RegisteredMajor> majors;
    for (const RegisteredMajor &r : scan.majors)
        if (canonicalModuleName(r.name) == want)
            majors << r;
    QList<DeviceNumber> numbers;
    for (const SysDevice &d : scan.devices) {
        if (d.driverModule == want || canonicalModuleName(d.name) == want
            || (!d.devName.isEmpty() && canonicalModuleName(d.devName) == want))
            numbers << d.number;
    }
    if (!majors.isEmpty() || !numbers.isEmpty()) {
        for (const OpenFile &f : scan.openFiles) {
            if (f.device.type == 0)
                continue;
            bool mine = numbers.contains(f.device);
            for (const RegisteredMajor &r : majors)
                mine = mine || (r.type == f.device.type && r.major == f.device.major);
            if (!mine)
                continue;
            users << ModuleUser {ModuleUser::Kind::DeviceNode,
                f.target + QStringLiteral(" (") + f.device.display() + QLatin1Char(')'), f.fdPath, f.pid,
                commandOf(scan, f.pid)};
        }
    }

    // Filesystem types registered under the module's name, or its name and "fs" (ext4 registers
    // "ext4", kmr_victim "kmr_victimfs"). Other type names (ext4's "ext3") are not matched here.
    QSet<QString> types;
    for (const QString &t : scan.filesystems) {
        const QString c = canonicalModuleName(t);
        if (c == want || c == want + QStringLiteral("fs"))
            types.insert(t);
    }
    for (const MountEntry &m : scan.mounts) {
        if (!types.contains(m.fsType))
            continue;
        users << ModuleUser {ModuleUser::Kind::Mount,
            m.mountPoint + QStringLiteral(" (") + m.fsType + QStringLiteral(" on ") + m.device + QLatin1Char(')'),
            QStringLiteral("/proc/self/mounts"), -1, {}};
        for (const OpenFile &f : scan.openFiles) {
            if (pathUnder(f.target, m.mountPoint))
                users << ModuleUser {ModuleUser::Kind::Mount,
                    f.target + QStringLiteral(" (on ") + m.mountPoint + QLatin1Char(')'), f.fdPath, f.pid,
                    commandOf(scan, f.pid)};
        }
    }

    for (const NetInterface &n : scan.interfaces) {
        if (n.driverModule != want)
            continue;
        users << ModuleUser {ModuleUser::Kind::NetworkInterface,
            n.name + QStringLiteral(" (") + (n.operstate.isEmpty() ? QStringLiteral("state unknown") : n.operstate)
                + QLatin1Char(')'),
            QStringLiteral("/sys/class/net/") + n.name + QStringLiteral("/device/driver/module"), -1, {}};
    }
    return users;
}

} // namespace kmr
