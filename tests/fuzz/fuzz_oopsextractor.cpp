// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the OopsExtractor on arbitrary logs. Besides memory safety (ASan, UBSan),
// it checks that every excerpt stays inside the log and is ordered, and that reading the log in
// small chunks on two threads gives exactly the reports of one scan.
#include "kernellog/dmesgparser.h"
#include "kernellog/kernellogjson.h"
#include "kernellog/oopsextractor.h"

#include <cstdint>
#include <cstdlib>

using namespace kmr::kernellog;

namespace {

void check(const QList<OopsExcerpt> &found, qsizetype lines)
{
    int previousFirst = -1;
    for (const OopsExcerpt &e : found) {
        if (e.title.isEmpty() || e.firstLine < 0 || e.lastLine < e.firstLine || e.lastLine >= lines)
            abort();
        if (e.firstLine < previousFirst || e.lines.size() != e.lineIndexes.size())
            abort();
        for (int i : e.lineIndexes) {
            if (i < e.firstLine || i > e.lastLine)
                abort();
        }
        if (e.truncated == e.truncatedWhy.isEmpty())
            abort();
        previousFirst = e.firstLine;
        (void)implicatedModules(e);
        (void)toJson(e);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const qsizetype lines = text.count('\n') + 1;
    const QList<OopsExcerpt> all = OopsExtractor::extractFromText(text);
    check(all, lines);
    OopsExtractor::Options chunked;
    chunked.threads = 2;
    chunked.chunkBytes = 64 + qsizetype(size % 977); // chunk edges anywhere, many per input
    if (OopsExtractor::extractFromText(text, chunked) != all)
        abort();
    const QList<OopsExcerpt> first = OopsExtractor::extractFirstFromText(text);
    if (first.size() > 1)
        abort();
    if (size < 4096)
        check(OopsExtractor::extract(parseDmesgText(text)), lines);
    return 0;
}
