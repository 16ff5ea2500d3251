// SPDX-License-Identifier: GPL-2.0-or-later
#include "bundle/samplebundle.h"

#include "bundle/bundlecontents.h"

#include <QFile>

namespace kmr::bundle {

QString sampleBundlePath()
{
    return QStringLiteral(":/kmodrescue/samples/sample.kmrbundle.tar.gz");
}

bool isSampleBundle(const QString &file)
{
    return file == sampleBundlePath();
}

bool haveSampleBundle()
{
    return QFile::exists(sampleBundlePath());
}

QString sampleBundleBanner(const BundleContents &c)
{
    return QStringLiteral("Sample recorded in the kmodrescue lab on Linux %1 with its test modules stuck, not "
                          "this machine. Read-only.")
        .arg(c.snapshot.kernel.release.display());
}

} // namespace kmr::bundle
