// SPDX-License-Identifier: GPL-2.0-or-later
// SystemScan: the evidence of real use beyond the snapshot. On the lab61 fixture root (device
// numbers from sysfs uevent, /proc/PID/fd links, mounts with escapes, network drivers), and on
// this machine's own /proc: a file this test holds open is found with its real device number.
#include "diagnosis/diagnosisrules.h"
#include "diagnosis/systemscan.h"

#include <QFile>
#include <QTest>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

using namespace kmr;

class TestSystemScan : public QObject
{
    Q_OBJECT

    const QString lab = QStringLiteral(KMR_FIXTURES "/diagnosis/lab61");

private Q_SLOTS:
    void registeredMajors()
    {
        SystemScan s(lab);
        s.run();
        bool found = false;
        for (const RegisteredMajor &m : s.majors)
            found = found || (m.type == 'c' && m.major == 240 && m.name == QLatin1String("kmr_busychar"));
        QVERIFY(found);
        QVERIFY(std::any_of(s.majors.begin(), s.majors.end(),
            [](const RegisteredMajor &m) { return m.type == 'b' && m.name == QLatin1String("virtblk"); }));
    }

    void fdLinksToDeviceNumbers()
    {
        SystemScan s(lab);
        s.run();
        const auto it = std::find_if(s.openFiles.begin(), s.openFiles.end(),
            [](const OpenFile &f) { return f.fdPath == QLatin1String("/proc/4242/fd/3"); });
        QVERIFY(it != s.openFiles.end());
        QCOMPARE(it->target, QStringLiteral("/dev/kmr_busychar"));
        QCOMPARE(it->device.display(), QStringLiteral("char 240:0"));
        const ProcessInfo *p = s.process(4242);
        QVERIFY(p);
        QCOMPARE(p->state, QLatin1Char('S'));
        QCOMPARE(p->argv.first(), QStringLiteral("sh"));
    }

    void mountsAndInterfaces()
    {
        SystemScan s(lab);
        s.run();
        QVERIFY(std::any_of(s.mounts.begin(), s.mounts.end(),
            [](const MountEntry &m) { return m.mountPoint == QLatin1String("/mnt/with space"); }));
        QVERIFY(s.filesystems.contains(QStringLiteral("kmrfs")));
        QVERIFY(s.filesystems.contains(QStringLiteral("ext4")));
        const auto net = std::find_if(s.interfaces.begin(), s.interfaces.end(),
            [](const NetInterface &n) { return n.name == QLatin1String("kmrnet0"); });
        QVERIFY(net != s.interfaces.end());
        QCOMPARE(net->driverModule, QStringLiteral("kmr_net"));
        QCOMPARE(net->operstate, QStringLiteral("up"));
    }

    void unloaders()
    {
        SystemScan s(lab);
        s.run();
        const QList<ProcessInfo> u = s.unloaders(QStringLiteral("kmr-exithang"));
        QCOMPARE(u.size(), 1);
        QCOMPARE(u.first().pid, 4343);
        QVERIFY2(!u.first().stackWhy.isEmpty(), "the missing stack says why");
        QVERIFY(s.unloaders(QStringLiteral("kmr_busychar")).isEmpty());
    }

    void missingRootIsNotACrash()
    {
        SystemScan s(QStringLiteral("/nonexistent/root"));
        s.run();
        QVERIFY(s.processes.isEmpty());
        QVERIFY2(!s.warnings.isEmpty(), "unreadable /proc/devices and mounts are reported");
        QVERIFY(findModuleUsers(s, QStringLiteral("x")).isEmpty());
    }

    void liveProcSeesOurOwnFiles()
    {
        // This process holds /dev/null open: the live scan must find it with stat()'s number.
        QFile devnull(QStringLiteral("/dev/null"));
        QVERIFY(devnull.open(QIODevice::ReadOnly));
        struct stat st;
        QVERIFY(::stat("/dev/null", &st) == 0);
        SystemScan s(QStringLiteral("/"));
        s.run();
        const qint64 me = ::getpid();
        QVERIFY2(s.process(me), "our own process is in the scan");
        const auto it = std::find_if(s.openFiles.begin(), s.openFiles.end(),
            [me](const OpenFile &f) { return f.pid == me && f.target == QLatin1String("/dev/null"); });
        QVERIFY2(it != s.openFiles.end(), "our open /dev/null is found");
        QCOMPARE(it->device.type, 'c');
        QCOMPARE(it->device.major, int(major(st.st_rdev)));
        QCOMPARE(it->device.minor, int(minor(st.st_rdev)));
    }
};

QTEST_GUILESS_MAIN(TestSystemScan)
#include "tst_systemscan.moc"
