// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace kmr {

// The evidence beyond the module snapshot that the diagnosis needs, read once under a root
// directory (like SnapshotReader): who has which device nodes open, what is mounted, which
// network interfaces exist, and which processes are busy unloading a module.
//
// Nothing here needs root. /proc/PID/fd of other users' processes and /proc/PID/stack are
// unreadable to a normal user: such gaps are counted (unreadableProcesses) or marked, not errors.
//
// Device nodes: on the live system (root "/") an fd's device number comes from stat(). Under a
// fixture root the fd links name /dev paths that the fixture cannot hold as real nodes, so the
// number comes from sysfs instead: /sys/class/*/*/uevent (DEVNAME, MAJOR, MINOR), exactly as the
// kernel publishes it. The live path falls back to the same when stat() fails.
struct DeviceNumber {
    char type = 0; // 'c' or 'b'
    int major = -1;
    int minor = -1;
    bool operator==(const DeviceNumber &o) const { return type == o.type && major == o.major && minor == o.minor; }
    QString display() const; // "char 240:0"
};

struct RegisteredMajor { // a line of /proc/devices
    char type = 0;
    int major = -1;
    QString name;
};

struct SysDevice { // a device under /sys/class
    QString cls; // "misc", "block", "kmr_busy"
    QString name; // directory name
    QString devName; // DEVNAME from uevent ("kmr_busy", "input/event0"), "" when none
    DeviceNumber number;
    QString driverModule; // device/driver/module link's target name, "" when none
};

struct OpenFile {
    qint64 pid = -1;
    QString fdPath; // "/proc/1234/fd/3", "/proc/1234/cwd"
    QString target; // the link's target: "/dev/kmr_busy", "/mnt/x/file"
    DeviceNumber device; // type 0 when not a device node (or unknown)
};

struct ProcessInfo {
    qint64 pid = -1;
    QString comm;
    QStringList argv;
    QChar state; // from /proc/PID/stat: 'R', 'S', 'D', ...
    QString wchan; // "" when unreadable or 0
    QStringList stack; // /proc/PID/stack lines, read only when asked (rmmod processes)
    QString stackWhy; // why the stack is empty: "Permission denied (only root reads it)"
    QString commandLine() const { return argv.isEmpty() ? comm : argv.join(QLatin1Char(' ')); }
};

struct MountEntry {
    QString device, mountPoint, fsType;
};

struct NetInterface {
    QString name;
    QString driverModule; // /sys/class/net/NAME/device/driver/module target name
    QString operstate; // "up", "down", "unknown"
};

class SystemScan
{
public:
    explicit SystemScan(const QString &root = QStringLiteral("/"));
    void run();

    QString root() const { return m_root; }
    QList<RegisteredMajor> majors; // /proc/devices
    QList<SysDevice> devices; // /sys/class/*/* with a dev file
    QList<ProcessInfo> processes; // every readable /proc/PID
    QList<OpenFile> openFiles; // fds, cwd and root of every readable process
    QList<MountEntry> mounts; // /proc/self/mounts
    QStringList filesystems; // /proc/filesystems, the type names
    QList<NetInterface> interfaces; // /sys/class/net
    int unreadableProcesses = 0; // processes whose fds could not be listed
    QStringList warnings; // files that could not be read, in words

    // Processes that are unloading `module` (rmmod NAME, modprobe -r NAME), with their stacks read.
    QList<ProcessInfo> unloaders(const QString &module) const;
    const ProcessInfo *process(qint64 pid) const;

private:
    void readMajors();
    void readDevices();
    void readProcesses();
    void readMounts();
    void readNet();
    DeviceNumber deviceOf(const QString &fdPath, const QString &target) const;

    QString m_root;
    bool m_live = false;
    QHash<QString, DeviceNumber> m_byDevName; // "/dev/kmr_busy" -> number
    QHash<qint64, int> m_processIndex;
};

} // namespace kmr
