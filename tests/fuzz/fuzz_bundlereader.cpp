// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the bundle reader and the sosreport tarball reader never crash, never
// allocate past their caps, and never accept an archive that breaks their rules (unsafe names,
// a foreign schema, links leading outside, no sos files); every refusal says why.
#include "bundle/bundlearchive.h"
#include "bundle/sostree.h"

#include <cstdint>
#include <cstdlib>

using namespace kmr::bundle;

namespace {

bool unsafe(const QString &path)
{
    return path.startsWith(QLatin1Char('/')) || path.split(QLatin1Char('/')).contains(QStringLiteral(".."));
}

// What a sosreport tarball may give: safe relative names of wanted files within the caps, and
// links that resolve (or are cut at a loop) without crashing.
void checkSos(const QByteArray &input, const ReadLimits &limits)
{
    SosTree sos;
    BundleError error = BundleError::None;
    QString message;
    if (!readSosTreeData(input, QStringLiteral("fuzz.tar.xz"), &sos, &error, &message, limits)) {
        if (error == BundleError::None || message.isEmpty())
            abort();
        return;
    }
    qint64 total = 0;
    for (auto it = sos.files.files().constBegin(); it != sos.files.files().constEnd(); ++it) {
        if (unsafe(it.key()) || it->size() > limits.maxMemberSize || !sosWanted(it.key()))
            abort();
        total += it->size();
        (void)sos.files.list(it.key().section(QLatin1Char('/'), 0, -2));
    }
    for (const char *p : {"lsmod", "proc/modules", "sys/module", "uname"}) {
        if (unsafe(sos.files.resolve(QLatin1String(p))))
            abort();
        (void)sos.files.isDir(QLatin1String(p));
    }
    if (total > limits.maxTotalSize)
        abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    ReadLimits limits;
    limits.maxMemberSize = 1 << 20;
    limits.maxTotalSize = 4 << 20;
    limits.maxScannedSize = 16 << 20;
    checkSos(input, limits);
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
        if (unsafe(path))
            abort();
        if (it->size() > limits.maxMemberSize)
            abort();
        total += it->size();
    }
    if (total > limits.maxTotalSize)
        abort();
    return 0;
}
