// SPDX-License-Identifier: GPL-2.0-or-later
// The module_get/module_put line parser, the kallsyms resolver and the leak table, on lines
// captured in the lab (build/h-trace probes, Debian 6.1.0-56 and 6.12.117, kmr_refleak with
// `echo 3 > parameters/leak; echo 2 > parameters/balanced`).
#include "refcount/kallsymsresolver.h"
#include "refcount/leaktable.h"
#include "refcount/traceevent.h"

#include <QTest>

using namespace kmr;

namespace {
// 6.1.0-56, default format (%ps: no offset).
const QByteArray k61Default = R"(# tracer: nop
#
# entries-in-buffer/entries-written: 7/7   #P:1
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
#              | |         |   |||||     |         |
        probe.sh-118     [000] .N.1.    13.821947: module_get: kmr_refleak call_site=kmr_refleak_set_leak [kmr_refleak] refcnt=2
        probe.sh-118     [000] .N.1.    13.822326: module_get: kmr_refleak call_site=kmr_refleak_set_leak [kmr_refleak] refcnt=3
        probe.sh-118     [000] .N.1.    13.822344: module_get: kmr_refleak call_site=kmr_refleak_set_leak [kmr_refleak] refcnt=4
        probe.sh-118     [000] ...1.    13.824651: module_get: kmr_refleak call_site=kmr_refleak_balanced [kmr_refleak] refcnt=5
        probe.sh-118     [000] ...1.    13.824707: module_put: kmr_refleak call_site=kmr_refleak_set_balanced [kmr_refleak] refcnt=4
        probe.sh-118     [000] ...1.    13.824734: module_get: kmr_refleak call_site=kmr_refleak_balanced [kmr_refleak] refcnt=5
        probe.sh-118     [000] ...1.    13.824736: module_put: kmr_refleak call_site=kmr_refleak_set_balanced [kmr_refleak] refcnt=4
          insmod-141     [000] ...1.    16.393528: module_put: kmr_fresh call_site=do_init_module refcnt=1
)";
// 6.1.0-56, the helper's event probes on the same events (raw ip).
const QByteArray k61Eprobe
    = R"(       probe2.sh-119     [000] ...2.    63.902199: kmr_get: (module.module_get) ip=0xffffffffc0529081 refcnt=2 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.909677: kmr_get: (module.module_get) ip=0xffffffffc0529081 refcnt=3 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.909739: kmr_get: (module.module_get) ip=0xffffffffc0529081 refcnt=4 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.913875: kmr_get: (module.module_get) ip=0xffffffffc05290d1 refcnt=5 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.913957: kmr_put: (module.module_put) ip=0xffffffffc0529140 refcnt=4 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.913982: kmr_get: (module.module_get) ip=0xffffffffc05290d1 refcnt=5 name="kmr_refleak"
       probe2.sh-119     [000] ...2.    63.913989: kmr_put: (module.module_put) ip=0xffffffffc0529140 refcnt=4 name="kmr_refleak"
)";
const QByteArray k61Kallsyms = "ffffffffc0529177 t kmr_refleak_exit\t[kmr_refleak]\n"
                               "ffffffffc0529000 t kmr_refleak_grab\t[kmr_refleak]\n"
                               "ffffffffc0529020 t kmr_refleak_set_leak\t[kmr_refleak]\n"
                               "ffffffffc0529183 t kmr_refleak_set_leak.cold\t[kmr_refleak]\n"
                               "ffffffffc05290c0 t kmr_refleak_balanced\t[kmr_refleak]\n"
                               "ffffffffc05290f0 t kmr_refleak_set_balanced\t[kmr_refleak]\n"
                               "ffffffffc0529194 t kmr_refleak_set_balanced.cold\t[kmr_refleak]\n"
                               "ffffffffc0529177 t cleanup_module\t[kmr_refleak]\n"
                               "ffffffffc052a000 r __param_str_leak\t[kmr_refleak]\n";
// 6.12.117 with the instance's "fields" option.
const QByteArray k612Fields = "        probe.sh-162     [000] .....    25.453974: module_get: ip=0xffffffffc03b609d "
                              "(-1069850467) refcnt=0x5 (5) name=kmr_refleak\n";
} // namespace

class TestTraceParser : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void parsesDefaultLines()
    {
        TraceEventParser p;
        const QList<TraceEvent> ev = p.parse(k61Default);
        QCOMPARE(p.malformed(), 0);
        QCOMPARE(ev.size(), 8);
        const TraceEvent &e = ev.first();
        QCOMPARE(e.kind, TraceEvent::Kind::Get);
        QCOMPARE(e.task, QStringLiteral("probe.sh"));
        QCOMPARE(e.pid, 118);
        QCOMPARE(e.cpu, 0);
        QCOMPARE(e.timestampNs, 13821947000LL);
        QCOMPARE(e.module, QStringLiteral("kmr_refleak"));
        QCOMPARE(e.callSite, QStringLiteral("kmr_refleak_set_leak [kmr_refleak]"));
        QCOMPARE(e.ip, quint64(0));
        QCOMPARE(e.rawRefcnt, 2);
        // The kernel's counter includes MODULE_REF_BASE: after the first leak lsmod shows 1.
        QCOMPARE(e.lsmodRefcnt(), 1);
        QCOMPARE(ev.at(4).kind, TraceEvent::Kind::Put);
        QCOMPARE(ev.last().callSite, QStringLiteral("do_init_module"));
        QCOMPARE(ev.last().task, QStringLiteral("insmod"));
        // do_init_module drops the loader's reference: raw 1 is lsmod's 0.
        QCOMPARE(ev.last().lsmodRefcnt(), 0);
    }

    void parsesEprobeAndFieldsLines()
    {
        TraceEventParser p;
        QList<TraceEvent> ev = p.parse(k61Eprobe);
        QCOMPARE(p.malformed(), 0);
        QCOMPARE(ev.size(), 7);
        QCOMPARE(ev.first().ip, quint64(0xffffffffc0529081ULL));
        QCOMPARE(ev.first().module, QStringLiteral("kmr_refleak"));
        QCOMPARE(ev.at(4).kind, TraceEvent::Kind::Put);
        QCOMPARE(ev.at(4).rawRefcnt, 4);
        ev = p.parse(k612Fields);
        QCOMPARE(ev.size(), 1);
        QCOMPARE(ev.first().ip, quint64(0xffffffffc03b609dULL));
        QCOMPARE(ev.first().rawRefcnt, 5);
        QCOMPARE(ev.first().module, QStringLiteral("kmr_refleak"));
    }

    void taskNamesWithSpacesAndDashes()
    {
        TraceEventParser p;
        TraceEvent e;
        QVERIFY(p.parseLine(
            "  kworker/u2:1-my task-77 [001] d..1.   5.000001: module_put: m call_site=f+0x1/0x2 [m] refcnt=1", &e));
        QCOMPARE(e.task, QStringLiteral("kworker/u2:1-my task"));
        QCOMPARE(e.pid, 77);
        QCOMPARE(e.cpu, 1);
        QCOMPARE(e.callSite, QStringLiteral("f+0x1/0x2 [m]"));
    }

    void malformedLinesAreCountedNotCrashed_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::newRow("no refcnt") << QByteArray("t-1 [000] ..... 1.0: module_get: m call_site=f [m]");
        QTest::newRow("bad ts") << QByteArray("t-1 [000] ..... x.y: module_get: m call_site=f refcnt=1");
        QTest::newRow("no pid") << QByteArray("t [000] ..... 1.0: module_get: m call_site=f refcnt=1");
        QTest::newRow("bad ip") << QByteArray(
            "t-1 [000] ..... 1.0: kmr_get: (module.module_get) ip=zz refcnt=1 name=\"m\"");
        QTest::newRow("truncated") << QByteArray("t-1 [000] ..... 1.0: module_get: ");
    }
    void malformedLinesAreCountedNotCrashed()
    {
        QFETCH(QByteArray, line);
        TraceEventParser p;
        TraceEvent e;
        QVERIFY(!p.parseLine(line, &e));
        QCOMPARE(p.malformed(), 1);
        QVERIFY(!p.lastError().isEmpty());
        // Other events are not ours and not errors.
        QVERIFY(!p.parseLine("t-1 [000] ..... 1.0: sched_switch: prev_comm=a", &e));
        QCOMPARE(p.malformed(), 1);
    }

    void resolvesLikeTheKernelsHistogram()
    {
        // The same run's hist trigger (keys=ip.sym-offset) printed
        // kmr_refleak_set_leak+0x61/0xa0 and kmr_refleak_balanced+0x11/0x30.
        KallsymsResolver r;
        QString why;
        QVERIFY2(r.loadText(k61Kallsyms, &why), qPrintable(why));
        QCOMPARE(r.resolve(0xffffffffc0529081ULL), QStringLiteral("kmr_refleak_set_leak+0x61/0xa0 [kmr_refleak]"));
        QCOMPARE(r.resolve(0xffffffffc05290d1ULL), QStringLiteral("kmr_refleak_balanced+0x11/0x30 [kmr_refleak]"));
        QCOMPARE(r.resolve(0xffffffffc0529177ULL), QStringLiteral("kmr_refleak_exit+0x0/0xc [kmr_refleak]"));
        QCOMPARE(r.resolve(0x1000), QString());
    }

    void zeroAddressesSayRootIsNeeded()
    {
        KallsymsResolver r;
        QString why;
        QVERIFY(!r.loadText("0000000000000000 t kmr_refleak_grab\t[kmr_refleak]\n", &why));
        QVERIFY2(why.contains(QStringLiteral("root")), qPrintable(why));
    }

    void leakTableTopsTheLeakingSite()
    {
        TraceEventParser p;
        KallsymsResolver r;
        QString why;
        QVERIFY(r.loadText(k61Kallsyms, &why));
        QList<TraceEvent> ev = p.parse(k61Eprobe);
        for (TraceEvent &e : ev)
            e.callSite = r.resolve(e.ip);
        LeakTable t;
        t.add(ev);
        const QList<LeakRow> rows = t.rows();
        QCOMPARE(rows.size(), 3);
        QCOMPARE(rows.at(0).callSite, QStringLiteral("kmr_refleak_set_leak+0x61/0xa0 [kmr_refleak]"));
        QCOMPARE(rows.at(0).held, 3);
        QCOMPARE(rows.at(0).net(), 3);
        // The balanced path: its get (in kmr_refleak_balanced) is put back by a tail call that
        // the kernel reports in the caller: held 0 on both sites.
        for (int i = 1; i < 3; ++i)
            QCOMPARE(rows.at(i).held, 0);
        QCOMPARE(t.totalGets(), 5);
        QCOMPARE(t.totalPuts(), 2);
        QCOMPARE(t.lastLsmodRefcnt(), 3);
    }

    void putFromAnotherTaskReturnsTheBiggestHolder()
    {
        LeakTable t;
        auto ev = [](TraceEvent::Kind k, int pid, const char *site) {
            TraceEvent e;
            e.kind = k;
            e.pid = pid;
            e.callSite = QString::fromLatin1(site);
            e.rawRefcnt = 2;
            return e;
        };
        t.add(ev(TraceEvent::Kind::Get, 1, "open"));
        t.add(ev(TraceEvent::Kind::Get, 1, "open"));
        t.add(ev(TraceEvent::Kind::Get, 2, "probe"));
        t.add(ev(TraceEvent::Kind::Put, 9, "release"));
        t.add(ev(TraceEvent::Kind::Put, 9, "release"));
        t.add(ev(TraceEvent::Kind::Put, 9, "release"));
        t.add(ev(TraceEvent::Kind::Put, 9, "release")); // a reference older than the window
        QCOMPARE(t.putsOfOlderReferences(), 1);
        for (const LeakRow &r : t.rows())
            QCOMPARE(r.held, 0);
        QCOMPARE(t.rows().first().callSite, QStringLiteral("release")); // |net| 4
    }

    void formatRoundTrips()
    {
        TraceEventParser p;
        TraceEvent e;
        QVERIFY(p.parseLine(k612Fields, &e));
        e.callSite = QStringLiteral("kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]");
        TraceEvent back;
        QVERIFY(p.parseLine(formatTraceEvent(e), &back));
        QCOMPARE(back.callSite, e.callSite);
        QCOMPARE(back.timestampNs, e.timestampNs);
        QCOMPARE(back.pid, e.pid);
        QCOMPARE(back.rawRefcnt, e.rawRefcnt);
        QCOMPARE(back.module, e.module);
    }
};

QTEST_GUILESS_MAIN(TestTraceParser)
#include "tst_traceparser.moc"
