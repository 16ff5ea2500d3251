// SPDX-License-Identifier: GPL-2.0-or-later
// kmodrescue-cli oops [FILE] [--json] [--jobs N]   the crash reports in a saved log, or in /dev/kmsg
// kmodrescue-cli oops --eval DIR [--verbose]   score the extractor on a syzkaller-format corpus
#include "bundlesource.h"
#include "command.h"

#include "kernellog/kernellogjson.h"
#include "kernellog/kmsgreader.h"
#include "kernellog/oopscorpus.h"
#include "kernellog/oopsextractor.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QStringEncoder>

#include <charconv>

using namespace kmr::kernellog;

namespace kmr::cli {
namespace {

int evalCorpus(Context &ctx, const QString &dir, bool verbose)
{
    CorpusScore s;
    QString error;
    if (!scoreCorpus(dir, &s, &error)) {
        ctx.err << "kmodrescue-cli oops: " << error << "\n";
        return ExitBadInput;
    }
    if (verbose) {
        for (const QString &m : std::as_const(s.misses))
            ctx.out << m << '\n';
    }
    ctx.out << "files " << s.files << ", with a crash " << s.withCrash << '\n';
    ctx.out << "detection " << s.detected << '/' << s.files << '\n';
    ctx.out << "kind " << s.kindRight << '/' << s.withCrash << '\n';
    ctx.out << "title " << s.titleRight << '/' << s.withCrash << '\n';
    return ExitOk;
}

// A number in decimal, without QString::number()'s locale machinery (300 instructions a call).
class Decimal
{
public:
    explicit Decimal(int n)
        : m_size(std::to_chars(m_digits, m_digits + sizeof m_digits, n).ptr - m_digits)
    { }
    QLatin1String latin1() const { return QLatin1String(m_digits, m_size); }
    QByteArrayView bytes() const { return QByteArrayView(m_digits, m_size); }

private:
    char m_digits[12];
    qsizetype m_size;
};

// One report's entry in the listing after its number, "  title\n    lines 12-40\n...", in UTF-8
// (the extractor calls it on its workers: see OopsExtractor::Formatter). It is put together as
// one string and encoded at once: a listing of tens of thousands of reports spent more in
// QTextStream's per-item calls (number formatting above all) than in anything else on the thread
// that prints.
void appendEntry(const OopsExcerpt &e, QByteArray &out)
{
    QString s;
    s.reserve(e.title.size() + e.faultingFunction.size() + e.truncatedWhy.size() + 96);
    s += u"  " + e.title + u'\n';
    s += u"    lines " + Decimal(e.firstLine + 1).latin1() + u'-' + Decimal(e.lastLine + 1).latin1();
    if (!e.callerId.isEmpty())
        s += u" (" + e.callerId + u')';
    s += u'\n';
    if (!e.faultingFunction.isEmpty()) {
        s += u"    faulting function: " + e.faultingFunction;
        if (!e.faultingModule.isEmpty())
            s += u" [" + e.faultingModule + u']';
        s += u'\n';
    }
    const QStringList mods = implicatedModules(e);
    if (!mods.isEmpty())
        s += u"    implicates: " + mods.join(QStringLiteral(", ")) + u'\n';
    if (!e.taint.isEmpty())
        s += u"    taint: " + e.taint + u'\n';
    if (e.truncated)
        s += u"    truncated: " + e.truncatedWhy + u'\n';
    QStringEncoder utf8(QStringEncoder::Utf8);
    const qsizetype at = out.size();
    out.resize(at + utf8.requiredSpace(s.size()));
    out.resize(utf8.appendToBuffer(out.data() + at, s) - out.constData());
}

// The listing: "#n" and each entry, written to the output device in pieces of 64 KiB (the
// entries are UTF-8 already: through the QTextStream they would be decoded and encoded again).
class Listing
{
public:
    explicit Listing(QTextStream &out)
        : m_out(out)
    { }
    void add(QByteArrayView entry)
    {
        m_bytes += '#';
        m_bytes += Decimal(++m_count).bytes();
        m_bytes += entry;
        if (m_bytes.size() >= 64 * 1024)
            flush();
    }
    void add(const OopsExcerpt &e)
    {
        m_entry.resize(0);
        appendEntry(e, m_entry);
        add(m_entry);
    }
    int count() const { return m_count; }
    void flush()
    {
        m_out.flush();
        if (QIODevice *device = m_out.device())
            device->write(m_bytes);
        else
            m_out << QString::fromUtf8(m_bytes); // a stream on a string
        if (auto *file = qobject_cast<QFileDevice *>(m_out.device()))
            file->flush();
        m_bytes.resize(0);
    }

private:
    QTextStream &m_out;
    QByteArray m_bytes;
    QByteArray m_entry;
    int m_count = 0;
};

void printNone(Context &ctx, const QString &source)
{
    ctx.out << "no crash report in " << source << '\n';
}

void printExcerpts(Context &ctx, const QList<OopsExcerpt> &excerpts, const QString &source)
{
    if (ctx.json) {
        QJsonObject o;
        o[QStringLiteral("source")] = source;
        o[QStringLiteral("excerpts")] = toJson(excerpts);
        printJson(ctx.out, o);
        return;
    }
    if (excerpts.isEmpty())
        return printNone(ctx, source);
    Listing listing(ctx.out);
    for (const OopsExcerpt &e : excerpts)
        listing.add(e);
    listing.flush();
}

OopsExtractor::Options threads(int jobs)
{
    OopsExtractor::Options options;
    options.threads = jobs; // a large log is read in chunks on `jobs` threads (0: one per CPU)
    return options;
}

// A saved text log: the listing is printed as the reports are found (a log of hundreds of
// megabytes made of crashes has tens of thousands); JSON needs them all first.
void printFromText(Context &ctx, QByteArrayView data, const QString &source, int jobs)
{
    OopsExtractor::Options options = threads(jobs);
    options.keepLines = ctx.json; // the text listing prints neither the lines nor the frames
    options.frameFunctions = ctx.json;
    options.frameOffsets = ctx.json;
    if (ctx.json)
        return printExcerpts(ctx, OopsExtractor::extractFromText(data, options), source);
    // The entries are made on the extractor's workers; this thread only numbers and writes them.
    Listing listing(ctx.out);
    OopsExtractor::extractFromText(
        data, options, &appendEntry, [&listing](QByteArrayView entry) { listing.add(entry); });
    listing.flush();
    if (listing.count() == 0)
        printNone(ctx, source);
}

int run(Context &ctx)
{
    QString file, evalDir;
    bool verbose = false;
    int jobs = 0; // one per CPU
    for (int i = 0; i < ctx.args.size(); ++i) {
        const QString &a = ctx.args.at(i);
        if (a == QLatin1String("--eval")) {
            if (i + 1 >= ctx.args.size()) {
                ctx.err << "kmodrescue-cli oops: --eval needs a directory\n";
                return ExitUsage;
            }
            evalDir = ctx.args.at(++i);
        } else if (a == QLatin1String("--jobs") || a == QLatin1String("-j")) {
            bool ok = false;
            jobs = i + 1 < ctx.args.size() ? ctx.args.at(++i).toInt(&ok) : 0;
            if (!ok || jobs < 1 || jobs > 1024) {
                ctx.err << "kmodrescue-cli oops: --jobs needs a number of threads from 1 to 1024\n";
                return ExitUsage;
            }
        } else if (a == QLatin1String("--verbose") || a == QLatin1String("-v")) {
            verbose = true;
        } else if (a.startsWith(QLatin1Char('-'))) {
            ctx.err << "kmodrescue-cli oops: unknown option " << a << "\n";
            return ExitUsage;
        } else if (file.isEmpty()) {
            file = a;
        } else {
            ctx.err << "kmodrescue-cli oops: one FILE at most\n";
            return ExitUsage;
        }
    }
    if (!evalDir.isEmpty())
        return evalCorpus(ctx, evalDir, verbose);

    if (!file.isEmpty()) {
        QFile f(file);
        if (!f.open(QIODevice::ReadOnly)) {
            ctx.err << "kmodrescue-cli oops: cannot read " << file << ": " << f.errorString() << "\n";
            return ExitBadInput;
        }
        // Mapped, not copied: a log of hundreds of megabytes is read straight from the page cache.
        QByteArray copy;
        QByteArrayView data;
        if (const uchar *mapped = f.size() > 0 ? f.map(0, f.size()) : nullptr) {
            data = QByteArrayView(reinterpret_cast<const char *>(mapped), f.size());
        } else {
            copy = f.readAll(); // pipes, /proc files: no mapping
            data = copy;
        }
        if (looksLikeKmsgCapture(data)) {
            KernelLogError error;
            QString why;
            const KernelLog log = readKmsg(file, &error, &why);
            printExcerpts(ctx, OopsExtractor::extract(log, threads(jobs)), file);
        } else {
            printFromText(ctx, data, file, jobs);
        }
        return ExitOk;
    }

    if (!ctx.bundle.isEmpty()) {
        bundle::BundleContents b;
        if (const int rc = loadBundle(ctx, &b))
            return rc;
        if (!b.hasKernelLog) {
            ctx.err << "kmodrescue-cli oops: the bundle has no kernel log ("
                    << b.absentWhy.value(QStringLiteral("kernel-log"), QStringLiteral("not collected")) << ")\n";
            return ExitBadInput;
        }
        printExcerpts(ctx, b.oopses, ctx.bundle);
        return ExitOk;
    }

    KernelLogError error = KernelLogError::None;
    QString why;
    const KernelLog log = readKmsg(QStringLiteral("/dev/kmsg"), &error, &why);
    if (error == KernelLogError::PermissionDenied) {
        ctx.err << "kmodrescue-cli oops: " << why
                << "\nRun it with a saved log (dmesg > log.txt as root, then kmodrescue-cli oops log.txt), "
                   "or use the GUI, which asks the helper.\n";
        return ExitDenied;
    }
    if (error != KernelLogError::None) {
        ctx.err << "kmodrescue-cli oops: " << why << "\n";
        return ExitFailure;
    }
    printExcerpts(ctx, OopsExtractor::extract(log, threads(jobs)), QStringLiteral("/dev/kmsg"));
    return ExitOk;
}

const Registrar reg {
    "oops", "oops [FILE] [--json] [--jobs N] | --eval DIR", "crash reports in a kernel log, by module", &run};

} // namespace
} // namespace kmr::cli
