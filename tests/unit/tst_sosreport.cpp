// SPDX-License-Identifier: GPL-2.0-or-later
// sosreports: the real lab capture (tests/fixtures/sosreport/lab-6.1) opens from its directory and
// from tarballs packed at test time; every part is read; missing parts are said; malformed module
// lists lose only their bad lines; hostile tarballs and directories each get their own error.
#include "bundle/bundlecontents.h"
#include "bundle/sosreport.h"
#include "bundle/sosreport_p.h"
#include "kernellog/dmesgparser.h"
#include "cancelprobe.h"
#include "rawtar.h"
#include "snapshot/procmodules.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace kmr;
using namespace kmr::bundle;
using namespace kmr::test;

namespace {

const QString Top = QStringLiteral("sosreport-none-2026-11-22-ysmvnno");

QString fixture()
{
    return QStringLiteral(KMR_FIXTURES "/sosreport/lab-6.1");
}

// The fixture directory as tar entries under sos's top directory, links as links.
QList<RawEntry> fixtureEntries()
{
    return entriesOfDirectory(fixture(), Top);
}

// The fixture read as a tree, with `drop` removed and `add` added (tests of missing parts).
SosTree fixtureTree(const QStringList &drop = {}, const QMap<QString, QByteArray> &add = {})
{
    SosTree sos;
    BundleError error = BundleError::None;
    QString message;
    if (!readSosTree(fixture(), &sos, &error, &message))
        qFatal("cannot read the fixture: %s", qPrintable(message));
    QMap<QString, QByteArray> files = sos.files.files();
    for (auto it = files.begin(); it != files.end();) {
        bool gone = false;
        for (const QString &d : drop)
            gone = gone || it.key() == d || it.key().startsWith(d + QLatin1Char('/'));
        it = gone ? files.erase(it) : std::next(it);
    }
    files.insert(add);
    sos.files = MemoryTree(files, {{QStringLiteral("lsmod"), QStringLiteral("sos_commands/kernel/lsmod")}},
        QStringLiteral("sosreport test"));
    return sos;
}

BundleContents import(const SosTree &sos)
{
    BundleContents c;
    BundleError error = BundleError::None;
    QString message;
    if (!sosReportContents(sos, &c, &error, &message))
        qWarning("import failed: %s", qPrintable(message));
    return c;
}

// The fixture's dmesg as journalctl prints it, with another program's lines between.
QByteArray asJournal(const QByteArray &dmesg)
{
    QByteArray out;
    int n = 0;
    for (const QByteArray &line : dmesg.split('\n')) {
        const qsizetype close = line.indexOf("] ");
        if (line.isEmpty() || close < 0)
            continue;
        out += "Nov 22 04:58:" + QByteArray::number(10 + n % 40) + " none kernel: " + line.mid(close + 2) + '\n';
        if (++n % 50 == 0)
            out += "Nov 22 04:58:14 none systemd[1]: Started something.\n";
    }
    return out;
}

} // namespace

class TestSosReport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void everyPartOfTheLabReport_data();
    void everyPartOfTheLabReport();
    void tarballsGiveWhatTheDirectoryGives_data();
    void tarballsGiveWhatTheDirectoryGives();
    void bundlesAreNotTakenForSosReports();
    void missingPartsAreSaid();
    void lsmodStandsInForProcModules();
    void journalKernelLines();
    void noModuleListIsAnError();
    void malformedListsLoseOnlyBadLines();
    void modinfoOutput();
    void hostileTarball_data();
    void hostileTarball();
    void hostileDirectory_data();
    void hostileDirectory();
    void cancelledReadStops_data();
    void cancelledReadStops();

private:
    QTemporaryDir m_tmp;
};

void TestSosReport::everyPartOfTheLabReport_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<QString>("release");
    QTest::addColumn<QString>("compiler");
    QTest::addColumn<int>("modules");
    QTest::addColumn<int>("logRecords");
    QTest::addColumn<QString>("created");
    const QString gcc = QStringLiteral("gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0");
    QTest::newRow("6.1") << fixture() << "6.1.0-56-amd64" << gcc << 24 << 540 << "2026-11-22 04:58:14.530390";
    QTest::newRow("6.12") << QStringLiteral(KMR_FIXTURES "/sosreport/lab-6.12") << "6.12.117+deb12-amd64"
                          << "x86_64-linux-gnu-" + gcc << 17 << 573 << "2026-11-22 06:40:39.942450";
}

void TestSosReport::everyPartOfTheLabReport()
{
    QFETCH(QString, dir);
    QFETCH(QString, release);
    QFETCH(QString, compiler);
    QFETCH(int, modules);
    QFETCH(int, logRecords);
    QFETCH(QString, created);
    QVERIFY2(QFileInfo(dir).isDir(), qPrintable("fixture missing: " + dir));
    BundleContents c;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY2(openBundle(dir, &c, &error, &message), qPrintable(message)); // the same entry point as bundles
    const Snapshot &s = c.snapshot;
    QCOMPARE(s.source, "sosreport:" + dir);
    QCOMPARE(s.modules.size(), modules);
    // Kernel facts: sysctl -a, the dmesg's "Linux version" line, sys/module/module/parameters.
    QCOMPARE(s.kernel.release.value, release);
    QCOMPARE(s.kernel.compiler.value, compiler);
    QVERIFY(s.kernel.taintKnown);
    QCOMPARE(s.kernel.taintLetters, QStringLiteral("DOE"));
    QCOMPARE(s.kernel.modulesDisabled.value, QStringLiteral("0"));
    QCOMPARE(s.kernel.sigEnforce.value, QStringLiteral("N"));
    QVERIFY(!s.kernel.lockdown.known());
    // proc/modules and sys/module/NAME/{initstate,refcnt,taint}.
    QCOMPARE(toString(s.find("kmr_exitoops")->state), toString(ModuleState::Unloading));
    QCOMPARE(toString(s.find("kmr_initoops")->state), toString(ModuleState::Loading));
    QCOMPARE(s.find("kmr_refleak")->refcount, 3);
    QCOMPARE(s.find("kmr_provider")->holders, QStringList {"kmr_consumer"});
    QCOMPARE(s.find("kmr_consumer")->dependencies, QStringList {"kmr_provider"});
    QCOMPARE(s.find("kmr_victim")->taint, QStringLiteral("OE"));
    QVERIFY(s.find("kmr_victim")->outOfTree);
    QCOMPARE(toString(s.find("kmr_noexit")->exit), toString(ExitPresence::Missing)); // "[permanent]"
    // modinfo: found for the in-tree modules, "not found" for the insmod'ed lab modules.
    const ModuleInfo *overlay = s.find("overlay");
    QCOMPARE(overlay->vermagic.value, release + " SMP preempt mod_unload modversions");
    QCOMPARE(overlay->signer.value, QStringLiteral("Build time autogenerated kernel key"));
    QVERIFY2(overlay->koPath.value.startsWith("/lib/modules/" + release + "/kernel/fs/overlayfs/overlay.ko"),
        qPrintable(overlay->koPath.value)); // .ko on 6.1, .ko.xz on 6.12
    QVERIFY(s.find("9pnet_virtio")->dependencies.contains("9pnet"));
    QVERIFY2(s.find("kmr_victim")->vermagic.why.contains("Module kmr_victim not found"),
        qPrintable(s.find("kmr_victim")->vermagic.why));
    QVERIFY(!s.find("kmr_victim")->compiler.known());
    // The kernel log and its oopses.
    QVERIFY(c.hasKernelLog);
    QCOMPARE(c.kernelLog.size(), logRecords);
    QCOMPARE(c.manifest.value("kernel_log_source").toString(), QStringLiteral("sos_commands/kernel/dmesg"));
    QCOMPARE(c.oopses.size(), 3);
    // The diagnoses of the stuck modules.
    QVERIFY(c.diagnosis("kmr_victim") && c.diagnosis("kmr_victim")->has(FindingKind::LeakedReference));
    QVERIFY(c.diagnosis("kmr_exitoops") && c.diagnosis("kmr_exitoops")->has(FindingKind::ExitCrashed));
    QVERIFY(c.diagnosis("kmr_initoops") && c.diagnosis("kmr_initoops")->has(FindingKind::InitCrashed));
    QVERIFY(c.diagnosis("kmr_noexit") && c.diagnosis("kmr_noexit")->has(FindingKind::NoExitFunction));
    QVERIFY(c.diagnosis("kmr_provider") && c.diagnosis("kmr_provider")->has(FindingKind::HeldByModules));
    QVERIFY(c.graphDot.contains("kmr_provider"));
    // The evidence names where in the report each fact came from, not the live path.
    QStringList sources;
    for (const Finding &f : c.diagnosis("kmr_victim")->findings)
        for (const Evidence &e : f.evidence)
            sources << e.source;
    QVERIFY2(sources.contains("sosreport sys/module/kmr_victim/refcnt"), qPrintable(sources.join(" | ")));
    QVERIFY2(sources.contains("sosreport proc/modules, used-by column (sos copies no holders/)"),
        qPrintable(sources.join(" | ")));
    // What the report does not hold is said.
    QVERIFY2(c.absentWhy.value("kernel-config").contains("no boot/config-" + release),
        qPrintable(c.absentWhy.value("kernel-config")));
    QVERIFY(c.absentWhy.value("sysfs-holders").contains("derived from /proc/modules"));
    QVERIFY(c.absentWhy.contains("ko-files"));
    QVERIFY(c.absentWhy.contains("refcount-history"));
    QVERIFY(!c.absentWhy.contains("kernel-log"));
    QCOMPARE(c.manifest.value("sos_version").toString(), QStringLiteral("4.0"));
    QCOMPARE(c.manifest.value("created").toString(), created);
}

void TestSosReport::tarballsGiveWhatTheDirectoryGives_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<QString>("suffix");
    QTest::newRow("xz (sos's default)") << QByteArray("xz") << ".tar.xz";
    QTest::newRow("gzip") << QByteArray("gzip") << ".tar.gz";
    QTest::newRow("bzip2") << QByteArray("bzip2") << ".tar.bz2";
    QTest::newRow("zstd") << QByteArray("zstd") << ".tar.zst";
    QTest::newRow("uncompressed") << QByteArray("none") << ".tar";
}

void TestSosReport::tarballsGiveWhatTheDirectoryGives()
{
    QFETCH(QByteArray, filter);
    QFETCH(QString, suffix);
    const QString file = m_tmp.filePath(Top + suffix);
    // sos copies device nodes where a plugin collects /dev: harmless in memory, skipped and counted.
    QVERIFY(writeRawTar(file, fixtureEntries() + QList<RawEntry> {entry(Top + "/dev/null", {}, AE_IFCHR)}, filter));
    QVERIFY(looksLikeSosReport(file));
    BundleContents fromDir, fromTar;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY2(openBundle(fixture(), &fromDir, &error, &message), qPrintable(message));
    QVERIFY2(openBundle(file, &fromTar, &error, &message), qPrintable(message));
    QCOMPARE(fromTar.snapshot.modules, fromDir.snapshot.modules);
    QVERIFY(fromTar.snapshot.kernel == fromDir.snapshot.kernel);
    QCOMPARE(fromTar.kernelLog.size(), fromDir.kernelLog.size());
    QCOMPARE(fromTar.diagnoses.size(), fromDir.diagnoses.size());
    QCOMPARE(fromTar.absentWhy, fromDir.absentWhy);
    QCOMPARE(fromTar.manifest.value("name").toString(), Top);
    QVERIFY(fromTar.snapshot.warnings.contains("1 device nodes or fifos in the sosreport were skipped (not read)"));
    // In memory (what the fuzzer feeds) as from the file.
    SosTree sos;
    QVERIFY2(readSosTreeData(readAll(file), file, &sos, &error, &message), qPrintable(message));
    QVERIFY(!sos.files.value("lsmod").isEmpty()); // sos's root symlink, kept as a link
    QCOMPARE(sos.files.value("lsmod"), sos.files.value("sos_commands/kernel/lsmod"));
}

void TestSosReport::bundlesAreNotTakenForSosReports()
{
    const QString file = m_tmp.filePath("bundle.tar.gz");
    QVERIFY(writeRawTar(file, {entry("manifest.json", "{}"), entry("snapshot.json", "{}")}, "gzip"));
    QVERIFY(!looksLikeSosReport(file));
    const QString garbage = m_tmp.filePath("garbage.tar.gz");
    writeFile(garbage, "not an archive");
    QVERIFY(!looksLikeSosReport(garbage)); // the bundle reader's "not a gzip-compressed tar" answers it
}

void TestSosReport::missingPartsAreSaid()
{
    const BundleContents c = import(fixtureTree({"sys/module", "sos_commands/kernel/dmesg"}));
    QVERIFY(c.absentWhy.value("sysfs").contains("no sys/module"));
    QVERIFY(c.absentWhy.value("kernel-log").contains("no kernel log"));
    QVERIFY(!c.hasKernelLog);
    // Without the log, the compiler is unknown and says why; states come from proc/modules.
    QVERIFY(c.snapshot.kernel.compiler.why.contains("Linux version"));
    QCOMPARE(toString(c.snapshot.find("kmr_exitoops")->state), toString(ModuleState::Unloading));
    // A kernel config, when the report has one (current sos collects it), is read.
    const BundleContents withConfig = import(fixtureTree({},
        {{"boot/config-6.1.0-56-amd64",
            "CONFIG_MODULE_FORCE_UNLOAD=y\nCONFIG_CC_VERSION_TEXT=\"gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0\"\n"}}));
    QCOMPARE(withConfig.snapshot.kernel.forceUnload.value, QStringLiteral("y"));
    QVERIFY(withConfig.kernelConfig.contains("CONFIG_MODULE_FORCE_UNLOAD=y"));
    QVERIFY(!withConfig.absentWhy.contains("kernel-config"));
}

void TestSosReport::lsmodStandsInForProcModules()
{
    const BundleContents c = import(fixtureTree({"proc/modules"}));
    QVERIFY(c.absentWhy.value("proc-modules").contains("lsmod"));
    QCOMPARE(c.snapshot.modules.size(), 24);
    // lsmod has no states; sys/module/NAME/initstate gives them back.
    QCOMPARE(toString(c.snapshot.find("kmr_initoops")->state), toString(ModuleState::Loading));
    QCOMPARE(c.snapshot.find("kmr_provider")->holders, QStringList {"kmr_consumer"});
    // The root symlink "lsmod" is followed in memory when sos_commands' copy is the only one.
    SosTree viaLink = fixtureTree({"proc/modules"});
    QCOMPARE(viaLink.files.value("lsmod"), viaLink.files.value("sos_commands/kernel/lsmod"));
}

void TestSosReport::journalKernelLines()
{
    const QByteArray dmesg = fixtureTree().files.value("sos_commands/kernel/dmesg");
    const QByteArray journal = asJournal(dmesg);
    // This boot's journal stands in for a missing dmesg; other programs' lines are left out.
    BundleContents c = import(fixtureTree(
        {"sos_commands/kernel/dmesg"}, {{"sos_commands/logs/journalctl_--no-pager_--catalog_--boot", journal}}));
    QVERIFY(c.hasKernelLog);
    QCOMPARE(c.kernelLog.size(), 540);
    QCOMPARE(c.oopses.size(), 3);
    QVERIFY(c.manifest.value("kernel_log_source").toString().contains("journalctl_--no-pager_--catalog_--boot"));
    // The full journal: only its last boot.
    const QByteArray twoBoots = "Nov 21 10:00:00 none kernel: Linux version 6.1.0-55-amd64 (old boot)\n"
                                "-- Boot 0123456789abcdef0123456789abcdef --\n"
        + journal;
    c = import(fixtureTree({"sos_commands/kernel/dmesg"}, {{"sos_commands/logs/journalctl_--no-pager", twoBoots}}));
    QCOMPARE(c.kernelLog.size(), 540);
    QVERIFY(c.snapshot.kernel.version.value.contains("6.1.0-56-amd64"));
    QCOMPARE(kernellog::kernelLinesOfJournal(twoBoots, false).count('\n'), 541);
}

void TestSosReport::noModuleListIsAnError()
{
    BundleContents c;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY(!sosReportContents(fixtureTree({"proc/modules", "sos_commands/kernel/lsmod"}), &c, &error, &message));
    QCOMPARE(toString(error), QStringLiteral("no-module-list"));
    QVERIFY2(message.contains("without sos's kernel plugin"), qPrintable(message));
}

void TestSosReport::malformedListsLoseOnlyBadLines()
{
    const SosTree sos = fixtureTree();
    QByteArray modules = sos.files.value("proc/modules");
    modules.insert(modules.indexOf('\n') + 1, "garbage line\nkmr_bad notasize 0 - Live 0x0\n");
    const BundleContents c = import(fixtureTree({"proc/modules"}, {{"proc/modules", modules}}));
    QCOMPARE(c.snapshot.modules.size(), 24);
    QCOMPARE(c.snapshot.warnings.filter("/proc/modules line").size(), 2);
    QVERIFY(c.snapshot.warnings.filter("line 2 skipped: expected at least 5 fields").size() == 1);

    const ProcModulesParse lsmod = parseLsmod("Module                  Size  Used by\n"
                                              "kmr_provider           16384  1 kmr_consumer\n"
                                              "kmr_exithang           16384  -1\n"
                                              "virtio_ring            49152  3 9pnet_virtio,virtio_pci,virtio\n"
                                              "broken\n"
                                              "kmr_x 12x 0\n");
    QCOMPARE(lsmod.entries.size(), 3);
    QCOMPARE(lsmod.entries.at(0).usedBy, QStringList {"kmr_consumer"});
    QCOMPARE(lsmod.entries.at(1).refcount, -1);
    QCOMPARE(lsmod.entries.at(2).usedBy.size(), 3);
    QCOMPARE(lsmod.warnings.size(), 2);
    QVERIFY(lsmod.warnings.at(0).startsWith("lsmod line 5 skipped"));
    QVERIFY(lsmod.warnings.at(1).contains("size '12x' is not a number"));
}

void TestSosReport::modinfoOutput()
{
    // Loadable modules begin with filename:, built-in ones with name:; an error line may be
    // spliced into another (sos keeps stderr with stdout).
    const ModinfoOutput out = parseModinfoOutput("name:           thermal\n"
                                                 "filename:       (builtin)\n"
                                                 "license:        GPL\n"
                                                 "filename:       /lib/modules/6.1/kernel/fs/overlay.ko\n"
                                                 "depends:        \n"
                                                 "name:           overlay\n"
                                                 "vermagic:       6.1.0-56-amd64 SMP mod_unload \n"
                                                 "signer:         Build time autogenerated kernel key\n"
                                                 "name:           firmware_clmodinfo: ERROR: Module kmr_a not found.\n"
                                                 "modinfo: ERROR: Module kmr-b not found.\n"
                                                 "filename:       /lib/modules/6.1/kernel/net/9p/9pnet_virtio.ko\n"
                                                 "depends:        9pnet,virtio_ring,virtio\n"
                                                 "srcversion:     ABC123\n");
    QCOMPARE(out.modules.size(), 3);
    QCOMPARE(out.modules.value("thermal").filename, QStringLiteral("(builtin)"));
    QCOMPARE(out.modules.value("overlay").vermagic, QStringLiteral("6.1.0-56-amd64 SMP mod_unload"));
    QCOMPARE(out.modules.value("overlay").signer, QStringLiteral("Build time autogenerated kernel key"));
    QCOMPARE(out.modules.value("9pnet_virtio").depends.size(), 3);
    QCOMPARE(out.modules.value("9pnet_virtio").srcversion, QStringLiteral("ABC123"));
    QCOMPARE(out.errors.value("kmr_a"), QStringLiteral("Module kmr_a not found."));
    QVERIFY(out.errors.contains("kmr_b"));
}

// What each message must say to do next (the reader's advice, as the user sees it).
const char *const SosCopyAgain = "Copy it again; if that does not help, ask for the sosreport again (`sos report` on "
                                 "its machine).";
const char *const SosUntrusted = "do not trust this sosreport. Ask for the sosreport again (`sos report` on its "
                                 "machine).";
const char *const NotSosNext = "Open the .tar.xz that `sos report` wrote or the directory it unpacks to";
const char *const UnpackIt = "unpack it (tar xf) and open the directory: there only the files kmodrescue reads count.";

// The columns of the hostile-input tables, and their first row: a path that is not there.
void addErrorColumns(const char *missingRow)
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expectedError");
    QTest::addColumn<QString>("messagePart"); // what went wrong
    QTest::addColumn<QString>("nextStep"); // what to do about it
    QTest::newRow(missingRow) << "missing"
                              << "cannot-open"
                              << "no such file or directory"
                              << "Check the path";
}

void TestSosReport::hostileTarball_data()
{
    addErrorColumns("missing tarball");
    QTest::newRow("garbage with an xz name")
        << "garbage"
        << "not-an-archive"
        << "not a sosreport: it is not a tar archive"
        << "Open the .tar.xz that `sos report` wrote, or unpack it yourself and open the directory.";
    QTest::newRow("truncated xz") << "truncated"
                                  << "truncated"
                                  << "cut short" << SosCopyAgain;
    QTest::newRow("corrupt xz") << "corrupt"
                                << "damaged"
                                << "damaged" << SosCopyAgain;
    QTest::newRow("a tar, not a sosreport") << "notsos"
                                            << "not-a-sosreport"
                                            << "none of sos's own files" << NotSosNext;
    QTest::newRow("absolute path") << "absolute"
                                   << "unsafe-path"
                                   << "'/etc/passwd' has an unsafe name" << SosUntrusted;
    QTest::newRow("dot-dot") << "dotdot"
                             << "unsafe-path"
                             << "has an unsafe name" << SosUntrusted;
    QTest::newRow("symlink to an absolute path") << "symlinkabs"
                                                 << "link-entry"
                                                 << "is a link to '/etc/shadow', outside the sosreport" << SosUntrusted;
    QTest::newRow("symlink climbing out")
        << "symlinkup"
        << "link-entry"
        << "'sosreport-none-2026-11-22-ysmvnno/etc/shadow' is a link to 'etc/shadow', outside the sosreport"
        << SosUntrusted;
    QTest::newRow("hardlink to an unsafe name") << "hardlink"
                                                << "link-entry"
                                                << "outside the sosreport" << SosUntrusted;
    QTest::newRow("device where proc/modules is")
        << "device"
        << "special-entry"
        << "device node, fifo or socket where a sosreport has a plain file" << SosUntrusted;
    QTest::newRow("over-size member") << "oversized"
                                      << "member-too-large"
                                      << "is 2.0 MiB uncompressed, over the 1.0 MiB limit for one member"
                                      << "Unpack it (tar xf), shorten or delete that file, and open the directory.";
    QTest::newRow("bomb in the files read") << "bomb"
                                            << "total-too-large"
                                            << "unpacks to more than 4.0 MiB" << UnpackIt;
    QTest::newRow("bomb in the files skipped") << "skippedbomb"
                                               << "total-too-large"
                                               << "unpacks to more than 8.0 MiB" << UnpackIt;
    QTest::newRow("duplicate member") << "duplicate"
                                      << "duplicate-member"
                                      << "appears twice" << SosUntrusted;
}

void TestSosReport::hostileTarball()
{
    QFETCH(QString, kind);
    QFETCH(QString, expectedError);
    QFETCH(QString, messagePart);
    QFETCH(QString, nextStep);
    const QString file = m_tmp.filePath(kind + ".tar.xz");
    QList<RawEntry> raw = fixtureEntries();
    ReadLimits limits;
    limits.maxMemberSize = 1024 * 1024;
    limits.maxTotalSize = 4 * 1024 * 1024;
    limits.maxScannedSize = 8 * 1024 * 1024;
    const QString in = Top + QLatin1Char('/');
    if (kind == "garbage") {
        writeFile(file, QByteArray("this is no tarball\n").repeated(100));
    } else if (kind == "truncated" || kind == "corrupt") {
        QVERIFY(writeRawTar(file, raw, "xz"));
        QByteArray bytes = readAll(file);
        QVERIFY(!bytes.isEmpty());
        if (kind == "truncated")
            bytes.truncate(bytes.size() / 2);
        for (qsizetype i = 64; kind == "corrupt" && i < 64 + 256; ++i)
            bytes[i] = char(~bytes[i]);
        writeFile(file, bytes);
    } else if (kind == "notsos") {
        raw = {entry("roots/proc/modules", "kmr_x 1 0 - Live 0x0\n")};
    } else if (kind == "absolute") {
        raw.append(entry("/etc/passwd", "root:x:0:0\n"));
    } else if (kind == "dotdot") {
        raw.append(entry(in + "proc/../../../x", "x"));
    } else if (kind == "symlinkabs") {
        raw.append(entry(in + "etc/shadow", {}, AE_IFLNK, "/etc/shadow"));
    } else if (kind == "symlinkup") {
        raw.append(entry(in + "etc/shadow", {}, AE_IFLNK, "../../etc/shadow"));
    } else if (kind == "hardlink") {
        raw.append(entry(in + "etc/passwd", {}, AE_IFREG, "../etc/passwd", true));
    } else if (kind == "device") {
        raw.removeIf([&](const RawEntry &e) { return e.path == in + "proc/modules"; });
        raw.append(entry(in + "proc/modules", {}, AE_IFCHR));
    } else if (kind == "oversized") {
        raw.append(entry(in + "sos_commands/kernel/dmesg_-T", {}, AE_IFREG, {}, false, 2 * 1024 * 1024));
    } else if (kind == "bomb") {
        for (int i = 0; i < 6; ++i)
            raw.append(entry(in + "sos_commands/logs/journalctl_--no-pager_" + QString::number(i), {}, AE_IFREG, {},
                false, 1000 * 1000));
    } else if (kind == "skippedbomb") { // members kmodrescue does not read still cost decompression
        for (int i = 0; i < 10; ++i)
            raw.append(entry(in + "var/log/big" + QString::number(i), {}, AE_IFREG, {}, false, 1000 * 1000));
    } else if (kind == "duplicate") {
        raw.append(entry(in + "proc/modules", "kmr_x 1 0 - Live 0x0\n"));
    }
    if (kind != "garbage" && kind != "truncated" && kind != "corrupt" && kind != "missing")
        QVERIFY(writeRawTar(file, raw, "xz"));

    BundleContents out;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY(!openBundle(file, &out, &error, &message, limits));
    QCOMPARE(toString(error), expectedError);
    QVERIFY2(message.contains(messagePart), qPrintable(message));
    QVERIFY2(message.startsWith(file + ": "), qPrintable(message)); // says which file
    QVERIFY2(message.contains(nextStep), qPrintable(message)); // and what to do next
}

void TestSosReport::hostileDirectory_data()
{
    addErrorColumns("missing directory");
    QTest::newRow("empty directory") << "empty"
                                     << "not-a-sosreport"
                                     << "none of sos's own files" << NotSosNext;
    QTest::newRow("a root tree, not a sosreport") << "root"
                                                  << "not-a-sosreport"
                                                  << "none of sos's own files"
                                                  << "a copied root tree opens with --root DIR";
    QTest::newRow("link leading outside") << "link"
                                          << "link-entry"
                                          << "is a link to '/etc', outside the sosreport" << SosUntrusted;
    QTest::newRow("fifo where proc/modules is") << "fifo"
                                                << "special-entry"
                                                << "'proc/modules' is a device node, fifo or socket" << SosUntrusted;
    QTest::newRow("over-size file")
        << "oversized"
        << "member-too-large"
        << "'sos_commands/kernel/dmesg' is 2.0 MiB uncompressed, over the 1.0 MiB limit for one member"
        << "Shorten or delete that file, then open the directory again.";
    QTest::newRow("too much in all")
        << "toomuch"
        << "total-too-large"
        << "the files kmodrescue reads in it come to more than 2.0 MiB"
        << "Shorten or delete its largest logs (sos_commands/logs/, var/log/), then open it again.";
}

void TestSosReport::hostileDirectory()
{
    QFETCH(QString, kind);
    QFETCH(QString, expectedError);
    QFETCH(QString, messagePart);
    QFETCH(QString, nextStep);
    const QString dir = m_tmp.filePath("dir-" + kind);
    QVERIFY(kind == "missing" || QDir().mkpath(dir));
    if (kind != "empty" && kind != "root" && kind != "missing")
        writeFile(dir + "/version.txt", "sosreport: 4.0\n");
    if (kind == "root") {
        writeFile(dir + "/proc/modules", "kmr_x 1 0 - Live 0x0\n");
    } else if (kind == "link") {
        QVERIFY(QFile::link("/etc", dir + "/etc"));
    } else if (kind == "fifo") {
        QVERIFY(QDir().mkpath(dir + "/proc"));
        QCOMPARE(::mkfifo(QFile::encodeName(dir + "/proc/modules").constData(), 0600), 0);
    } else if (kind == "oversized") {
        writeFile(dir + "/sos_commands/kernel/dmesg", QByteArray(2 * 1024 * 1024, 'x'));
    } else if (kind == "toomuch") { // each under the per-file cap, together over the total
        for (const char *log : {"/sos_commands/kernel/dmesg", "/var/log/dmesg", "/var/log/kern.log"})
            writeFile(dir + QLatin1String(log), QByteArray(900 * 1024, 'x'));
    }
    ReadLimits limits;
    limits.maxMemberSize = 1024 * 1024;
    limits.maxTotalSize = 2 * 1024 * 1024;
    BundleContents out;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY(!openBundle(dir, &out, &error, &message, limits));
    QCOMPARE(toString(error), expectedError);
    QVERIFY2(message.contains(messagePart), qPrintable(message));
    QVERIFY2(message.startsWith(dir + ": "), qPrintable(message)); // says which directory
    QVERIFY2(message.contains(nextStep), qPrintable(message)); // and what to do next
}

// The GUI's Cancel: ReadLimits::cancelled is asked while a tarball or a directory is read; true
// stops the read at once with its own error, false lets the report open as usual.
void TestSosReport::cancelledReadStops_data()
{
    QTest::addColumn<bool>("tarball");
    QTest::newRow("directory") << false;
    QTest::newRow("xz tarball") << true;
}

void TestSosReport::cancelledReadStops()
{
    QFETCH(bool, tarball);
    const QString path = tarball ? m_tmp.filePath(Top + "-cancel.tar.xz") : fixture();
    if (tarball)
        QVERIFY(writeRawTar(path, fixtureEntries(), "xz"));
    CancelProbe probe;
    BundleContents c;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY2(openBundle(path, &c, &error, &message, probe.limits(0)), qPrintable(message));
    QVERIFY2(probe.asked > 5, qPrintable(QString::number(probe.asked)));
    QCOMPARE(c.snapshot.modules.size(), 24);

    QVERIFY(!openBundle(path, &c, &error, &message, probe.limits(2))); // stop at the second question
    QCOMPARE(toString(error), QStringLiteral("cancelled"));
    QCOMPARE(probe.asked, 2);
    QCOMPARE(message, path + ": reading the sosreport was cancelled. Open it again to see it.");
}

QTEST_GUILESS_MAIN(TestSosReport)
#include "tst_sosreport.moc"
