// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <QString>

namespace kmr {

// A compiler as named by a .ko's .comment ("GCC: (Debian 12.2.0-14) 12.2.0"), /proc/version
// ("gcc-12 (Debian 12.2.0-14) 12.2.0") or CONFIG_CC_VERSION_TEXT, reduced to family and version.
struct CompilerId {
    QString family; // "gcc", "clang", "" when not recognised
    QString version; // "12.2.0"
    int major = -1;
    QString text; // what was parsed, trimmed

    bool valid() const { return !family.isEmpty() && major >= 0; }
    QString display() const; // "GCC 12.2.0", "clang 14.0.6", or the text when not recognised
};

CompilerId parseCompilerId(const QString &text);

enum class CompilerMatch { Same, MinorDifference, Different, Unknown };
// Same: family and version equal. MinorDifference: same family and major version.
// Different: another family or major version. Unknown: either side not recognised.
CompilerMatch compareCompilers(const CompilerId &module, const CompilerId &kernel);

} // namespace kmr
