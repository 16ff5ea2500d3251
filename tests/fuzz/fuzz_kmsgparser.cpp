// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the /dev/kmsg record parser and the dmesg text parser never crash, never
// read out of bounds, and keep their own invariants on any bytes.
#include "kernellog/dmesgparser.h"
#include "kernellog/kernellogjson.h"
#include "kernellog/kmsgparser.h"

#include <cstdint>
#include <cstdlib>

using namespace kmr::kernellog;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    KernelLogRecord r;
    QString error;
    if (parseKmsgRecord(input, &r, &error)) {
        if (r.priority < 0 || r.priority > 7 || r.sequence < 0 || r.timestampUsec < 0)
            abort();
        if (r.continuation != '-' && r.continuation != 'c' && r.continuation != '+')
            abort();
        if (!(recordFromJson(toJson(r)) == r))
            abort();
    } else if (error.isEmpty()) {
        abort(); // a refusal always says why
    }

    const QByteArray decoded = decodeKmsgEscapes(input);
    if (decoded.size() > input.size())
        abort();

    const KernelLog log = parseDmesgText(input);
    for (const KernelLogRecord &rec : log) {
        if (rec.sourceLine < 1 || rec.sourceLine > log.size())
            abort();
        (void)toDmesgLine(rec);
    }
    return 0;
}
