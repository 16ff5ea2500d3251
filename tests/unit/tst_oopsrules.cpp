// SPDX-License-Identifier: GPL-2.0-or-later
// kernellog/oopsrules.h: the answers the title rules remember per frame name (the skip lists'
// verdicts, the stall anchors) must be the ones each list and each name has: a remembered answer
// must not leak to another stack spec, nor to another name that shares its beginning.
#include "kernellog/oopsrules.h"

#include <QTest>

using namespace kmr::kernellog;

namespace {

// The stack spec of the first format whose title pattern is `title`.
const rules::StackSpec &specOf(const QString &title)
{
    for (const rules::OopsGroup &g : rules::groups()) {
        for (const rules::OopsFormat &f : g.formats) {
            if (f.title.pattern() == title)
                return f.stack;
        }
    }
    qFatal("no format titled %s in the rules", qPrintable(title));
}

} // namespace

class TestOopsRules : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void skipVerdictsStayWithTheirSpec();
    void skipVerdictsStayWithTheirName();
    void stallAnchorOnceStripped();
    void framePrefixes_data();
    void framePrefixes();
};

void TestOopsRules::skipVerdictsStayWithTheirSpec()
{
    // "BUG: spinlock ..." skips "spin_", "_lock", "_unlock" on top of the global list; "kernel
    // BUG at" skips only "^skb_". Each asked in both orders, so that whichever answer is kept
    // first, the other spec still gets its own.
    const rules::StackSpec &spin = specOf(
        QStringLiteral("BUG: (spinlock|rwlock) (lockup suspected|already unlocked|recursion|cpu recursion|bad magic|"
                       "wrong owner|wrong CPU|trylock failure on UP)"));
    const rules::StackSpec &bug = specOf(QStringLiteral("kernel BUG at (.*)"));
    QVERIFY(spin.skips("my_driver_lock"));
    QVERIFY(!bug.skips("my_driver_lock"));
    QVERIFY(!bug.skips("my_driver_unlock"));
    QVERIFY(spin.skips("my_driver_unlock"));
    QVERIFY(bug.skips("skb_put"));
    QVERIFY(!spin.skips("skb_put"));
    // The global list applies to both.
    QVERIFY(spin.skips("__kasan_report"));
    QVERIFY(bug.skips("__kasan_report"));
}

void TestOopsRules::skipVerdictsStayWithTheirName()
{
    const rules::StackSpec &bug = specOf(QStringLiteral("kernel BUG at (.*)"));
    // "^down$" and "^kv?free$" match a whole name only; "readb$" its end.
    QVERIFY(bug.skips("down"));
    QVERIFY(!bug.skips("downgrade_mapping"));
    QVERIFY(bug.skips("kfree"));
    QVERIFY(!bug.skips("kfree_rcu_work"));
    QVERIFY(!bug.skips("ioreadb_x"));
    QVERIFY(bug.skips("ioreadb"));
    // Asked again, after the longer names: still their own answers.
    QVERIFY(bug.skips("down"));
    QVERIFY(!bug.skips("downgrade_mapping"));
}

void TestOopsRules::stallAnchorOnceStripped()
{
    // "__se_sys_listen" is an anchor ("^listen$") only once its prefix is stripped.
    QVERIFY(!rules::isStallAnchor(QStringLiteral("__se_sys_listen")));
    QVERIFY(rules::isStallAnchorOnceStripped(QStringLiteral("__se_sys_listen")));
    QVERIFY(rules::isStallAnchorOnceStripped(QStringLiteral("__se_sys_listen"))); // remembered
    QVERIFY(!rules::isStallAnchor(QStringLiteral("__se_sys_listen")));
    QVERIFY(!rules::isStallAnchorOnceStripped(QStringLiteral("__se_sys_listenx")));
    QVERIFY(!rules::isStallAnchorOnceStripped(QStringLiteral("__se_sys_liste")));
    QVERIFY(rules::isStallAnchorOnceStripped(QStringLiteral("process_one_work")));
    QVERIFY(!rules::isStallAnchorOnceStripped(QStringLiteral("my_driver_work")));
    // A name that is not Latin-1 is asked as toLatin1() gives it, and answered all the same.
    QVERIFY(rules::isStallAnchorOnceStripped(QStringLiteral("vfs_write\u2603")));
    // Answers are remembered by where a name's characters are: names made and dropped one after
    // the other (often at the same address) each get their own.
    for (int i = 0; i < 200; ++i) {
        const QString anchor = QString::fromLatin1("__se_sys_listen");
        QVERIFY(rules::isStallAnchorOnceStripped(anchor));
        QString other = QString::fromLatin1("__se_sys_listen");
        other[3] = QLatin1Char('x'); // "__sx_sys_listen"
        QVERIFY(!rules::isStallAnchorOnceStripped(other));
        QVERIFY(rules::isStallAnchorOnceStripped(anchor));
    }
}

// The longest syscall prefix is the one stripped, and only a whole one.
void TestOopsRules::framePrefixes_data()
{
    QTest::addColumn<QString>("frame");
    QTest::addColumn<QString>("stripped");
    QTest::newRow("longest of several") << QStringLiteral("__se_sys_listen") << QStringLiteral("listen");
    QTest::newRow("x64") << QStringLiteral("__x64_sys_ioctl") << QStringLiteral("sys_ioctl");
    QTest::newRow("compat") << QStringLiteral("compat_SyS_ioctl") << QStringLiteral("ioctl");
    QTest::newRow("ksys") << QStringLiteral("ksys_read") << QStringLiteral("read");
    QTest::newRow("not a whole prefix") << QStringLiteral("sysfs_remove") << QStringLiteral("sysfs_remove");
    QTest::newRow("the prefix alone") << QStringLiteral("sys_") << QString();
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("not Latin-1") << QStringLiteral("s\u2603s_x") << QStringLiteral("s\u2603s_x");
    // U+0173's low byte is 's': a prefix is compared character by character, not by bytes.
    QTest::newRow("wide character") << QStringLiteral("\u0173ys_read") << QStringLiteral("\u0173ys_read");
    QTest::newRow("prefix, then not Latin-1") << QStringLiteral("sys_\u2603") << QStringLiteral("\u2603");
}

void TestOopsRules::framePrefixes()
{
    QFETCH(QString, frame);
    QFETCH(QString, stripped);
    QCOMPARE(rules::stripFramePrefixes(frame), stripped);
    QCOMPARE(rules::framePrefixLength(frame), frame.size() - stripped.size());
}

QTEST_GUILESS_MAIN(TestOopsRules)
#include "tst_oopsrules.moc"
