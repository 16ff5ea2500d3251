// SPDX-License-Identifier: GPL-2.0-or-later
// The OopsExtractor on real lab captures (module attribution on Debian's 6.1 and 6.12 kernels),
// on hand-checked reports, and against the title conventions of syzkaller.
#include "kernellog/dmesgparser.h"
#include "kernellog/kernellogjson.h"
#include "kernellog/kmsgreader.h"
#include "kernellog/oopsextractor.h"
#include "kernellog/oopstitle.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace kmr::kernellog;

namespace {

QByteArray fixture(const QString &name)
{
    QFile f(QStringLiteral(KMR_FIXTURES "/kmsg/") + name);
    if (!f.open(QIODevice::ReadOnly))
        qFatal("fixture %s is missing: %s", qPrintable(name), qPrintable(f.errorString()));
    return f.readAll();
}

// Every form of a capture: dmesg text, the serial console, and /dev/kmsg records.
QList<OopsExcerpt> extractAnyForm(const QString &name)
{
    if (name.endsWith(QLatin1String(".kmsg"))) {
        KernelLogError error;
        const KernelLog log = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/") + name, &error);
        if (error != KernelLogError::None)
            qFatal("cannot read %s", qPrintable(name));
        return OopsExtractor::extract(log);
    }
    return OopsExtractor::extractFromText(fixture(name));
}

// Every dmesg fixture, twice: a log long enough for many chunks, with reports at their edges.
QByteArray allFixtures()
{
    QByteArray text;
    const QStringList names = QDir(QStringLiteral(KMR_FIXTURES "/kmsg")).entryList({QStringLiteral("*.txt")});
    if (names.size() < 19)
        qFatal("the dmesg fixtures in tests/fixtures/kmsg are missing");
    for (int round = 0; round < 2; ++round) {
        for (const QString &name : names)
            text += fixture(name);
    }
    return text;
}

// A report as text, with every line number it holds (the parallel extraction counts them anew).
void formatReport(const OopsExcerpt &e, QByteArray &out)
{
    out += e.title.toUtf8() + ' ' + QByteArray::number(e.firstLine) + '-' + QByteArray::number(e.lastLine) + ':';
    for (const int line : e.lineIndexes)
        out += ' ' + QByteArray::number(line);
    for (const OopsFrame &f : e.frames)
        out += " f" + QByteArray::number(f.line);
    out += '\n';
}

} // namespace

class TestOopsExtractor : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void attributesLabOopses_data();
    void attributesLabOopses();
    void wholeBootLogHasEveryReport();
    void warningWithModuleFrames();
    void framesAsPrinted();
    void longReportEndsAtItsLastFrameOrTheCap_data();
    void longReportEndsAtItsLastFrameOrTheCap();
    void leanListingKeepsWhatItPrints();
    void chunksOnThreadsGiveTheSameReports_data();
    void chunksOnThreadsGiveTheSameReports();
    void formattedOnThreadsInLogOrder_data() { chunksOnThreadsGiveTheSameReports_data(); }
    void formattedOnThreadsInLogOrder();
    void hungTaskNamesTheBlockedExit();
    void truncatedReportIsMarked();
    void followsOneCallerThroughInterleavedLines();
    void takesEveryCpusLinesAfterAnNmiBacktrace();
    void gapInsideReportMarksItTruncated();
    void survivesBytesThatAreNotUtf8();
    void recordsAndTextAgree();
    void titles_data();
    void titles();
    void sanitizedTitles_data();
    void sanitizedTitles();
    void sanitizedTitlesRememberedRightly();
    void noCrashInOrdinaryLog();
    void implicatedModulesOrder();
    void jsonRoundTrip();
};

void TestOopsExtractor::attributesLabOopses_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("title");
    QTest::addColumn<QString>("module");
    QTest::addColumn<QString>("taint");

    // Captured by the lab (tests/vm/capture-fixtures) from kmod/testmods on Debian 12's kernels.
    const QString nullDeref = QStringLiteral("BUG: unable to handle kernel NULL pointer dereference in ");
    for (const char *series : {"6.1", "6.12"}) {
        for (const char *form : {".txt", ".serial.txt", ".kmsg"}) {
            const QString s = QString::fromLatin1(series), f = QString::fromLatin1(form);
            QTest::addRow("initoops-%s%s", series, form)
                << QStringLiteral("initoops-") + s + f << nullDeref + QStringLiteral("kmr_initoops_init")
                << QStringLiteral("kmr_initoops") << QStringLiteral("DOE");
            QTest::addRow("exitoops-%s%s", series, form)
                << QStringLiteral("exitoops-") + s + f << nullDeref + QStringLiteral("kmr_exitoops_exit")
                << QStringLiteral("kmr_exitoops") << QStringLiteral("OE");
            QTest::addRow("exithang-%s%s", series, form)
                << QStringLiteral("exithang-") + s + f << QStringLiteral("INFO: task hung in kmr_exithang_exit")
                << QStringLiteral("kmr_exithang") << QStringLiteral("OE");
        }
    }
}

void TestOopsExtractor::attributesLabOopses()
{
    QFETCH(QString, file);
    const QList<OopsExcerpt> found = extractAnyForm(file);
    QCOMPARE(found.size(), 1);
    const OopsExcerpt &e = found.first();
    QTEST(e.title, "title");
    QFETCH(QString, module);
    QCOMPARE(implicatedModules(e), QStringList {module}); // nothing else: "? " frames implicate nobody
    QCOMPARE(e.faultingModule, module);
    QTEST(e.taint, "taint");
    QVERIFY(!e.truncated);
    QVERIFY(e.modulesLinkedIn.contains(module) || e.kind.startsWith(QLatin1String("INFO: task hung")));
    // The lab's marker lines are not part of the report.
    for (const QString &l : e.lines)
        QVERIFY2(!l.contains(QLatin1String("kmr-lab: mark")), qPrintable(l));
    QCOMPARE(excerptsImplicating(found, module).size(), 1);
    QCOMPARE(excerptsImplicating(found, QStringLiteral("kmr_victim")).size(), 0);
}

void TestOopsExtractor::wholeBootLogHasEveryReport()
{
    for (const char *name : {"all-6.1.txt", "all-6.1.kmsg", "all-6.12.txt", "all-6.12.kmsg"}) {
        const QList<OopsExcerpt> found = extractAnyForm(QString::fromLatin1(name));
        QStringList modules;
        for (const OopsExcerpt &e : found)
            modules << e.faultingModule;
        QCOMPARE(modules,
            (QStringList {
                QStringLiteral("kmr_exithang"), QStringLiteral("kmr_exitoops"), QStringLiteral("kmr_initoops")}));
        QVERIFY(found[0].lastLine < found[1].firstLine);
        QVERIFY(found[1].lastLine < found[2].firstLine);
    }
}

void TestOopsExtractor::warningWithModuleFrames()
{
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-warning-6.12.txt")));
    QCOMPARE(found.size(), 1);
    const OopsExcerpt &e = found.first();
    QCOMPARE(e.title, QStringLiteral("WARNING in kmr_victim_put"));
    QCOMPARE(e.kind, QStringLiteral("WARNING"));
    QCOMPARE(e.faultingFunction, QStringLiteral("kmr_victim_put"));
    QCOMPARE(e.faultingModule, QStringLiteral("kmr_victim"));
    QCOMPARE(implicatedModules(e), (QStringList {QStringLiteral("kmr_victim"), QStringLiteral("kmr_provider")}));
    QCOMPARE(e.taint, QStringLiteral("OE"));
    QCOMPARE(e.modulesLinkedIn.mid(0, 3),
        (QStringList {QStringLiteral("kmr_victim"), QStringLiteral("kmr_provider"), QStringLiteral("overlay")}));
    QVERIFY(!e.modulesLinkedIn.contains(QStringLiteral("kmr_fresh"))); // [last unloaded: ...] is not loaded
    // From "[ cut here ]" to "---[ end trace ]---", nothing after.
    QVERIFY(e.lines.first().contains(QLatin1String("[ cut here ]")));
    QVERIFY(e.lines.last().contains(QLatin1String("---[ end trace")));
    QCOMPARE(e.firstLine, 1);
    // Frames keep their annotations; "? " ones are marked questionable.
    int questionable = 0;
    bool provider = false;
    for (const OopsFrame &f : e.frames) {
        questionable += f.questionable ? 1 : 0;
        provider = provider
            || (f.function == QLatin1String("kmr_provider_detach") && f.module == QLatin1String("kmr_provider")
                && f.offset == 0x58 && f.size == 0x90);
    }
    QCOMPARE(questionable, 7);
    QVERIFY(provider);
}

// Every field of a frame as the kernel printed it: hex with leading zeros or too long for 64 bits
// (read as 0, as QByteArray::toULongLong does), a module's build id, "? " and "[<pc>]" prefixes,
// frames without a module among module ones. The taint comes from the "Tainted: " after a
// command name holding a 'T', the faulting module from a RIP line with a build id.
void TestOopsExtractor::framesAsPrinted()
{
    const QByteArray text = QByteArrayLiteral(
        "[   12.000001] kmr_victim: loading out-of-tree module taints kernel.\n"
        "[   12.345678] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
        "[   12.345679] #PF: supervisor read access in kernel mode\n"
        "[   12.345680] #PF: error_code(0x0000) - not-present page\n"
        "[   12.345681] Oops: 0000 [#1] PREEMPT SMP NOPTI\n"
        "[   12.345682] CPU: 1 PID: 77 Comm: Trinity-T Tainted: G           OE      6.1.0-56-amd64 #1  Debian "
        "6.1.158-1\n"
        "[   12.345683] Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014\n"
        "[   12.345684] RIP: 0010:kmr_victim_read+0x0000000000000012/0x40 [kmr_victim 0123abcd]\n"
        "[   12.345685] Code: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
        "[   12.345686] RSP: 0018:ffffb1c0c03bfe58 EFLAGS: 00010246\n"
        "[   12.345687] Call Trace:\n"
        "[   12.345688]  <TASK>\n"
        "[   12.345689]  kmr_victim_read+0x12/0x40 [kmr_victim]\n"
        "[   12.345690]  kmr_victim_store.isra.0+0x2A/0x6F [kmr_victim]\n"
        "[   12.345691]  ? kmr_provider_get+0x10000000000000000/0x90 [kmr_provider]\n"
        "[   12.345692]  [<ffffffff81234567>] kmr_provider_detach+0x58/0x90 [kmr_provider 89abcdef]\n"
        "[   12.345693]  vfs_read+0x0/0x0000000000000000000\n"
        "[   12.345694]  ksys_read+0x65/0xe0\n"
        "[   12.345695]  do_syscall_64+0x58/0xc0\n"
        "[   12.345696]  </TASK>\n"
        "[   12.345697] Modules linked in: kmr_victim(OE) kmr_provider(OE) overlay [last unloaded: kmr_fresh(OE)]\n"
        "[   12.345698] CR2: 0000000000000008\n"
        "[   12.345699] ---[ end trace 0000000000000000 ]---\n");
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(text);
    QCOMPARE(found.size(), 1);
    const OopsExcerpt &e = found.first();
    QCOMPARE(e.faultingFunction, QStringLiteral("kmr_victim_read"));
    QCOMPARE(e.faultingModule, QStringLiteral("kmr_victim"));
    QCOMPARE(e.taint, QStringLiteral("OE"));
    QCOMPARE(e.modulesLinkedIn,
        (QStringList {QStringLiteral("kmr_victim"), QStringLiteral("kmr_provider"), QStringLiteral("overlay")}));
    struct Want {
        const char *function;
        quint64 offset, size;
        const char *module;
        bool questionable;
        int line;
    };
    const Want want[] = {
        {"kmr_victim_read", 0x12, 0x40, "kmr_victim", false, 12},
        {"kmr_victim_store.isra.0", 0x2a, 0x6f, "kmr_victim", false, 13},
        {"kmr_provider_get", 0, 0x90, "kmr_provider", true, 14},
        {"kmr_provider_detach", 0x58, 0x90, "kmr_provider", false, 15},
        {"vfs_read", 0, 0, "", false, 16},
        {"ksys_read", 0x65, 0xe0, "", false, 17},
        {"do_syscall_64", 0x58, 0xc0, "", false, 18},
    };
    QCOMPARE(e.frames.size(), qsizetype(std::size(want)));
    for (qsizetype i = 0; i < e.frames.size(); ++i) {
        const OopsFrame &f = e.frames[i];
        const Want &w = want[i];
        QCOMPARE(f.function, QLatin1String(w.function));
        QCOMPARE(f.offset, w.offset);
        QCOMPARE(f.size, w.size);
        QCOMPARE(f.module, QLatin1String(w.module));
        QCOMPARE(f.questionable, w.questionable);
        QCOMPARE(f.line, w.line);
    }
}

// A report whose trace gives way to ordinary messages ends 8 messages before they make it
// stop, and no excerpt is longer than 400 lines, wherever the trace ends around that cap.
void TestOopsExtractor::longReportEndsAtItsLastFrameOrTheCap_data()
{
    QTest::addColumn<int>("frames");
    QTest::addColumn<int>("lines"); // the excerpt's
    // Line 0 is the header, 1 "Call Trace:", then the frames, then ordinary messages.
    QTest::newRow("short trace") << 20 << 22;
    QTest::newRow("ends just under the cap") << 397 << 399;
    QTest::newRow("ends at the cap") << 398 << 400;
    QTest::newRow("ends past the cap") << 405 << 400;
    QTest::newRow("no end in the window") << 1500 << 400;
}

void TestOopsExtractor::longReportEndsAtItsLastFrameOrTheCap()
{
    QFETCH(int, frames);
    QFETCH(int, lines);
    QByteArray text = "[    1.000000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
                      "[    1.000001] Call Trace:\n";
    for (int i = 0; i < frames; ++i)
        text += "[    1.000002]  kmr_victim_step" + QByteArray::number(i) + "+0x1a/0x30 [kmr_victim]\n";
    for (int i = 0; i < 20; ++i)
        text += "[    1.000003] an ordinary message " + QByteArray::number(i) + "\n";
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(text);
    QCOMPARE(found.size(), 1);
    const OopsExcerpt &e = found.first();
    QCOMPARE(e.lineIndexes.size(), qsizetype(lines));
    QCOMPARE(e.firstLine, 0);
    QCOMPARE(e.lastLine, lines - 1);
    QCOMPARE(e.frames.size(), qsizetype(std::min(frames, lines - 2)));
}

// kmodrescue-cli's text listing asks for neither lines nor frame names and offsets: everything it prints is
// the same as with them, in the same order, delivered one report at a time.
void TestOopsExtractor::leanListingKeepsWhatItPrints()
{
    for (const char *name : {"hand-warning-6.12.txt", "hand-hungtask-6.1.txt", "all-6.12.txt"}) {
        const QByteArray text = fixture(QString::fromLatin1(name));
        const QList<OopsExcerpt> full = OopsExtractor::extractFromText(text);
        OopsExtractor::Options lean;
        lean.keepLines = false;
        lean.frameFunctions = false;
        lean.frameOffsets = false;
        QList<OopsExcerpt> streamed;
        OopsExtractor::extractFromText(text, lean, [&](OopsExcerpt &&e) { streamed.append(std::move(e)); });
        QCOMPARE(streamed.size(), full.size());
        for (qsizetype i = 0; i < full.size(); ++i) {
            const OopsExcerpt &f = full[i], &l = streamed[i];
            QCOMPARE(l.title, f.title);
            QCOMPARE(l.firstLine, f.firstLine);
            QCOMPARE(l.lastLine, f.lastLine);
            QCOMPARE(l.faultingFunction, f.faultingFunction);
            QCOMPARE(l.faultingModule, f.faultingModule);
            QCOMPARE(implicatedModules(l), implicatedModules(f));
            QCOMPARE(l.taint, f.taint);
            QCOMPARE(l.truncatedWhy, f.truncatedWhy);
            QVERIFY(l.lines.isEmpty());
            QCOMPARE(l.frames.size(), f.frames.size());
            for (qsizetype k = 0; k < l.frames.size(); ++k) {
                const OopsFrame &a = l.frames[k], &b = f.frames[k];
                QVERIFY(a.function.isEmpty() && a.offset == 0 && a.size == 0);
                QCOMPARE(a.module, b.module);
                QCOMPARE(a.questionable, b.questionable);
                QCOMPARE(a.line, b.line);
            }
        }
    }
}

// kmodrescue-cli oops reads a large log in chunks on several threads. Every report, every field of
// it and their order must be what one scan of the whole log gives: chunk edges land inside
// reports, between a report and the "[ cut here ]" before it, and inside other CPUs' lines.
void TestOopsExtractor::chunksOnThreadsGiveTheSameReports_data()
{
    QTest::addColumn<int>("threads");
    QTest::addColumn<int>("chunkBytes");
    QTest::newRow("2 threads, 300-byte chunks") << 2 << 300;
    QTest::newRow("4 threads, 1 KiB chunks") << 4 << 1024;
    QTest::newRow("3 threads, 7 KiB chunks") << 3 << 7 * 1024;
    QTest::newRow("2 threads, 64 KiB chunks") << 2 << 64 * 1024;
}

void TestOopsExtractor::chunksOnThreadsGiveTheSameReports()
{
    QFETCH(int, threads);
    QFETCH(int, chunkBytes);
    const QByteArray text = allFixtures();
    const QList<OopsExcerpt> one = OopsExtractor::extractFromText(text);
    QVERIFY2(one.size() >= 46, qPrintable(QString::number(one.size())));
    OopsExtractor::Options options;
    options.threads = threads;
    options.chunkBytes = chunkBytes;
    QList<OopsExcerpt> many;
    OopsExtractor::extractFromText(text, options, [&](OopsExcerpt &&e) { many.append(std::move(e)); });
    QCOMPARE(many.size(), one.size());
    for (qsizetype i = 0; i < one.size(); ++i) {
        QCOMPARE(many[i].title, one[i].title);
        QCOMPARE(many[i].lineIndexes, one[i].lineIndexes);
        QVERIFY2(many[i] == one[i], qPrintable(QStringLiteral("report %1 differs: %2").arg(i).arg(one[i].title)));
    }

    // Records too, with lost records (gaps) among them: a report with one inside is truncated.
    KernelLog records;
    const QStringList kmsgs = QDir(QStringLiteral(KMR_FIXTURES "/kmsg")).entryList({QStringLiteral("*.kmsg")});
    for (int round = 0; round < 2; ++round) {
        for (const QString &name : kmsgs) {
            KernelLogError error;
            records += readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/") + name, &error);
            QCOMPARE(int(error), int(KernelLogError::None));
        }
    }
    const QList<OopsExcerpt> oneFromRecords = OopsExtractor::extract(records);
    const bool gapInside = std::any_of(oneFromRecords.begin(), oneFromRecords.end(),
        [](const OopsExcerpt &e) { return e.truncatedWhy.contains(QLatin1String("dropped")); });
    QVERIFY2(gapInside, "the .kmsg fixtures have no report with lost records inside any more");
    QCOMPARE(OopsExtractor::extract(records, options), oneFromRecords);
}

// kmodrescue-cli's listing has each report turned into text on the thread that found it: the
// texts come in log order, each the one its report gives, with the lines of the whole log; the
// last line of the log has no newline.
void TestOopsExtractor::formattedOnThreadsInLogOrder()
{
    QFETCH(int, threads);
    QFETCH(int, chunkBytes);
    QByteArray text = allFixtures();
    while (text.endsWith('\n'))
        text.chop(1);
    QByteArray expected;
    const QList<OopsExcerpt> one = OopsExtractor::extractFromText(text);
    QVERIFY2(one.size() >= 46, qPrintable(QString::number(one.size())));
    for (const OopsExcerpt &e : one)
        formatReport(e, expected);
    OopsExtractor::Options options;
    options.threads = threads;
    options.chunkBytes = chunkBytes;
    QByteArray got;
    int texts = 0;
    OopsExtractor::extractFromText(text, options, &formatReport, [&](QByteArrayView report) {
        QVERIFY(report.endsWith('\n') && report.count('\n') == 1); // one report per call
        got += report;
        ++texts;
    });
    QCOMPARE(texts, one.size());
    QCOMPARE(got, expected);
}

void TestOopsExtractor::hungTaskNamesTheBlockedExit()
{
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-hungtask-6.1.txt")));
    QCOMPARE(found.size(), 1);
    QCOMPARE(found[0].title, QStringLiteral("INFO: task hung in kmr_exithang_exit"));
    QCOMPARE(found[0].altTitles, QStringList {QStringLiteral("hang in kmr_exithang_exit")});
    QCOMPARE(found[0].faultingModule, QStringLiteral("kmr_exithang"));
    QVERIFY(found[0].lines.last().contains(QLatin1String("</TASK>"))); // the next lab marker is left out
}

void TestOopsExtractor::truncatedReportIsMarked()
{
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-truncated-6.1.txt")));
    QCOMPARE(found.size(), 1);
    QVERIFY(found[0].truncated);
    QVERIFY(found[0].truncatedWhy.contains(QLatin1String("call trace")));
    // What was printed is still used: the faulting IP names the module.
    QCOMPARE(
        found[0].title, QStringLiteral("BUG: unable to handle kernel NULL pointer dereference in kmr_initoops_init"));
    QCOMPARE(found[0].faultingModule, QStringLiteral("kmr_initoops"));
}

void TestOopsExtractor::followsOneCallerThroughInterleavedLines()
{
    const QList<OopsExcerpt> found
        = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-interleaved-callers.txt")));
    QCOMPARE(found.size(), 1);
    const OopsExcerpt &e = found.first();
    QCOMPARE(e.callerId, QStringLiteral("T170"));
    QCOMPARE(implicatedModules(e), QStringList {QStringLiteral("kmr_initoops")}); // not e1000, not [nonexistent]
    for (const QString &l : e.lines)
        QVERIFY2(l.contains(QLatin1String("T170]")), qPrintable(l));
    QCOMPARE(e.firstLine, 1);
    QCOMPARE(e.lastLine, 21);
    QVERIFY(!e.lineIndexes.contains(2)); // the other CPU's line in between
    QCOMPARE(e.frames.size(), 5);
}

// A hung task report from khungtaskd goes on with the NMI backtraces of the other CPUs: their lines
// are the report's, the lines of other tasks printed in between (another report, other messages)
// are not.
void TestOopsExtractor::takesEveryCpusLinesAfterAnNmiBacktrace()
{
    const QByteArray text = "[  100.000000][ T1040] INFO: task kworker/0:1:17 blocked for more than 143 seconds.\n"
                            "[  100.000001][ T1040]       Not tainted 6.1.0 #1\n"
                            "[  100.000002][ T1040] task:kworker/0:1     state:D stack:0     pid:17    ppid:2\n"
                            "[  100.000003][ T1040] Call Trace:\n"
                            "[  100.000005][ T1040]  __schedule+0x1/0x2\n"
                            "[  100.000006][ T1040]  schedule+0x1/0x2\n"
                            "[  100.000007][ T1040]  kmr_hang_worker+0x1/0x2 [kmr_hang]\n"
                            "[  100.000009][ T1040] NMI backtrace for cpu 0\n"
                            "[  100.000010][ T1040] Sending NMI from CPU 0 to CPUs 1:\n"
                            "[  100.000011][ T2000] BUG: kernel NULL pointer dereference, address: 0000000000000008\n"
                            "[  100.000012][    C1] NMI backtrace for cpu 1\n"
                            "[  100.000013][ T2000] #PF: supervisor read access in kernel mode\n"
                            "[  100.000014][ T2000] #PF: error_code(0x0000) - not-present page\n"
                            "[  100.000015][    C1] CPU: 1 PID: 0 Comm: swapper/1 Not tainted 6.1.0 #1\n"
                            "[  100.000016][ T2000] Oops: 0000 [#1] PREEMPT SMP\n"
                            "[  100.000017][ T3000] an unrelated message\n"
                            "[  100.000018][    C1] RIP: 0010:kmr_spin+0x1/0x2 [kmr_spin]\n"
                            "[  100.000019][ T2000] RIP: 0010:kmr_null_deref+0x1/0x2 [kmr_null]\n"
                            "[  100.000020][ T3000] another unrelated message\n"
                            "[  100.000021][    C1] Call Trace:\n"
                            "[  100.000022][    C1]  <IRQ>\n"
                            "[  100.000023][ T2000] Call Trace:\n"
                            "[  100.000024][    C1]  kmr_spin_caller+0x1/0x2 [kmr_spin]\n"
                            "[  100.000025][ T2000]  kmr_null_caller+0x1/0x2 [kmr_null]\n"
                            "[  100.000026][    C1]  </IRQ>\n"
                            "[  100.000027][ T1040] Kernel panic - not syncing: hung_task: blocked tasks\n";
    const QList<QByteArray> lines = text.split('\n');
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(text);
    QCOMPARE(found.size(), 2);
    const OopsExcerpt &hung = found[0];
    QCOMPARE(hung.callerId, QStringLiteral("T1040"));
    QCOMPARE(hung.lineIndexes, (QList<int> {0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 13, 16, 19, 20, 22, 24, 25}));
    QCOMPARE(implicatedModules(hung), (QStringList {QStringLiteral("kmr_spin"), QStringLiteral("kmr_hang")}));
    const OopsExcerpt &null = found[1];
    QCOMPARE(null.callerId, QStringLiteral("T2000"));
    QCOMPARE(null.title, QStringLiteral("BUG: unable to handle kernel NULL pointer dereference in kmr_null_deref"));
    for (const int i : null.lineIndexes)
        QVERIFY2(lines[i].contains("T2000]"), lines[i].constData());
}

void TestOopsExtractor::gapInsideReportMarksItTruncated()
{
    const KernelLog log = readKmsg(QStringLiteral(KMR_FIXTURES "/kmsg/hand-escapes-gap.kmsg"));
    const QList<OopsExcerpt> found = OopsExtractor::extract(log);
    QCOMPARE(found.size(), 1);
    QVERIFY(found[0].truncated);
    QVERIFY(found[0].truncatedWhy.contains(QLatin1String("dropped")));
    QCOMPARE(found[0].faultingModule, QStringLiteral("kmr_initoops"));
    // Lines are record indexes.
    QCOMPARE(found[0].firstLine, 3);
    QVERIFY(log.at(found[0].firstLine).message.startsWith(QLatin1String("BUG:")));
}

void TestOopsExtractor::survivesBytesThatAreNotUtf8()
{
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-nonutf8.txt")));
    QCOMPARE(found.size(), 1);
    QCOMPARE(
        found[0].title, QStringLiteral("BUG: unable to handle kernel NULL pointer dereference in kmr_victim_read"));
    QVERIFY(found[0].lines.join(QLatin1Char('\n')).contains(QChar(0xfffd)));
}

void TestOopsExtractor::recordsAndTextAgree()
{
    const QByteArray text = fixture(QStringLiteral("all-6.1.txt"));
    const QList<OopsExcerpt> fromText = OopsExtractor::extractFromText(text);
    const QList<OopsExcerpt> fromRecords = OopsExtractor::extract(parseDmesgText(text));
    QCOMPARE(fromRecords.size(), fromText.size());
    for (qsizetype i = 0; i < fromText.size(); ++i) {
        QCOMPARE(fromRecords[i].title, fromText[i].title);
        QCOMPARE(fromRecords[i].firstLine, fromText[i].firstLine);
        QCOMPARE(fromRecords[i].lastLine, fromText[i].lastLine);
        QCOMPARE(implicatedModules(fromRecords[i]), implicatedModules(fromText[i]));
    }
}

// What changes from run to run leaves a title, as syzkaller does it, so titles compare.
void TestOopsExtractor::sanitizedTitles_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("sanitized");
    QTest::newRow("offsets") << QStringLiteral("WARNING in foo_bar+0x1a/0x30") << QStringLiteral("WARNING in foo_bar");
    QTest::newRow("address and count") << QStringLiteral(
        "BUG: Dentry ffff888012345678 still in use (1) [unmount of tmpfs tmpfs]")
                                       << QStringLiteral(
                                              "BUG: Dentry ADDR still in use (NUM) [unmount of tmpfs tmpfs]");
    QTest::newRow("executor") << QStringLiteral("INFO: task syz-executor.3:1234 blocked")
                              << QStringLiteral("INFO: task syz-executor blocked");
    QTest::newRow("source line") << QStringLiteral("WARNING at net/core/dev.c:1234 in x")
                                 << QStringLiteral("WARNING at net/core/dev.c:LINE in x");
    QTest::newRow("digits in names stay")
        << QStringLiteral("INFO: task hung in p9_fd_close") << QStringLiteral("INFO: task hung in p9_fd_close");
    QTest::newRow("number after a non-ASCII letter")
        << QStringLiteral("x \u00e95 y CPU#3 10.0.2.15 12345678") << QStringLiteral("x NUM y CPU IP ADDR");
}

void TestOopsExtractor::sanitizedTitles()
{
    QFETCH(QString, raw);
    QFETCH(QString, sanitized);
    QCOMPARE(kmr::kernellog::detail::sanitizeTitle(raw), sanitized);
    QCOMPARE(kmr::kernellog::detail::sanitizeTitle(raw), sanitized); // the answer remembered
}

// The answers are remembered per title: titles that differ by one character keep their own
// answers, and so does a title asked again after the memory was full and cleared.
void TestOopsExtractor::sanitizedTitlesRememberedRightly()
{
    using kmr::kernellog::detail::sanitizeTitle;
    const auto raw = [](qsizetype i) { return QStringLiteral("WARNING in f%1_x+0x1a/0x30 (%1)").arg(i); };
    const auto want = [](qsizetype i) { return QStringLiteral("WARNING in f%1_x (NUM)").arg(i); };
    QCOMPARE(sanitizeTitle(QStringLiteral("BUG: x 12")), QStringLiteral("BUG: x NUM"));
    QCOMPARE(sanitizeTitle(QStringLiteral("BUG: x 1a")), QStringLiteral("BUG: x 1a"));
    QCOMPARE(sanitizeTitle(QStringLiteral("BUG: x 12 ")), QStringLiteral("BUG: x NUM"));
    for (qsizetype i = 0; i < kmr::kernellog::detail::kSanitizedTitlesKept + 10; ++i)
        QCOMPARE(sanitizeTitle(raw(i)), want(i));
    for (qsizetype i = 0; i < 20; ++i)
        QCOMPARE(sanitizeTitle(raw(i)), want(i));
    QCOMPARE(sanitizeTitle(QStringLiteral("BUG: x 1a")), QStringLiteral("BUG: x 1a"));
}

void TestOopsExtractor::titles_data()
{
    QTest::addColumn<QByteArray>("log");
    QTest::addColumn<QString>("title");

    // "BUG:" with nothing after it on its line is syzkaller's damaged report, found in the bytes:
    // after text that is not ASCII, and not when the header line says more.
    QTest::newRow("bare BUG: after non-ASCII text")
        << QByteArray("[ 1.0] \xc3\xa9t\xc3\xa9 BUG: \t \n[ 1.1] Call Trace:\n[ 1.1]  foo+0x1/0x2\n")
        << QStringLiteral("BUG: corrupted");
    QTest::newRow("BUG: with text, then a bare BUG:")
        << QByteArray("[ 1.0] BUG: weird x\n[ 1.1] BUG:\n[ 1.1] Call Trace:\n") << QStringLiteral("BUG: weird x");
    QTest::newRow("page fault, 6.x wording")
        << QByteArray("[ 1.0] BUG: unable to handle page fault for address: ffffffffc0a2b000\n"
                      "[ 1.0] #PF: supervisor read access in kernel mode\n"
                      "[ 1.0] RIP: 0010:my_oops_init+0x15/0x1000 [my_oops]\n"
                      "[ 1.0] Call Trace:\n[ 1.0]  do_one_initcall+0x59/0x220\n")
        << QStringLiteral("BUG: unable to handle kernel paging request in my_oops_init");
    QTest::newRow("general protection fault")
        << QByteArray(
               "general protection fault, probably for non-canonical address 0xdead: 0000 [#1] SMP\n"
               "RIP: 0010:__list_del_entry_valid+0x2f/0x90\nCall Trace:\n kmr_refleak_exit+0x12/0x30 [kmr_refleak]\n")
        << QStringLiteral("general protection fault in kmr_refleak_exit"); // list helpers are never the culprit
    QTest::newRow("warning skips __warn frames")
        << QByteArray("WARNING: CPU: 0 PID: 1 at net/packet/af_packet.c:3000 packet_release+0x10/0x20\n"
                      "RIP: 0010:__warn+0x1/0x2\nCall Trace:\n __warn+0x1/0x2\n packet_release+0x10/0x20\n")
        << QStringLiteral("WARNING in packet_release");
    QTest::newRow("kasan") << QByteArray("BUG: KASAN: use-after-free in ext4_xattr_set_entry+0x1/0x2\n"
                                         "Read of size 4 at addr ffff8880 by task a/1\nCall Trace:\n"
                                         " dump_stack+0x1/0x2\n kasan_report+0x1/0x2\n ext4_xattr_set_entry+0x1/0x2\n")
                           << QStringLiteral("KASAN: use-after-free Read in ext4_xattr_set_entry");
    QTest::newRow("soft lockup") << QByteArray("watchdog: BUG: soft lockup - CPU#0 stuck for 22s! [insmod:123]\n"
                                               "RIP: 0010:kmr_refloop_spin+0x5/0x10 [kmr_refloop]\nCall Trace:\n"
                                               " kmr_refloop_spin+0x5/0x10 [kmr_refloop]\n do_one_initcall+0x1/0x2\n"
                                               " do_init_module+0x1/0x2\n do_syscall_64+0x1/0x2\n")
                                 << QStringLiteral("BUG: soft lockup in do_init_module");
    QTest::newRow("hard lockup") << QByteArray("watchdog: Watchdog detected hard LOCKUP on cpu 1\n"
                                               "RIP: 0010:spin_forever+0x5/0x10 [kmr_spin]\nCall Trace:\n"
                                               " spin_forever+0x5/0x10 [kmr_spin]\n do_syscall_64+0x1/0x2\n")
                                 << QStringLiteral("BUG: hard lockup in spin_forever");
    QTest::newRow("rcu stall") << QByteArray("rcu: INFO: rcu_sched self-detected stall on CPU\n"
                                             " apic_timer_interrupt+0x1/0x2\nRIP: 0010:kmr_loop+0x1/0x2 [kmr_x]\n"
                                             " kmr_loop+0x1/0x2 [kmr_x]\n vfs_write+0x1/0x2\n")
                               << QStringLiteral("INFO: rcu detected stall in kmr_loop");
    QTest::newRow("invalid opcode") << QByteArray("invalid opcode: 0000 [#1] SMP\nRIP: 0010:kmr_bad+0x1/0x2 [kmr]\n")
                                    << QStringLiteral("invalid opcode in kmr_bad");
    QTest::newRow("kernel BUG") << QByteArray(
        "kernel BUG at drivers/kmr/x.c:12!\ninvalid opcode: 0000 [#1] SMP\n"
        "RIP: 0010:kmr_check+0x1/0x2 [kmr]\nCall Trace:\n kmr_ioctl+0x1/0x2 [kmr]\n")
                                << QStringLiteral("kernel BUG in kmr_check");
    QTest::newRow("ubsan") << QByteArray(
        "UBSAN: array-index-out-of-bounds in drivers/kmr/x.c:9:3\nCall Trace:\n"
        " dump_stack_lvl+0x1/0x2\n __ubsan_handle_out_of_bounds+0x1/0x2\n kmr_idx+0x1/0x2\n")
                           << QStringLiteral("UBSAN: array-index-out-of-bounds in kmr_idx");
    QTest::newRow("kmsan") << QByteArray("BUG: KMSAN: uninit-value in kmr_use+0x1/0x2\n kmr_use+0x1/0x2\n"
                                         " kmr_call+0x1/0x2\nUninit was created at:\n kmalloc+0x1/0x2\n")
                           << QStringLiteral("KMSAN: uninit-value in kmr_use");
    QTest::newRow("panic alone") << QByteArray("Kernel panic - not syncing: Attempted to kill init! exitcode=0x9\n")
                                 << QStringLiteral("kernel panic: Attempted to kill init!");
    QTest::newRow("broken header") << QByteArray("BUG: \n") << QStringLiteral("BUG: corrupted");
}

void TestOopsExtractor::titles()
{
    QFETCH(QByteArray, log);
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(log);
    QVERIFY(!found.isEmpty());
    QTEST(found.first().title, "title");
}

void TestOopsExtractor::noCrashInOrdinaryLog()
{
    const QByteArray log = "[    0.000000] Linux version 6.1.0-56-amd64\n"
                           "[    1.000000] WARNING: /etc/ssh/moduli does not exist, using fixed modulus\n"
                           "[    1.100000] ODEBUG: object is on stack, but not annotated\n"
                           "[    1.200000] skb_panic: not a crash\n"
                           "[    1.300000] e1000: INFO: link up\n"
                           "[    1.400000] kmr_refloop: loaded\n";
    QVERIFY(OopsExtractor::extractFromText(log).isEmpty());
    QVERIFY(OopsExtractor::extractFromText(QByteArray()).isEmpty());
    QVERIFY(OopsExtractor::extract({}).isEmpty());
}

void TestOopsExtractor::implicatedModulesOrder()
{
    OopsExcerpt e;
    e.faultingModule = QStringLiteral("b");
    for (const char *m : {"", "a", "b", "c", "a"}) {
        OopsFrame f;
        f.function = QStringLiteral("f");
        f.module = QString::fromLatin1(m);
        e.frames << f;
    }
    QCOMPARE(implicatedModules(e), (QStringList {QStringLiteral("b"), QStringLiteral("a"), QStringLiteral("c")}));
    OopsFrame stale;
    stale.function = QStringLiteral("pdu_read");
    stale.module = QStringLiteral("9pnet");
    stale.questionable = true; // "? pdu_read+0x36/0x50 [9pnet]" in the 6.12 initoops capture
    e.frames << stale;
    QCOMPARE(implicatedModules(e).size(), 3);
    QCOMPARE(excerptsImplicating({e}, QStringLiteral("c")).size(), 1);
    QCOMPARE(excerptsImplicating({e}, QStringLiteral("d")).size(), 0);
}

void TestOopsExtractor::jsonRoundTrip()
{
    const QList<OopsExcerpt> found = OopsExtractor::extractFromText(fixture(QStringLiteral("hand-warning-6.12.txt")));
    QCOMPARE(found.size(), 1);
    QCOMPARE(excerptFromJson(toJson(found.first())), found.first());
}

QTEST_GUILESS_MAIN(TestOopsExtractor)
#include "tst_oopsextractor.moc"
