// SPDX-License-Identifier: GPL-2.0-or-later
// Bundles: export then open gives back the same data; every kind of bad bundle gets its own error;
// a kill during export leaves nothing under the final name.
#include "bundle/bundlearchive.h"
#include "bundle/bundlecontents.h"
#include "bundle/bundlerecordings.h"
#include "diagnosis/unloadjson.h"
#include "cancelprobe.h"
#include "rawtar.h"

#include "../labtrace.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace kmr;
using namespace kmr::bundle;
using namespace kmr::test;

namespace {

bool writeRaw(const QString &file, const QList<RawEntry> &entries)
{
    return writeRawTar(file, entries, "gzip");
}

RawEntry manifestFor(const QList<BundleMember> &members, int version = BundleSchemaVersion)
{
    QJsonObject m = makeManifest(members, {});
    m.insert(QStringLiteral("schema_version"), version);
    return entry(QStringLiteral("manifest.json"), QJsonDocument(m).toJson());
}

QList<BundleMember> smallMembers()
{
    return {
        {QStringLiteral("snapshot.json"), QByteArray("{}")}, {QStringLiteral("kernel-log.txt"), QByteArray("hello\n")}};
}

// 20,000 numbered log lines: a bundle of them is read in many 64 KiB pieces.
QByteArray manyLines()
{
    QByteArray text;
    for (int i = 0; i < 20000; ++i)
        text += "[ " + QByteArray::number(i) + ".000000] line number " + QByteArray::number(i * 7919) + "\n";
    return text;
}

QList<RawEntry> asRaw(const QList<BundleMember> &members)
{
    QList<RawEntry> out;
    for (const BundleMember &m : members)
        out.append(entry(m.path, m.data));
    return out;
}

} // namespace

class TestBundle : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void badBundle_data();
    void badBundle();
    void bombWithDefaultLimitsIsRefusedAtTheHeader();
    void cancelledReadStops();
    void killDuringExportLeavesNothing();
    void writeIntoMissingDirectoryFails();
    void recordingsRoundTrip();
    void badRecordingIsRefused();
    void exportedDiagnosisNamesTheTracedCallSites();

private:
    QTemporaryDir m_tmp;
};

void TestBundle::roundTrip_data()
{
    QTest::addColumn<QString>("root");
    QTest::addColumn<QString>("log");
    QTest::addColumn<QStringList>("modules");
    const QString fx = QStringLiteral(KMR_FIXTURES);
    QTest::newRow("basic, all stuck") << fx + "/roots/basic" << QString() << QStringList();
    QTest::newRow("basic, dummy") << fx + "/roots/basic" << QString() << QStringList {"dummy"};
    QTest::newRow("lab-6.1 with its kmsg") << fx + "/roots/lab-6.1" << fx + "/kmsg/all-6.1.kmsg" << QStringList();
    QTest::newRow("lab-6.1 with dmesg text")
        << fx + "/roots/lab-6.1" << fx + "/kmsg/all-6.1.txt" << QStringList {"kmr_exitoops", "kmr_victim"};
}

void TestBundle::roundTrip()
{
    QFETCH(QString, root);
    QFETCH(QString, log);
    QFETCH(QStringList, modules);
    QVERIFY2(QFileInfo(root).isDir(), qPrintable("fixture root missing: " + root));
    CollectOptions o;
    o.root = root;
    o.kernelLogFile = log;
    o.modules = modules;
    QStringList unknown;
    BundleContents c = collectBundleContents(o, &unknown);
    QVERIFY(unknown.isEmpty());
    QVERIFY(!c.snapshot.modules.isEmpty());
    if (!log.isEmpty()) {
        QVERIFY(c.hasKernelLog);
        QVERIFY(!c.kernelLog.isEmpty());
    }
    QJsonObject parts;
    const QList<BundleMember> members = bundleMembers(c, &parts);
    const QString file = m_tmp.filePath(QStringLiteral("rt.tar.gz"));
    QString message;
    QVERIFY2(writeBundleArchive(file, members, manifestExtra(c, parts, false), &message), qPrintable(message));

    BundleContents back;
    BundleError error = BundleError::None;
    QVERIFY2(openBundle(file, &back, &error, &message), qPrintable(message));
    QCOMPARE(toString(error), toString(BundleError::None));
    Snapshot expected = c.snapshot;
    expected.source = "bundle:" + file;
    QVERIFY(back.snapshot == expected);
    QCOMPARE(back.chosenModules, c.chosenModules);
    QCOMPARE(back.diagnoses.size(), c.diagnoses.size());
    for (const Diagnosis &d : c.diagnoses) {
        const Diagnosis *b = back.diagnosis(d.module);
        QVERIFY2(b, qPrintable(d.module));
        QVERIFY2(*b == d, qPrintable(d.module));
    }
    QCOMPARE(back.hasKernelLog, c.hasKernelLog);
    QCOMPARE(back.kernelLog.size(), c.kernelLog.size());
    for (int i = 0; i < c.kernelLog.size(); ++i)
        QVERIFY2(back.kernelLog.at(i) == c.kernelLog.at(i), qPrintable(QString::number(i)));
    QCOMPARE(back.oopses.size(), c.oopses.size());
    for (int i = 0; i < c.oopses.size(); ++i)
        QVERIFY2(back.oopses.at(i) == c.oopses.at(i), qPrintable(c.oopses.at(i).title));
    QCOMPARE(back.graphDot, c.graphDot);
    QCOMPARE(back.graphSvg, c.graphSvg);
    QCOMPARE(back.kernelConfig, c.kernelConfig);
    QVERIFY(back.kernelConfig.contains("CONFIG_MODULE"));
    QVERIFY(back.involvedModules == c.involvedModules);
    QCOMPARE(back.absentWhy.value("refcount-trace"), QStringLiteral("no get/put tracing was run"));
    QCOMPARE(back.absentWhy.value("refcount-history"), QStringLiteral("not sampled in this session"));
    QCOMPARE(back.manifest.value("schema").toString(), QStringLiteral("kmodrescue.bundle"));
    QCOMPARE(back.manifest.value("tool_version").toString(), QStringLiteral(KMR_VERSION));
    QCOMPARE(back.manifest.value("kernel_release").toString(), c.snapshot.kernel.release.value);
    QCOMPARE(back.manifest.value("members").toArray().size(), members.size());
    BundleArchive inMemory, fromFile;
    QVERIFY(readBundleArchive(file, &fromFile, &error, &message));
    QVERIFY2(readBundleArchiveData(readAll(file), file, &inMemory, &error, &message), qPrintable(message));
    QCOMPARE(inMemory.members, fromFile.members);
    QCOMPARE(inMemory.manifest, fromFile.manifest);
}

// What each message must say to do next (the reader's advice, as the user sees it).
const char *const ExportAgain
    = "Export it again with `kmodrescue-cli bundle -o FILE` (or File > Export Diagnostic Bundle).";
const char *const CopyAgain
    = "Copy it again; if that does not help, export it again with `kmodrescue-cli bundle -o FILE`";
const char *const Untrusted = "do not trust this bundle. Export it again with `kmodrescue-cli bundle -o FILE`";
const char *const OpenOne = "Open the .tar.gz that `kmodrescue-cli bundle` or File > Export Diagnostic Bundle wrote.";

void TestBundle::badBundle_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expectedError");
    QTest::addColumn<QString>("messagePart"); // what went wrong
    QTest::addColumn<QString>("nextStep"); // what to do about it
    QTest::newRow("garbage") << "garbage"
                             << "not-an-archive"
                             << "not a gzip-compressed tar" << OpenOne;
    QTest::newRow("empty file") << "empty"
                                << "not-an-archive"
                                << "not a gzip-compressed tar" << OpenOne;
    QTest::newRow("missing file") << "missing"
                                  << "cannot-open"
                                  << "no such file or directory"
                                  << "Check the path";
    QTest::newRow("unreadable file") << "unreadable"
                                     << "cannot-open"
                                     << "cannot read the bundle ("
                                     << "Check that you may read it";
    QTest::newRow("truncated") << "truncated"
                               << "truncated"
                               << "cut short" << CopyAgain;
    QTest::newRow("corrupt deflate stream") << "corrupt"
                                            << "damaged"
                                            << "damaged" << CopyAgain;
    // Flipped bytes deep in the stream may still inflate: the sha256 catches what zlib does not.
    QTest::newRow("corrupt data inflates") << "corruptmid"
                                           << "checksum-mismatch"
                                           << "does not match its sha256" << CopyAgain;
    QTest::newRow("absolute path") << "absolute"
                                   << "unsafe-path"
                                   << "'/etc/passwd' has an unsafe name" << Untrusted;
    QTest::newRow("dot-dot") << "dotdot"
                             << "unsafe-path"
                             << "'diagnosis/../../x' has an unsafe name" << Untrusted;
    QTest::newRow("symlink") << "symlink"
                             << "link-entry"
                             << "is a link" << Untrusted;
    QTest::newRow("hardlink") << "hardlink"
                              << "link-entry"
                              << "is a link" << Untrusted;
    QTest::newRow("char device") << "device"
                                 << "special-entry"
                                 << "device node, fifo or socket" << Untrusted;
    QTest::newRow("fifo") << "fifo"
                          << "special-entry"
                          << "device node, fifo or socket" << Untrusted;
    QTest::newRow("duplicate member") << "duplicate"
                                      << "duplicate-member"
                                      << "appears twice" << Untrusted;
    QTest::newRow("oversized member") << "oversized"
                                      << "member-too-large"
                                      << "over the 1.0 MiB limit for one member" << Untrusted;
    QTest::newRow("decompression bomb") << "bomb"
                                        << "total-too-large"
                                        << "decompression bomb" << Untrusted;
    QTest::newRow("missing manifest") << "nomanifest"
                                      << "missing-manifest"
                                      << "no manifest.json" << ExportAgain;
    QTest::newRow("manifest not JSON") << "badmanifest"
                                       << "bad-manifest"
                                       << "manifest.json is not valid JSON" << ExportAgain;
    QTest::newRow("newer schema version")
        << "version2"
        << "unknown-schema"
        << "schema version 2 (written by kmodrescue 9.1.0); this kmodrescue (" KMR_VERSION ") reads version 1 only"
        << "Update kmodrescue to 9.1.0 or newer";
    QTest::newRow("older schema version") << "version0"
                                          << "unknown-schema"
                                          << "schema version 0" << ExportAgain;
    QTest::newRow("other schema") << "otherschema"
                                  << "unknown-schema"
                                  << "not a kmodrescue bundle" << OpenOne;
    QTest::newRow("wrong sha256") << "sha"
                                  << "checksum-mismatch"
                                  << "does not match its sha256" << CopyAgain;
    QTest::newRow("listed member missing") << "missingmember"
                                           << "missing-member"
                                           << "missing from the archive" << ExportAgain;
    QTest::newRow("unlisted member") << "unlisted"
                                     << "unlisted-member"
                                     << "not listed in manifest.json" << Untrusted;
    QTest::newRow("snapshot not a snapshot")
        << "badsnapshot"
        << "bad-member"
        << "member 'snapshot.json' cannot be read"
        << "If a newer kmodrescue wrote it, update this one (" KMR_VERSION "); if not, export it again";
}

void TestBundle::badBundle()
{
    QFETCH(QString, kind);
    QFETCH(QString, expectedError);
    QFETCH(QString, messagePart);
    QFETCH(QString, nextStep);
    // Root reads any file of its own: a sysctl the kernel makes write-only is refused even to root.
    const QString file
        = kind == "unreadable" ? QStringLiteral("/proc/sys/vm/drop_caches") : m_tmp.filePath(kind + ".tar.gz");
    if (kind == "unreadable" && (!QFileInfo::exists(file) || ::access(QFile::encodeName(file).constData(), R_OK) == 0))
        QFAIL("needs /proc/sys/vm/drop_caches, present and unreadable (mode 0200), for a real \"Permission denied\"");
    const QList<BundleMember> members = smallMembers();
    QList<RawEntry> raw = QList<RawEntry> {manifestFor(members)} + asRaw(members);
    ReadLimits limits;
    limits.maxMemberSize = 1024 * 1024;
    limits.maxTotalSize = 4 * 1024 * 1024;

    if (kind == "garbage") {
        writeFile(file, QByteArray("this is not a bundle at all\n").repeated(100));
    } else if (kind == "empty") {
        writeFile(file, QByteArray());
    } else if (kind == "truncated" || kind.startsWith("corrupt")) {
        // A real bundle, big enough that the cut or the flipped bytes land inside the gzip stream.
        QString message;
        QVERIFY2(writeBundleArchive(file, {{"kernel-log.txt", manyLines()}}, {}, &message), qPrintable(message));
        QByteArray bytes = readAll(file);
        if (kind == "truncated") {
            bytes.truncate(bytes.size() / 2);
        } else {
            const qsizetype from = kind == "corrupt" ? 10 : bytes.size() / 2; // 10: just past the gzip header
            for (qsizetype i = from; i < from + 64; ++i)
                bytes[i] = char(~bytes[i]);
        }
        writeFile(file, bytes);
    } else if (kind == "absolute") {
        raw.append(entry("/etc/passwd", "root:x:0:0\n"));
    } else if (kind == "dotdot") {
        raw.append(entry("diagnosis/../../x", "x"));
    } else if (kind == "symlink") {
        raw.append(entry("graph.dot", {}, AE_IFLNK, "/etc/shadow"));
    } else if (kind == "hardlink") {
        raw.append(entry("graph.dot", {}, AE_IFREG, "snapshot.json", true));
    } else if (kind == "device") {
        raw.append(entry("kmsg", {}, AE_IFCHR));
    } else if (kind == "fifo") {
        raw.append(entry("pipe", {}, AE_IFIFO));
    } else if (kind == "duplicate") {
        raw.append(entry("snapshot.json", "{}"));
    } else if (kind == "oversized") {
        raw.append(entry("kernel-log.jsonl", {}, AE_IFREG, {}, false, 2 * 1024 * 1024));
    } else if (kind == "bomb") {
        // Members under the per-member cap that together unpack past the total cap.
        for (int i = 0; i < 6; ++i)
            raw.append(entry("diagnosis/m" + QString::number(i) + ".json", {}, AE_IFREG, {}, false, 1000 * 1000));
    } else if (kind == "nomanifest") {
        raw.removeFirst();
    } else if (kind == "badmanifest") {
        raw.first().data = "{ not json";
    } else if (kind == "version2") { // from a newer kmodrescue
        QJsonObject m = makeManifest(members, {{"tool_version", "9.1.0"}});
        m.insert("schema_version", 2);
        raw.first().data = QJsonDocument(m).toJson();
    } else if (kind == "version0") {
        raw.first() = manifestFor(members, 0);
    } else if (kind == "otherschema") {
        QJsonObject m = makeManifest(members, {});
        m.insert("schema", "sosreport");
        raw.first().data = QJsonDocument(m).toJson();
    } else if (kind == "sha") {
        raw.last().data = "hellO\n";
    } else if (kind == "missingmember") {
        raw.removeLast();
    } else if (kind == "unlisted") {
        raw.append(entry("extra.sh", "rm -rf ~\n"));
    } else if (kind == "badsnapshot") {
        const QList<BundleMember> bad {{"snapshot.json", "[1, 2]"}};
        raw = QList<RawEntry> {manifestFor(bad)} + asRaw(bad);
    }
    const bool rawTar = kind != "garbage" && kind != "empty" && kind != "truncated" && !kind.startsWith("corrupt")
        && kind != "missing" && kind != "unreadable";
    if (rawTar)
        QVERIFY(writeRaw(file, raw));

    BundleContents out;
    BundleError error = BundleError::None;
    QString message;
    QVERIFY(!openBundle(file, &out, &error, &message, limits));
    QCOMPARE(toString(error), expectedError);
    QVERIFY2(message.contains(messagePart), qPrintable(message));
    QVERIFY2(message.startsWith(file + ": "), qPrintable(message)); // says which file
    QVERIFY2(message.contains(nextStep), qPrintable(message)); // and what to do next
    if (kind != "missing" && kind != "unreadable"
        && kind != "badsnapshot") { // the in-memory reader (fuzzed) says the same
        BundleError memError = BundleError::None;
        QString memMessage;
        QVERIFY(!readBundleArchiveData(readAll(file), file, nullptr, &memError, &memMessage, limits));
        QCOMPARE(toString(memError), expectedError);
        QCOMPARE(memMessage, message);
    }
}

// A gzip stream holding a hand-made ustar header that declares `declared` bytes, followed by only
// a little data: a bomb's header without the cost of compressing a bomb.
bool writeHeaderOnlyBomb(const QString &file, qint64 declared)
{
    QByteArray h(512, '\0');
    auto put = [&h](int off, const QByteArray &v) { h.replace(off, v.size(), v); };
    put(0, "kernel-log.jsonl");
    put(100, "0000644");
    put(108, "0000000");
    put(116, "0000000");
    put(124, QByteArray::number(declared, 8).rightJustified(11, '0'));
    put(136, "00000000000");
    put(156, "0");
    put(257, QByteArray("ustar\0", 6));
    put(263, "00");
    put(148, "        ");
    unsigned sum = 0;
    for (char c : h)
        sum += uchar(c);
    put(148, QByteArray::number(sum, 8).rightJustified(6, '0') + QByteArray("\0 ", 2));
    const QByteArray tar = h + QByteArray(64 * 1024, '\0');
    archive *a = archive_write_new();
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
    if (archive_write_open_filename(a, QFile::encodeName(file).constData()) != ARCHIVE_OK)
        return false;
    archive_entry *e = archive_entry_new();
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_pathname(e, "raw");
    archive_entry_set_size(e, tar.size());
    archive_write_header(a, e);
    archive_entry_free(e);
    archive_write_data(a, tar.constData(), size_t(tar.size()));
    const bool ok = archive_write_close(a) == ARCHIVE_OK;
    archive_write_free(a);
    return ok;
}

// The GUI's Cancel: ReadLimits::cancelled is asked while the archive is read; true stops the read
// at once with its own error, false lets it read the whole bundle.
void TestBundle::cancelledReadStops()
{
    const QString file = m_tmp.filePath("cancelled.tar.gz");
    QString message;
    QVERIFY2(writeBundleArchive(file, {{"kernel-log.txt", manyLines()}}, {}, &message), qPrintable(message));
    CancelProbe probe;
    BundleArchive a;
    BundleError error = BundleError::None;
    QVERIFY2(readBundleArchive(file, &a, &error, &message, probe.limits(0)), qPrintable(message));
    QVERIFY2(probe.asked > 5, qPrintable(QString::number(probe.asked)));
    QCOMPARE(a.members.value("kernel-log.txt"), manyLines());

    QVERIFY(!readBundleArchive(file, &a, &error, &message, probe.limits(2))); // stop at the second question
    QCOMPARE(toString(error), QStringLiteral("cancelled"));
    QCOMPARE(probe.asked, 2);
    QCOMPARE(message, file + ": reading the bundle was cancelled. Open it again to see it.");
}

void TestBundle::bombWithDefaultLimitsIsRefusedAtTheHeader()
{
    // The default caps: a member declaring 4 GiB is refused from its tar header, before a byte
    // of it is inflated or allocated.
    const QString file = m_tmp.filePath("bomb-4g.tar.gz");
    QVERIFY(writeHeaderOnlyBomb(file, 4LL * 1024 * 1024 * 1024));
    BundleError error = BundleError::None;
    QString message;
    QVERIFY(!readBundleArchive(file, nullptr, &error, &message));
    QCOMPARE(toString(error), QStringLiteral("member-too-large"));
    QVERIFY2(message.contains("4096.0 MiB uncompressed, over the 320.0 MiB"), qPrintable(message));
}

void TestBundle::killDuringExportLeavesNothing()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath("stuck.tar.gz");
    writeFile(file, "an older bundle"); // a kill must not damage what was there either
    // 48 MiB of incompressible data: gzip takes about a second over it, so the kill at 10% lands
    // mid-write (the child tells the parent when it is there).
    QByteArray data(48 * 1024 * 1024, Qt::Uninitialized);
    quint64 x = 0x9e3779b97f4a7c15ULL;
    quint64 *words = reinterpret_cast<quint64 *>(data.data());
    for (qsizetype i = 0; i < data.size() / 8; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        words[i] = x;
    }
    int fds[2];
    QCOMPARE(::pipe(fds), 0);
    const pid_t child = ::fork();
    QVERIFY(child >= 0);
    if (child == 0) {
        ::close(fds[0]);
        WriteOptions o;
        bool told = false;
        o.progress = [&](qint64 done, qint64 total) {
            if (!told && done > total / 10) {
                told = true;
                (void)!::write(fds[1], "w", 1); // tell the parent we are mid-write, then go on
            }
        };
        writeBundleArchive(file, {{"kernel-log.txt", data}}, {}, nullptr, o);
        ::_exit(0);
    }
    ::close(fds[1]);
    char c = 0;
    QCOMPARE(::read(fds[0], &c, 1), ssize_t(1)); // the child is 10% into the write
    ::kill(child, SIGKILL);
    int status = 0;
    QCOMPARE(::waitpid(child, &status, 0), child);
    ::close(fds[0]);
    QVERIFY2(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "the child finished before it was killed");
    QCOMPARE(readAll(file), QByteArray("an older bundle"));
    // The temporary file was anonymous (O_TMPFILE): nothing else is left in the directory.
    QCOMPARE(QDir(dir.path()).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot),
        QStringList {"stuck.tar.gz"});
}

void TestBundle::writeIntoMissingDirectoryFails()
{
    QString message;
    QVERIFY(!writeBundleArchive(m_tmp.filePath("no/such/dir/b.tar.gz"), smallMembers(), {}, &message));
    QVERIFY2(message.contains("does not exist"), qPrintable(message));
}

namespace {

BundleContents labContents()
{
    CollectOptions o;
    o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
    o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
    o.modules = QStringList {QStringLiteral("kmr_refleak"), QStringLiteral("kmr_provider")};
    return collectBundleContents(o);
}

} // namespace

void TestBundle::recordingsRoundTrip()
{
    BundleContents c = labContents();
    QCOMPARE(recordedModules(c), (QStringList {"kmr_refleak", "kmr_provider", "kmr_consumer"}));
    // A history as the sampler records it: changes, a module that went away and came back, and a
    // module that is not in the bundle (left out).
    RefcountHistory h;
    const qint64 t0 = 12'000'000;
    for (int i = 0; i < 40; ++i)
        h.record("kmr_refleak", t0 + i * 100, 100, i < 10 ? 0 : i < 20 ? 1 : 3);
    h.record("kmr_provider", t0, 1000, 1);
    h.record("kmr_provider", t0 + 1000, 1000, RefcountPoint::kAbsent);
    h.record("kmr_provider", t0 + 2000, 1000, 0);
    h.record("unrelated", t0, 1000, 5);
    QVERIFY(attachRefcountHistory(&c, h, t0 + 4000, 10));
    RecordedTrace trace {QStringLiteral("kmr_refleak"), {}};
    TraceEventParser parser;
    for (const QString &line : testdata::kLabTrace612) {
        TraceEvent e;
        QVERIFY(parser.parseLine(line.toUtf8(), &e));
        e.ip = 0xffffffffc0a0105dULL; // as the eprobe form carries it: above 2^53, kept exactly
        trace.events << e;
    }
    QVERIFY(attachTrace(&c, trace));
    UnloadPlan plan;
    plan.module = "kmr_refleak";
    plan.notes << "the kernel has forced unload";
    UnloadResult result;
    result.finalState = "live";
    result.kernelLog << "kmr_refleak: still here";
    const QList<QJsonObject> records {unloadRecordJson(plan, &result)};
    QVERIFY(attachUnloadRecords(&c, records));

    QJsonObject parts;
    const QString file = m_tmp.filePath(QStringLiteral("recordings.tar.gz"));
    QString message;
    QVERIFY2(writeBundleArchive(file, bundleMembers(c, &parts), manifestExtra(c, parts, false), &message),
        qPrintable(message));
    BundleContents back;
    BundleError error = BundleError::None;
    QVERIFY2(openBundle(file, &back, &error, &message), qPrintable(message));
    QVERIFY(!back.absentWhy.contains("refcount-history"));
    QVERIFY(!back.absentWhy.contains("refcount-trace"));
    QVERIFY(!back.absentWhy.contains("unload-plan"));

    RecordedRefcountHistory history;
    QVERIFY2(recordedHistory(back, &history, &message), qPrintable(message));
    QCOMPARE(history.endMs, t0 + 4000);
    QCOMPARE(history.rateHz, 10.0);
    QCOMPARE(history.history->modules(), (QStringList {"kmr_provider", "kmr_refleak"}));
    for (const QString &m : {QStringLiteral("kmr_refleak"), QStringLiteral("kmr_provider")})
        QCOMPARE(history.history->points(m), h.points(m));
    QCOMPARE(history.history->points("kmr_refleak").size(), 3);
    QVERIFY(history.history->points("kmr_provider").at(1).absent());

    RecordedTrace traceBack;
    QVERIFY2(recordedTrace(back, &traceBack, &message), qPrintable(message));
    QCOMPARE(traceBack.module, trace.module);
    QCOMPARE(traceBack.events.size(), trace.events.size());
    for (int i = 0; i < trace.events.size(); ++i)
        QVERIFY2(traceBack.events.at(i) == trace.events.at(i), qPrintable(QString::number(i)));
    // The leak table is there for readers without kmodrescue (jq): computed from the events.
    const QJsonObject traceJson = QJsonDocument::fromJson(back.refcountTraceJson).object();
    const QJsonObject top = traceJson.value("leak_table").toArray().at(0).toObject();
    QCOMPARE(top.value("call_site").toString(), QStringLiteral("kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]"));
    QCOMPARE(top.value("held").toInt(), 3);

    QList<QJsonObject> recordsBack;
    QVERIFY(unloadRecordsFromJson(QJsonDocument::fromJson(back.unloadPlanJson).object(), &recordsBack, &message));
    QCOMPARE(recordsBack, records);
    QCOMPARE(recordsBack.first().value("result").toObject().value("kernelLog").toArray().first().toString(),
        QStringLiteral("kmr_refleak: still here"));
}

void TestBundle::badRecordingIsRefused()
{
    BundleContents c = labContents();
    c.refcountHistoryJson = R"({"schema": "kmodrescue.refcount-history", "schema_version": 9, "modules": {}})";
    QJsonObject parts;
    const QString file = m_tmp.filePath(QStringLiteral("badrecording.tar.gz"));
    QString message;
    QVERIFY(writeBundleArchive(file, bundleMembers(c, &parts), manifestExtra(c, parts, false), &message));
    BundleError error = BundleError::None;
    QVERIFY(!openBundle(file, nullptr, &error, &message));
    QCOMPARE(toString(error), toString(BundleError::BadMember));
    QVERIFY2(message.contains("refcount/history.json") && message.contains("version 9"), qPrintable(message));

    c.refcountHistoryJson.clear();
    c.refcountTraceJson = R"({"schema": "kmodrescue.refcount-trace", "schema_version": 1,
        "events": [{"kind": "grab", "time_ns": 1}]})";
    QVERIFY(writeBundleArchive(file, bundleMembers(c, &parts), manifestExtra(c, parts, false), &message));
    QVERIFY(!openBundle(file, nullptr, &error, &message));
    QVERIFY2(
        message.contains("refcount/trace.json") && message.contains("event 0: kind is 'grab'"), qPrintable(message));

    c.refcountTraceJson.clear();
    c.unloadPlanJson = R"({"schema": "kmodrescue.unload-records", "schema_version": 1, "records": [{"gone": true}]})";
    QVERIFY(writeBundleArchive(file, bundleMembers(c, &parts), manifestExtra(c, parts, false), &message));
    QVERIFY(!openBundle(file, nullptr, &error, &message));
    QVERIFY2(message.contains("unload/plan.json") && message.contains("no \"plan\""), qPrintable(message));
}

// A bundle collected with this session's trace records a diagnosis that names who took the references.
void TestBundle::exportedDiagnosisNamesTheTracedCallSites()
{
    CollectOptions o;
    o.root = QStringLiteral(KMR_FIXTURES "/roots/lab-6.1");
    o.kernelLogFile = QStringLiteral(KMR_FIXTURES "/kmsg/all-6.1.kmsg");
    o.modules = QStringList {QStringLiteral("kmr_refleak")};
    auto leakSentence = [](const BundleContents &c) {
        const Diagnosis *d = c.diagnosis(QStringLiteral("kmr_refleak"));
        const Finding *f = d ? d->find(FindingKind::LeakedReference) : nullptr;
        return f ? f->sentence : QStringLiteral("(no leaked-reference finding)");
    };
    const QString without = leakSentence(collectBundleContents(o));
    QVERIFY2(without.startsWith("kmr_refleak is held by 3 references that no module"), qPrintable(without));

    o.trace.module = QStringLiteral("kmr_refleak");
    TraceEventParser parser;
    for (const QString &line : testdata::kLabTrace612) {
        TraceEvent e;
        QVERIFY(parser.parseLine(line.toUtf8(), &e));
        o.trace.events << e;
    }
    const QString with = leakSentence(collectBundleContents(o));
    QVERIFY2(with.endsWith("Still held when the trace ended: 3 taken at kmr_refleak_set_leak+0x5d/0xa0 [kmr_refleak]."),
        qPrintable(with));
}

QTEST_GUILESS_MAIN(TestBundle)
#include "tst_bundle.moc"
