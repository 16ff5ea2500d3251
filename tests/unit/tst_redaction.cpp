// SPDX-License-Identifier: GPL-2.0-or-later
// Redaction: what is private is listed first, then replaced; the same value gets the same token
// everywhere; kernel text that only looks like an address (versions, times, hex) is left alone.
#include "bundle/bundlecontents.h"
#include "bundle/redaction.h"
#include "snapshot/snapshotjson.h"

#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace kmr;
using namespace kmr::bundle;

namespace {

const Redaction *findOriginal(const QList<Redaction> &plan, const QString &original)
{
    for (const Redaction &r : plan) {
        if (r.original == original)
            return &r;
    }
    return nullptr;
}

RedactionContext labContext()
{
    RedactionContext c;
    c.hostNames = {"buildbox7"};
    c.userNames = {"alice"};
    return c;
}

} // namespace

class TestRedaction : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void finds_data();
    void finds();
    void leavesKernelTextAlone_data();
    void leavesKernelTextAlone();
    void sameValueSameTokenEverywhere();
    void applyRemovesEveryOriginalAndKeepsJsonValid();
    void fixtureBundleIsRedactedBeforeWriting();
};

void TestRedaction::finds_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("original");
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("replacement");
    QTest::newRow("host name") << "systemd[1]: Hostname set to <buildbox7>."
                               << "buildbox7"
                               << "host-name"
                               << "[host-1]";
    QTest::newRow("user name") << "session opened for user alice by (uid=0)"
                               << "alice"
                               << "user-name"
                               << "[user-1]";
    QTest::newRow("home path") << "loading /home/bob/src/kmr_victim.ko"
                               << "/home/bob"
                               << "home-path"
                               << "[home-1]";
    QTest::newRow("root home") << "koPath /root/kmod/kmr.ko"
                               << "/root"
                               << "home-path"
                               << "[home-1]";
    QTest::newRow("mac") << "virtio_net virtio0 eth0: MAC 52:54:00:12:34:56"
                         << "52:54:00:12:34:56"
                         << "mac-address"
                         << "[mac-1]";
    QTest::newRow("ipv4") << "IP-Config: Got DHCP answer from 10.0.2.2, my address is 10.0.2.15"
                          << "10.0.2.2"
                          << "ipv4-address"
                          << "[ipv4-1]";
    QTest::newRow("ipv6 compressed") << "IPv6: ADDRCONF(NETDEV_CHANGE): fe80::5054:ff:fe12:3456 ready"
                                     << "fe80::5054:ff:fe12:3456"
                                     << "ipv6-address"
                                     << "[ipv6-1]";
    QTest::newRow("ipv6 before a colon") << "IPv6: ADDRCONF(NETDEV_CHANGE): fe80::5054:ff:fe12:3456: link becomes ready"
                                         << "fe80::5054:ff:fe12:3456"
                                         << "ipv6-address"
                                         << "[ipv6-1]";
    QTest::newRow("ipv6 full") << "addr 2001:0db8:0000:0000:0000:ff00:0042:8329 up"
                               << "2001:0db8:0000:0000:0000:ff00:0042:8329"
                               << "ipv6-address"
                               << "[ipv6-1]";
    QTest::newRow("usb SerialNumber") << "usb 1-1: SerialNumber: 4C530001190513116383"
                                      << "4C530001190513116383"
                                      << "serial-number"
                                      << "[serial-1]";
    QTest::newRow("Serial Number:") << "  Serial Number: S3Z9NB0K123456X"
                                    << "S3Z9NB0K123456X"
                                    << "serial-number"
                                    << "[serial-1]";
    QTest::newRow("serial=") << "nvme nvme0: pci function serial=ABCD1234"
                             << "ABCD1234"
                             << "serial-number"
                             << "[serial-1]";
}

void TestRedaction::finds()
{
    QFETCH(QString, text);
    QFETCH(QString, original);
    QFETCH(QString, kind);
    QFETCH(QString, replacement);
    const QList<BundleMember> members {{"kernel-log.txt", "first line\n" + text.toUtf8() + "\n"}};
    const QList<Redaction> plan = planRedactions(members, labContext());
    const Redaction *r = findOriginal(plan, original);
    QVERIFY2(r, qPrintable(describeRedactions(plan)));
    QCOMPARE(toString(r->kind), kind);
    QCOMPARE(r->replacement, replacement);
    QCOMPARE(r->where, QStringList {"kernel-log.txt:2"});
    const QList<BundleMember> out = applyRedactions(members, plan);
    QVERIFY(!QString::fromUtf8(out.first().data).contains(original));
    QVERIFY(QString::fromUtf8(out.first().data).contains(replacement));
}

void TestRedaction::leavesKernelTextAlone_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("kernel release") << "Linux version 6.1.0-56-amd64 (gcc-12 (Debian 12.2.0-14) 12.2.0)";
    QTest::newRow("timestamps and times") << "[   19.001830] Nov 22 01:02:03 clock 12:34:56";
    QTest::newRow("registers") << "RSP: 0018:ff47f620405c3d48 EFLAGS: 00000246 RAX: 0000000000000000";
    QTest::newRow("code bytes") << "Code: 48 89 e5 41 54 53 48 8b 1d 00 00 00 00";
    QTest::newRow("serial driver") << "Serial: 8250/16550 driver, 4 ports, IRQ sharing enabled";
    QTest::newRow("loopback") << "lo: 127.0.0.1 ::1";
    QTest::newRow("pci address") << "pci 0000:00:1f.2: [8086:2922] type 00 class 0x010601";
    QTest::newRow("rust path") << "in kernel::module::init";
    QTest::newRow("home word") << "no place like home, /homework/x";
}

void TestRedaction::leavesKernelTextAlone()
{
    QFETCH(QString, text);
    const QList<Redaction> plan = planRedactions({{"kernel-log.txt", text.toUtf8()}}, labContext());
    QVERIFY2(plan.isEmpty(), qPrintable(describeRedactions(plan)));
}

void TestRedaction::sameValueSameTokenEverywhere()
{
    const QList<BundleMember> members {
        {"kernel-log.txt", "a 10.0.0.7\nb 10.0.0.8\nc 10.0.0.7\n"}, {"snapshot.json", "{\"source\": \"10.0.0.8\"}"}};
    const QList<Redaction> plan = planRedactions(members, {});
    QCOMPARE(plan.size(), 2);
    QCOMPARE(plan.at(0).original, QStringLiteral("10.0.0.7"));
    QCOMPARE(plan.at(0).replacement, QStringLiteral("[ipv4-1]"));
    QCOMPARE(plan.at(0).count, 2);
    QCOMPARE(plan.at(0).where, (QStringList {"kernel-log.txt:1", "kernel-log.txt:3"}));
    QCOMPARE(plan.at(1).replacement, QStringLiteral("[ipv4-2]"));
    QCOMPARE(plan.at(1).where, (QStringList {"kernel-log.txt:2", "snapshot.json:1"}));
    const QList<BundleMember> out = applyRedactions(members, plan);
    QCOMPARE(out.at(0).data, QByteArray("a [ipv4-1]\nb [ipv4-2]\nc [ipv4-1]\n"));
    QCOMPARE(out.at(1).data, QByteArray("{\"source\": \"[ipv4-2]\"}"));
    // Describing the plan shows what and where, before anything is written.
    const QString shown = describeRedactions(plan);
    QVERIFY2(shown.contains("ipv4-address: 10.0.0.7 -> [ipv4-1]  (2 places: kernel-log.txt:1, kernel-log.txt:3)"),
        qPrintable(shown));
}

void TestRedaction::applyRemovesEveryOriginalAndKeepsJsonValid()
{
    Snapshot s;
    s.source = "fixture:/home/alice/roots/lab";
    ModuleInfo m;
    m.name = "kmr_victim";
    m.koPath = Fact::of("/home/alice/kmod/kmr_victim.ko");
    m.warnings << "seen on buildbox7 at 192.168.7.40";
    s.modules << m;
    const QList<BundleMember> members {{"snapshot.json", QJsonDocument(toJson(s)).toJson()}};
    const QList<Redaction> plan = planRedactions(members, labContext());
    QVERIFY(findOriginal(plan, "/home/alice"));
    QVERIFY(findOriginal(plan, "buildbox7"));
    QVERIFY(findOriginal(plan, "192.168.7.40"));
    const QList<BundleMember> out = applyRedactions(members, plan);
    const QString text = QString::fromUtf8(out.first().data);
    for (const Redaction &r : plan)
        QVERIFY2(!text.contains(r.original), qPrintable(r.original));
    Snapshot back;
    QString error;
    QVERIFY2(fromJson(QJsonDocument::fromJson(out.first().data).object(), &back, &error), qPrintable(error));
    QCOMPARE(back.modules.first().koPath.value, QStringLiteral("[home-1]/kmod/kmr_victim.ko"));
    QCOMPARE(back.modules.first().name, QStringLiteral("kmr_victim"));
}

void TestRedaction::fixtureBundleIsRedactedBeforeWriting()
{
    // The lab's real 6.1 capture: what it shows is what the user is asked to approve.
    CollectOptions o;
    o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
    o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
    o.modules = QStringList {"kmr_exitoops"};
    const BundleContents c = collectBundleContents(o);
    QVERIFY(c.hasKernelLog);
    QJsonObject parts;
    QList<BundleMember> members = bundleMembers(c, &parts);
    RedactionContext ctx;
    ctx.hostNames = {"kmrlab"}; // a host name as the export would read it from /proc/sys/kernel/hostname
    // The guest's captured log prints no MAC, IP or serial; plant one in a copy to see it go.
    members.append(
        BundleMember {"kernel-log-extra.txt", "[    3.1] virtio_net virtio0 kmrlab: MAC 52:54:00:12:34:56\n"});
    const QList<Redaction> plan = planRedactions(members, ctx);
    QVERIFY2(findOriginal(plan, "52:54:00:12:34:56"), qPrintable(describeRedactions(plan)));
    QVERIFY2(findOriginal(plan, "kmrlab"), qPrintable(describeRedactions(plan)));
    const QList<BundleMember> out = applyRedactions(members, plan);
    QCOMPARE(out.size(), members.size());
    QTemporaryDir dir;
    const QString file = dir.filePath("redacted.tar.gz");
    QString message;
    QVERIFY2(writeBundleArchive(file, out, manifestExtra(c, parts, true), &message), qPrintable(message));
    BundleContents back;
    BundleError error = BundleError::None;
    QVERIFY2(openBundle(file, &back, &error, &message), qPrintable(message));
    QVERIFY(back.manifest.value("redacted").toBool());
    QVERIFY(back.diagnosis("kmr_exitoops"));
    QCOMPARE(back.snapshot.modules.size(), c.snapshot.modules.size());
}

QTEST_GUILESS_MAIN(TestRedaction)
#include "tst_redaction.moc"
