// SPDX-License-Identifier: GPL-2.0-or-later
// kernellog/oopstitle.h: the frame a report's title names, as syzkaller chooses it: for a hung
// task, the first frame holding an anchor (rtnl_lock, synchronize_*) or else the first frame
// holding none of the scheduling texts; for a stall, the frame before the first anchor.
#include "kernellog/oopsrules.h"
#include "kernellog/oopstitle.h"

#include <QTest>

using namespace kmr::kernellog;

namespace {

const rules::OopsGroup &groupOf(const char *header)
{
    for (const rules::OopsGroup &g : rules::groups()) {
        if (g.header == header)
            return g;
    }
    qFatal("no group %s in the rules", header);
}

// The title of a report made of `lines` (without their log prefix).
QString titleOf(const char *header, const QList<QByteArray> &lines)
{
    const QList<QByteArrayView> views(lines.begin(), lines.end());
    return detail::makeTitle(groupOf(header), views).title;
}

QList<QByteArray> hungTask(const QList<QByteArray> &frames)
{
    QList<QByteArray> lines {"INFO: task kworker/0:1:12 blocked for more than 120 seconds.",
        "      Not tainted 6.1.0 #1", "task:kworker/0:1 state:D stack:0 pid:12 ppid:2 flags:0x00004000",
        "Call Trace:", " <TASK>"};
    for (const QByteArray &f : frames)
        lines << " " + f + "+0x10/0x20";
    lines << " </TASK>";
    return lines;
}

} // namespace

class TestOopsTitle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hungTaskFrame_data();
    void hungTaskFrame();
    void stallFrame();
    void hungTaskHeaderOnTwoLines();
};

void TestOopsTitle::hungTaskFrame_data()
{
    QTest::addColumn<QList<QByteArray>>("frames");
    QTest::addColumn<QString>("title");
    QTest::newRow("scheduling frames skipped")
        << QList<QByteArray> {"__schedule", "schedule", "schedule_timeout", "__wait_for_common", "my_exit", "other"}
        << QStringLiteral("INFO: task hung in my_exit");
    QTest::newRow("rtnl_lock anchor named as it is") << QList<QByteArray> {"__schedule", "my_exit", "__mutex_lock",
        "rtnl_lock", "other"} << QStringLiteral("INFO: task hung in rtnl_lock");
    QTest::newRow("anchor inside a longer name, prefix stripped") << QList<QByteArray> {
        "schedule", "__se_sys_rtnl_lock_killable"} << QStringLiteral("INFO: task hung in rtnl_lock_killable");
    QTest::newRow("synchronize_srcu is named synchronize_rcu") << QList<QByteArray> {
        "schedule", "my_exit", "synchronize_srcu", "rtnl_lock"} << QStringLiteral("INFO: task hung in synchronize_rcu");
    QTest::newRow("the first anchor of a frame in list order") << QList<QByteArray> {
        "rtnl_lock_synchronize_net"} << QStringLiteral("INFO: task hung in rtnl_lock_synchronize_net");
    QTest::newRow("a skip text anywhere in the name") << QList<QByteArray> {"my_rwsem_helper", "kthread_worker_fn",
        "downgrade", "my_work"} << QStringLiteral("INFO: task hung in my_work");
    QTest::newRow("nothing but skipped frames")
        << QList<QByteArray> {"__schedule", "schedule"} << QStringLiteral("INFO: task hung in corrupted");
}

void TestOopsTitle::hungTaskFrame()
{
    QFETCH(QList<QByteArray>, frames);
    QFETCH(QString, title);
    QCOMPARE(titleOf("INFO:", hungTask(frames)), title);
}

// A soft lockup names the frame before the first stall anchor; a frame asked again (the same
// name in another report) gets the same answer.
void TestOopsTitle::stallFrame()
{
    const auto lockup = [](const QByteArray &anchor) {
        return QList<QByteArray> {"watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [a:1]",
            "RIP: 0010:my_spin+0x1/0x2", "Call Trace:", " my_spin+0x1/0x2", " my_caller+0x1/0x2",
            " " + anchor + "+0x1/0x2", " ret_from_fork+0x1/0x2"};
    };
    for (int round = 0; round < 3; ++round) {
        QCOMPARE(titleOf("BUG:", lockup("__x64_sys_ioctl")), QStringLiteral("BUG: soft lockup in my_caller"));
        QCOMPARE(titleOf("BUG:", lockup("my_other")), QStringLiteral("BUG: soft lockup in my_other"));
    }
}

// The hung task title may end on the line after the header ("INFO: task .*(?:\n.*)? blocked ...");
// when the header line starts no match, a later line's match gives the title.
void TestOopsTitle::hungTaskHeaderOnTwoLines()
{
    QList<QByteArray> split = hungTask({"schedule", "my_exit"});
    split[0] = "INFO: task kworker/0:1:12";
    split.insert(1, "  blocked for more than 120 seconds.");
    QCOMPARE(titleOf("INFO:", split), QStringLiteral("INFO: task hung in my_exit"));
    QList<QByteArray> later = hungTask({"schedule", "my_exit"});
    later[0] = "INFO: task kworker/0:1:12 is slow";
    later.insert(1, "nothing here");
    later.insert(2, "INFO: task kworker/0:2:13 blocked for more than 120 seconds.");
    QCOMPARE(titleOf("INFO:", later), QStringLiteral("INFO: task hung in my_exit"));
    QList<QByteArray> none = later;
    none[2] = "INFO: task kworker/0:2:13 was fine.";
    QCOMPARE(titleOf("INFO:", none), QStringLiteral("INFO: task kworker/NUM:NUM:NUM is slow"));
}

QTEST_GUILESS_MAIN(TestOopsTitle)
#include "tst_oopstitle.moc"
