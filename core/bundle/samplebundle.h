// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

// The sample bundle: resources/samples/sample.kmrbundle.tar.gz, recorded in the lab on a real
// kernel with the lab's faulty modules stuck (tools/record-sample). kmodrescue and kmodrescue-cli
// embed that file as a Qt resource (the kmrsample library), so the sample always matches the
// reader; the package also installs it to KMR_DATADIR/samples/ for scripts and other tools.

#include <QString>

namespace kmr::bundle {

struct BundleContents;

// The embedded sample's path (a Qt resource, ":/..."): openBundle() takes it like a file.
QString sampleBundlePath();
bool isSampleBundle(const QString &file);
// False when this build was made without the sample (the file was missing at build time).
bool haveSampleBundle();
// The banner's words: a sample from the lab, which kernel, not this machine.
QString sampleBundleBanner(const BundleContents &contents);

} // namespace kmr::bundle
