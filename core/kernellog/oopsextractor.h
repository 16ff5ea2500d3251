// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "kernellog/kernellogrecord.h"
#include "kernellog/oopsexcerpt.h"

#include <QByteArrayView>

#include <functional>

namespace kmr::kernellog {

// Finds every crash report in a kernel log: oops, BUG, WARNING, general protection fault, page
// fault, invalid opcode, soft and hard lockup, hung task, RCU stall, KASAN/KMSAN/KCSAN/KFENCE/
// UBSAN report, kernel BUG and panic, and cuts each out as an OopsExcerpt.
//
// Titles follow the convention syzkaller made standard, "<kind> in <first interesting frame>",
// with its kinds and its list of frames that are never the culprit (sanitizer and reporting
// helpers, locking, allocation, string and list helpers...), so that they compare with syzkaller's
// corpus and with what kernel developers search for. A report that continues on a CPU's or
// task's lines (caller ids) is followed through other CPUs' interleaved lines.
//
// The common path costs one cheap filter per line; patterns run only on the report lines.
class OopsExtractor
{
public:
    struct Options {
        // Copy each excerpt's lines into OopsExcerpt::lines. A caller that only lists reports
        // (kmodrescue-cli oops without --json) leaves them out: on a log made of crashes they
        // are most of the memory. lineIndexes are always kept.
        bool keepLines = true;
        // Name each call trace frame's function (OopsFrame::function). The module and "? " mark
        // are always kept, and so are the faulting function and module.
        bool frameFunctions = true;
        // Read each call trace frame's offset and size (OopsFrame::offset and size; 0 without).
        // Reading their digits' values was a third of the cost of reading a frame line; a caller
        // that only lists reports leaves them out.
        bool frameOffsets = true;
        // A log larger than a chunk is scanned in chunks on this many threads (0: one per CPU).
        // The reports, and the order the sink gets them in, are the same as with one thread;
        // the sink is called on the calling thread.
        int threads = 0;
        // The largest chunk. 0: about eight chunks per thread, 256 KiB to 8 MiB each (every chunk
        // costs a little at its edge). Towards the end of the log the chunks get smaller (down to
        // an eighth of this, and not below 512 KiB), so that the threads end about together.
        qsizetype chunkBytes = 0;
    };
    using Sink = std::function<void(OopsExcerpt &&)>;
    // Appends the text a caller prints for one report to `out` (see the TextSink overload below).
    using Formatter = std::function<void(const OopsExcerpt &, QByteArray &out)>;
    // One report's text, as a Formatter made it; valid during the call only.
    using TextSink = std::function<void(QByteArrayView)>;
    // From a saved log, as text (any of the dmesg forms; lines are indexes into the text).
    static QList<OopsExcerpt> extractFromText(QByteArrayView text, const Options &options);
    // The same, each report handed to sink as soon as it is complete, in log order: a caller
    // that prints them holds one at a time, not a list as long as the log.
    static void extractFromText(QByteArrayView text, const Options &options, const Sink &sink);
    // The same for a caller that only prints the reports: each is turned into text by `format` on
    // the thread that found it (one of the workers when the log is read in chunks: `format` is
    // called on several threads at once and must not change anything they share), then the
    // excerpt is freed there, and sink gets the texts in log order on the calling thread. Its
    // work is then only writing them out: making, moving and freeing tens of thousands of excerpts
    // there (each freed on another thread than the one that allocated it) made the calling thread
    // the one the others wait for.
    static void extractFromText(
        QByteArrayView text, const Options &options, const Formatter &format, const TextSink &sink);
    static QList<OopsExcerpt> extractFromText(QByteArrayView text) { return extractFromText(text, Options()); }
    // From records (lines are indexes into the list). Gap records inside an excerpt mark it truncated.
    static QList<OopsExcerpt> extract(const KernelLog &records, const Options &options);
    static QList<OopsExcerpt> extract(const KernelLog &records) { return extract(records, Options()); }
    // Only the first report, as syzkaller's parser gives (for scoring against its corpus).
    static QList<OopsExcerpt> extractFirstFromText(QByteArrayView text);
};

} // namespace kmr::kernellog
