// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the bundle reader never crashes, never allocates past its caps, and never
// accepts a bundle that breaks its own rules (unsafe names, a foreign schema); every refusal
// says why.
#include "bundle/bundlearchive.h"

#include <cstdint>
#include <cstdlib>

using namespace kmr::bundle;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    ReadLimits limits;
    limits.maxMemberSize = 1 << 20;
    limits.maxTotalSize = 4 << 20;
    BundleArchive out;
    BundleError error = BundleError::None;
    QString message;
    if (!readBundleArchiveData(input, QStringLiteral("fuzz.tar.gz"), &out, &error, &message, limits)) {
        if (error == BundleError::None || message.isEmpty())
            abort(); // a refusal always says why
        return 0;
    }
    if (error != BundleError::None)
        abort();
    if (out.manifest.value(QStringLiteral("schema")).toString() != QLatin1String(BundleSchema))
        abort();
    qint64 total = 0;
    for (auto it = out.members.constBegin(); it != out.members.constEnd(); ++it) {
        const QString &path = it.key();
        if (path.startsWith(QLatin1Char('/')) || path.split(QLatin1Char('/')).contains(QStringLiteral("..")))
            abort();
        if (it->size() > limits.maxMemberSize)
            abort();
        total += it->size();
    }
    if (total > limits.maxTotalSize)
        abort();
    return 0;
}
